import {
  DEFAULT_LIMITS,
  RSS_ALLOWANCE_MB,
  sandboxArgs,
  SandboxChild,
  type SandboxLimits,
} from "./sandbox_child.ts";
import { handlerScripts } from "./_handler_scripts.ts";

export { DEFAULT_LIMITS, RSS_ALLOWANCE_MB, sandboxArgs, type SandboxLimits };

/**
 * How a sandboxed call ended: the handler's value, its thrown error (`error`), or a failure of the
 * sandbox itself (`timeout`, `memory`, `crash`: the child was killed or died and is replaced).
 */
export type SandboxReply =
  | { ok: true; value: unknown }
  | { ok: false; reason: "error" | "timeout" | "memory" | "crash"; message: string };

/** What runs handler calls: a {@link Sandbox} (a lease per call) or a {@link SandboxLease}. */
export interface HandlerCaller {
  call(
    module: string,
    fn: string,
    args: unknown,
    state: unknown,
    opts?: { timeoutMs?: number },
  ): Promise<SandboxReply>;
}

const LOAD_TIMEOUT_MS = 30_000;

/** One place in the pool: a child being started and loaded (or why it could not be), and its leases. */
interface Slot {
  ready: Promise<SandboxChild | { error: string }>;
  open: number;
}

/**
 * A pool of permission-less Deno child processes running one environment's handler modules. Each
 * child locks its intrinsics down with SES and compiles the modules once; each lease (an episode's
 * phase) gets its own instance of every module, its own global object and its own timers there:
 * nothing a handler does — adding globals, trying to patch prototypes or built-ins (frozen),
 * leaving timers, printing — reaches another lease, and closing the lease drops them. Leases share
 * the `processes` children (the one with the fewest open leases takes a new one), and calls of
 * many leases are pipelined to a child, answered in order. `call()` outside a lease is a lease of
 * one call. A child killed mid-call (timeout, memory) is replaced by a spare; calls queued behind
 * the one that killed it run again in the replacement, and the killed call itself once more when
 * other leases had used that child (it may have been their doing), before its failure counts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Sandbox } from "./sandbox.ts";
 * const box = new Sandbox({ "m.ts": "let n = 0; export const add = () => ({ result: ++n });" });
 * const lease = box.lease();
 * const a = await lease.call("m.ts", "add", {}, {});
 * const b = await lease.call("m.ts", "add", {}, {});
 * await lease.close();
 * const c = await box.call("m.ts", "add", {}, {}); // another lease: a fresh module
 * assert.ok(a.ok && b.ok && c.ok);
 * assert.ok([a, b, c].map((r) => r.ok && (r.value as { result: number }).result).join() === "1,2,1");
 * await box.close();
 * ```
 */
export class Sandbox implements HandlerCaller {
  readonly limits: SandboxLimits;
  readonly #sources: Record<string, string>;
  readonly #size: number;
  readonly #env: Record<string, string>;
  readonly #slots: Slot[] = [];
  readonly #all = new Set<SandboxChild>();
  #closed = false;
  #exports: Promise<Record<string, string[]>> | undefined;
  #payload: Promise<Record<string, unknown>> | undefined;
  #leases = 0;
  #spare: Promise<SandboxChild | { error: string }> | undefined;

  constructor(
    modules: Record<string, string>,
    opts: { limits?: Partial<SandboxLimits>; processes?: number; env?: Record<string, string> } =
      {},
  ) {
    this.#sources = modules;
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.#size = Math.max(1, opts.processes ?? 2);
    this.#env = opts.env ?? {};
  }

  /** Process ids of the live children (for tests that check nothing is left). */
  get pids(): number[] {
    return [...this.#all].filter((c) => !c.dead).map((c) => c.pid);
  }

  /** The `DENO_DIR` of each live child (each its own, removed when the child ends). */
  get denoDirs(): string[] {
    return [...this.#all].filter((c) => !c.dead).map((c) => c.denoDir);
  }

  /** The functions each module exports; throws if a module fails to load. */
  exports(): Promise<Record<string, string[]>> {
    return this.#exports ??= (async () => {
      const c = await this.#slot(0).ready;
      if ("error" in c) throw new Error(c.error);
      return c.exports;
    })();
  }

