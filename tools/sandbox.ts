import {
  DEFAULT_LIMITS,
  RSS_ALLOWANCE_MB,
  sandboxArgs,
  SandboxChild,
  type SandboxLimits,
} from "./sandbox_child.ts";

export { DEFAULT_LIMITS, RSS_ALLOWANCE_MB, sandboxArgs, type SandboxLimits };

/**
 * How a sandboxed call ended: the handler's value, its thrown error (`error`), or a failure of the
 * sandbox itself (`timeout`, `memory`, `crash`: the child was killed or died and is replaced).
 */
export type SandboxReply =
  | { ok: true; value: unknown }
  | { ok: false; reason: "error" | "timeout" | "memory" | "crash"; message: string };

/** What runs handler calls: a {@link Sandbox} (a fresh child per call) or a {@link SandboxLease}. */
export interface HandlerCaller {
  call(
    module: string,
    fn: string,
    args: unknown,
    state: unknown,
    opts?: { timeoutMs?: number },
  ): Promise<SandboxReply>;
}

const LOAD_TIMEOUT_MS = 10_000;

/**
 * A pool of permission-less Deno child processes running one environment's handler modules, one
 * child per lease: an episode's phase leases a child of its own (started and loaded ahead, so it
 * answers at once), every call of the lease runs in it, and closing the lease kills it and removes
 * its temporary `DENO_DIR`. Nothing a handler does — replacing globals, patching prototypes,
 * leaving timers, printing — reaches another lease. `call()` outside a lease is a lease of one
 * call. A child killed mid-lease (timeout, memory, crash) is replaced on the lease's next call.
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
  readonly #modules: Record<string, string>;
  readonly #warmSize: number;
  readonly #env: Record<string, string>;
  /** Started children not yet leased, oldest first, each with its load in flight or done. */
  readonly #warm: { child: Promise<SandboxChild>; loaded: Promise<string | undefined> }[] = [];
  readonly #all = new Set<SandboxChild>();
  #closed = false;
  #exports: Promise<Record<string, string[]>> | undefined;

  constructor(
    modules: Record<string, string>,
    opts: { limits?: Partial<SandboxLimits>; processes?: number; env?: Record<string, string> } =
      {},
  ) {
    this.#modules = modules;
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.#warmSize = Math.max(1, opts.processes ?? 2);
    this.#env = opts.env ?? {};
  }

  /** Process ids of the live children, leased or warm (for tests that check nothing is left). */
  get pids(): number[] {
    return [...this.#all].filter((c) => !c.dead).map((c) => c.pid);
  }

  /** The `DENO_DIR` of each live child (each its own, removed when the child ends). */
  get denoDirs(): string[] {
    return [...this.#all].filter((c) => !c.dead).map((c) => c.denoDir);
  }

  /** The functions each module exports, from a child that stays warm; throws if a module fails. */
  exports(): Promise<Record<string, string[]>> {
    return this.#exports ??= (async () => {
      if (this.#warm.length === 0) this.#warm.push(this.#start());
      const first = this.#warm[0];
      const error = await first.loaded;
      if (error !== undefined) throw new Error(error);
      return (await first.child).exports;
    })();
  }

  /** Start a child and load the modules into it; `loaded` is the load error, if any. */
  #start() {
    const child = SandboxChild.start(this.limits, this.#env).then((c) => {
      this.#all.add(c);
      void c.exited.then(() => this.#all.delete(c));
      if (this.#closed) void c.close(0);
      return c;
    });
    void child.catch(() => {}); // its failure is `loaded`'s
    const loaded = child.then(async (c) => {
      const r = await c.request({ t: "load", modules: this.#modules }, LOAD_TIMEOUT_MS);
      if (!("line" in r)) return `loading the handlers: ${r.message}`;
      const body = JSON.parse(r.line) as { ok: boolean; error?: string; exports?: never };
      if (!body.ok) {
        c.kill("crash");
        return String(body.error);
      }
      c.exports = body.exports!;
      return undefined;
    }, (err) => `starting the sandbox: ${(err as Error).message}`);
    return { child, loaded };
  }

  /** Keep `processes` children warm while the sandbox is open. */
  #refill() {
    while (!this.#closed && this.#warm.length < this.#warmSize) this.#warm.push(this.#start());
  }

  /** A loaded child of its own for one lease, or why none could start. */
  async take(): Promise<SandboxChild | { error: string }> {
    for (let tries = 0; tries < 3; tries++) {
      if (this.#closed) return { error: "the sandbox is closed" };
      const next = this.#warm.shift() ?? this.#start();
      this.#refill();
      const error = await next.loaded;
      if (error !== undefined) return { error };
      const child = await next.child;
      if (!child.dead) return child;
    }
    return { error: "the sandbox's processes keep dying before their first call" };
  }

  /** A lease: calls run one at a time in a child no other lease touches, until `close()`. */
  lease(): SandboxLease {
    return new SandboxLease(this);
  }

  /** Run `module#fn(args, state)` in a fresh child (a lease of one call). Never throws. */
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

  /** Stop every child, leased or warm, and remove their folders. */
  async close(): Promise<void> {
    this.#closed = true;
    const warm = this.#warm.splice(0);
    await Promise.all(warm.map((w) => w.child.then((c) => c.close(0), () => {})));
    await Promise.all([...this.#all].map((c) => c.close(0)));
  }
}

/**
 * One episode phase's handler calls, in a child of its own (taken at the first call, so a phase
 * that calls no handler costs nothing). Calls queue, one at a time.
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
  #child: SandboxChild | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(box: Sandbox) {
    this.#box = box;
  }

  /** Run `module#fn(args, state)` in this lease's child. Never throws: failures are replies. */
  call(
    module: string,
    fn: string,
    args: unknown,
    state: unknown,
    opts: { timeoutMs?: number } = {},
  ): Promise<SandboxReply> {
    const run = this.#tail.then(() => this.#call(module, fn, args, state, opts));
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
    if (this.#closed) return { ok: false, reason: "crash", message: "the lease is closed" };
    if (!this.#child || this.#child.dead) {
      const got = await this.#box.take();
      if ("error" in got) return { ok: false, reason: "crash", message: got.error };
      if (this.#closed) {
        void got.close(0);
        return { ok: false, reason: "crash", message: "the lease is closed" };
      }
      this.#child = got;
    }
    const child = this.#child;
    const r = await child.request(
      { t: "call", m: module, f: fn, args, state },
      opts.timeoutMs ?? this.#box.limits.timeoutMs,
    );
    if (!("line" in r)) return { ok: false, ...r };
    let body: { ok?: unknown; value?: unknown; error?: unknown };
    try {
      body = JSON.parse(r.line);
    } catch {
      child.kill("crash");
      return { ok: false, reason: "crash", message: "the sandbox sent a reply that is not JSON" };
    }
    if (typeof body !== "object" || body === null || typeof body.ok !== "boolean") {
      return { ok: false, reason: "crash", message: "the sandbox sent a reply of the wrong shape" };
    }
    return body.ok
      ? { ok: true, value: body.value ?? null }
      : { ok: false, reason: "error", message: String(body.error) };
  }

  /** Kill this lease's child (after the call in flight, if any) and remove its folder. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tail.catch(() => {});
    await this.#child?.close(0);
    this.#child = undefined;
  }
}