  /**
   * The slot at `i`, with every slot of the pool started the first time one is asked for, and a
   * spare child that takes the place of the first one to die.
   */
  #slot(i: number): Slot {
    while (this.#slots.length < this.#size) {
      const slot: Slot = { ready: undefined as unknown as Slot["ready"], open: 0 };
      this.#fill(slot, this.#start());
      this.#slots.push(slot);
      this.#spare ??= this.#start();
    }
    return this.#slots[i];
  }

  /** Give `slot` a child (the spare, if one is ready to take), and another once it dies. */
  #fill(slot: Slot, ready = this.#spare ?? this.#start()) {
    if (ready === this.#spare) this.#spare = this.#start();
    slot.ready = ready;
    void ready.then((c) => {
      if ("error" in c) return;
      void c.exited.then(() => {
        if (!this.#closed && slot.ready === ready) this.#fill(slot);
      });
    });
  }

  /** Start a child and load the modules into it, or say why it could not. */
  async #start(): Promise<SandboxChild | { error: string }> {
    let c: SandboxChild;
    let payload: Record<string, unknown>;
    try {
      payload = await (this.#payload ??= handlerScripts(this.#sources).then((p) => ({
        t: "load",
        ...p,
      })));
    } catch (err) {
      return { error: (err as Error).message };
    }
    try {
      c = await SandboxChild.start(this.limits, this.#env);
    } catch (err) {
      return { error: `starting the sandbox: ${(err as Error).message}` };
    }
    this.#all.add(c);
    void c.exited.then(() => this.#all.delete(c));
    if (this.#closed) void c.close(0);
    const r = await c.request(payload, LOAD_TIMEOUT_MS);
    if (!("line" in r)) return { error: `loading the handlers: ${r.message}` };
    const body = JSON.parse(r.line) as { ok: boolean; error?: string; exports?: never };
    if (!body.ok) {
      c.kill("crash");
      return { error: String(body.error) };
    }
    c.exports = body.exports!;
    return c;
  }

  /** The child serving `lease` (a slot is picked at its first call), or why there is none. */
  async childOf(lease: { slot?: number }): Promise<SandboxChild | { error: string }> {
    for (let tries = 0; tries < 3; tries++) {
      if (this.#closed) return { error: "the sandbox is closed" };
      if (lease.slot === undefined) {
        this.#slot(0);
        let best = 0;
        for (let i = 1; i < this.#slots.length; i++) {
          if (this.#slots[i].open < this.#slots[best].open) best = i;
        }
        lease.slot = best;
        this.#slots[best].open++;
      }
      const slot = this.#slots[lease.slot];
      const ready = slot.ready;
      const c = await ready;
      if ("error" in c) return c;
      if (!c.dead) return c;
      if (slot.ready === ready && !this.#closed) this.#fill(slot);
    }
    return { error: "the sandbox's processes keep dying before their first call" };
  }

  /** A lease's end: its module instances and global object are dropped, its timers cancelled. */
  release(lease: { id: number; slot?: number }, child: SandboxChild | undefined): void {
    const slot = lease.slot === undefined ? undefined : this.#slots[lease.slot];
    if (slot) slot.open--;
    child?.notify({ t: "end", l: lease.id });
  }

  /** A lease: calls run one at a time in module instances no other lease touches, until `close()`. */
  lease(): SandboxLease {
    return new SandboxLease(this, this.#leases++);
  }

  /** Run `module#fn(args, state)` in a lease of its own. Never throws. */
  async call(
    module: string,
    fn: string,
    args: unknown,
    state: unknown,
    opts: { timeoutMs?: number } = {},
  ): Promise<SandboxReply> {
    const lease = this.lease();
    try {
      return await lease.call(module, fn, args, state, opts);
    } finally {
      void lease.close();
    }
  }

  /** Stop every child and remove their folders. */
  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#slots.splice(0);
    if (this.#spare) slots.push({ ready: this.#spare, open: 0 });
    await Promise.all(slots.map((s) => s.ready.then((c) => "error" in c ? undefined : c.close(0))));
    await Promise.all([...this.#all].map((c) => c.close(0)));
  }
}

/**
 * One episode phase's handler calls, with module instances and a global object of its own in one
 * of the sandbox's children (chosen at the first call, so a phase that calls no handler costs
 * nothing). Calls queue, one at
 * a time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Sandbox } from "./sandbox.ts";
 * const box = new Sandbox({ "m.ts": "export const f = () => { globalThis.x = 1; return { result: 1 }; };" });
 * const lease = box.lease();
 * assert.ok((await lease.call("m.ts", "f", {}, {})).ok);
 * await lease.close();
 * await box.close();
 * ```
 */
export class SandboxLease implements HandlerCaller {
  readonly #box: Sandbox;
  readonly id: number;
  slot: number | undefined;
  #child: SandboxChild | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  /** Calls made and not yet answered: the first of them starts at once, the rest queue. */
  #queued = 0;
  #closed = false;

  constructor(box: Sandbox, id: number) {
    this.#box = box;
    this.id = id;
  }

  /** Run `module#fn(args, state)` in this lease. Never throws: failures are replies. */
  call(
    module: string,
    fn: string,
    args: unknown,
    state: unknown,
    opts: { timeoutMs?: number } = {},
  ): Promise<SandboxReply> {
    // One at a time: a call made while another runs starts after it, however that one ended.
    const go = () => this.#call(module, fn, args, state, opts);
    const run = this.#queued++ === 0 ? go() : this.#tail.then(go, go);
    this.#tail = run;
    return run;
  }

  async #call(
    module: string,
    fn: string,
    args: unknown,
    state: unknown,
    opts: { timeoutMs?: number },
  ): Promise<SandboxReply> {
    let retried = false;
    try {
      for (let tries = 0; tries < 5; tries++) {
        if (this.#closed) return { ok: false, reason: "crash", message: "the lease is closed" };
        let child = this.#child;
        if (!child || child.dead) {
          const got = await this.#box.childOf(this);
          if ("error" in got) return { ok: false, reason: "crash", message: got.error };
          child = this.#child = got;
          child.leases.add(this.id);
        }
        const r = await child.request(
          { t: "call", l: this.id, m: module, f: fn, args, state },
          opts.timeoutMs ?? this.#box.limits.timeoutMs,
        );
        if ("line" in r) return parseReply(child, r.line);
        // Never ran (the child died while it waited): run it in the replacement.
        if (r.queued) continue;
        // It ran when the child died, which may be another lease's doing (a loop it left behind,
        // memory it holds): once more in the replacement before it counts as this call's failure.
        if (!retried && [...child.leases].some((id) => id !== this.id)) {
          retried = true;
          continue;
        }
        return { ok: false, reason: r.reason, message: r.message };
      }
      return { ok: false, reason: "crash", message: "the sandbox's processes keep dying" };
    } finally {
      this.#queued--;
    }
  }

  /** End this lease (after the call in flight, if any): its modules, globals and timers go. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tail.catch(() => {});
    this.#box.release(this, this.#child);
    this.#child = undefined;
  }
}

function parseReply(child: SandboxChild, line: string): SandboxReply {
  let body: { ok?: unknown; value?: unknown; error?: unknown; crash?: unknown };
  try {
    body = JSON.parse(line);
  } catch {
    child.kill("crash");
    return { ok: false, reason: "crash", message: "the sandbox sent a reply that is not JSON" };
  }
  if (typeof body !== "object" || body === null || typeof body.ok !== "boolean") {
    return { ok: false, reason: "crash", message: "the sandbox sent a reply of the wrong shape" };
  }
  if (body.ok) return { ok: true, value: body.value ?? null };
  if (body.crash !== undefined) return { ok: false, reason: "crash", message: child.overCap() };
  return { ok: false, reason: "error", message: String(body.error) };
}
