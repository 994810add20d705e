import { fileURLToPath } from "node:url";

/** Limits of a handler sandbox. */
export interface SandboxLimits {
  /** Wall-clock limit per call (the child is killed past it). */
  timeoutMs: number;
  /**
   * V8 heap limit of the child, MiB. Buffers live outside that heap, so a watchdog thread in the
   * child also watches its resident memory, and the child is killed past `memoryMb` +
   * {@link RSS_ALLOWANCE_MB}.
   */
  memoryMb: number;
}

/** Resident memory the Deno runtime itself needs beyond the heap limit, MiB. */
export const RSS_ALLOWANCE_MB = 128;

/** The default limits: one second per call, a 128 MiB heap. */
export const DEFAULT_LIMITS: SandboxLimits = { timeoutMs: 1000, memoryMb: 128 };

/**
 * How a sandboxed call ended: the handler's value, its thrown error (`error`), or a failure of the
 * sandbox itself (`timeout`, `memory`, `crash`: the child was killed or died and is replaced).
 */
export type SandboxReply =
  | { ok: true; value: unknown }
  | { ok: false; reason: "error" | "timeout" | "memory" | "crash"; message: string };

const HOST = fileURLToPath(new URL("./sandbox_host.ts", import.meta.url));
/** Output that is not a reply and never ends in a newline is cut off past this (a flood). */
const MAX_LINE = 64 * 1024 * 1024;
const LOAD_TIMEOUT_MS = 10_000;
/** What the child's watchdog writes to stderr when its resident memory is over the cap. */
const MEMORY_MARK = "@@tooltrial-memory";

/** The `deno run` flags of a sandbox child: no permission of any kind, nothing fetched. */
export function sandboxArgs(limits: SandboxLimits): string[] {
  return [
    "run",
    "--no-prompt",
    "--no-config",
    "--no-lock",
    "--cached-only",
    "--no-npm",
    "--no-remote",
    `--v8-flags=--max-old-space-size=${limits.memoryMb}`,
    HOST,
    String(limits.memoryMb + RSS_ALLOWANCE_MB),
  ];
}

/** One child process: handles one call at a time. */
class Child {
  readonly #proc: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #limits: SandboxLimits;
  #buffer = "";
  #stderrTail = "";
  #waiting: { nonce: string; resolve: (line: string | null) => void } | undefined;
  /** The functions each loaded module exports. */
  exports: Record<string, string[]> = {};
  #killedFor: "timeout" | "memory" | "crash" | undefined;
  dead = false;
  readonly exited: Promise<void>;

  constructor(limits: SandboxLimits, env: Record<string, string>) {
    this.#limits = limits;
    this.#proc = new Deno.Command(Deno.execPath(), {
      args: sandboxArgs(limits),
      clearEnv: true,
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...env },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdin = this.#proc.stdin.getWriter();
    void this.#read(this.#proc.stdout, (s) => this.#onStdout(s));
    void this.#read(this.#proc.stderr, (s) => {
      this.#stderrTail = (this.#stderrTail + s).slice(-2000);
      // The child's own watchdog thread says its resident memory went over the cap.
      if (this.#stderrTail.includes(MEMORY_MARK)) this.kill("memory");
    });
    this.exited = this.#proc.status.then(() => {
      this.dead = true;
      this.#waiting?.resolve(null);
    });
  }

  get pid(): number {
    return this.#proc.pid;
  }

  async #read(stream: ReadableStream<Uint8Array>, on: (s: string) => void) {
    const dec = new TextDecoder();
    try {
      for await (const chunk of stream) on(dec.decode(chunk, { stream: true }));
    } catch { /* the child is gone */ }
  }

  #onStdout(s: string) {
    this.#buffer += s;
    let nl: number;
    while ((nl = this.#buffer.indexOf("\n")) >= 0) {
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + 1);
      const w = this.#waiting;
      const prefix = w ? `@@${w.nonce} ` : undefined;
      if (w && prefix && line.startsWith(prefix)) {
        this.#waiting = undefined;
        w.resolve(line.slice(prefix.length));
      }
    }
    if (this.#buffer.length > MAX_LINE) this.kill("crash");
  }

  kill(why: "timeout" | "memory" | "crash") {
    if (this.dead) return;
    this.#killedFor ??= why;
    this.dead = true;
    try {
      this.#proc.kill("SIGKILL");
    } catch { /* already gone */ }
    this.#waiting?.resolve(null);
  }

  /** Send one request and wait for its reply line, within `timeoutMs`. */
  async request(
    msg: Record<string, unknown>,
    timeoutMs: number,
  ): Promise<{ line: string } | { reason: "timeout" | "memory" | "crash"; message: string }> {
    if (this.dead) return { reason: "crash", message: "the sandbox process is gone" };
    const nonce = crypto.randomUUID();
    const got = new Promise<string | null>((resolve) => (this.#waiting = { nonce, resolve }));
    const timer = setTimeout(() => this.kill("timeout"), timeoutMs);
    try {
      await this.#stdin.write(new TextEncoder().encode(JSON.stringify({ ...msg, n: nonce }) + "\n"))
        .catch(() => this.kill("crash"));
      const line = await got;
      if (line !== null) return { line };
    } finally {
      clearTimeout(timer);
    }
    await this.exited;
    const why = this.#killedFor ?? "crash";
    const tail = this.#stderrTail.trim().split("\n").filter((l) => l.trim()).slice(-3).join(" | ");
    const outOfMemory = /out of memory|heap limit|allocation failed/i.test(this.#stderrTail);
    if (why === "timeout") {
      return { reason: "timeout", message: `did not answer within ${timeoutMs} ms` };
    }
    if (why === "memory" || outOfMemory) {
      return {
        reason: "memory",
        message: `went over its memory limit (${this.#limits.memoryMb} MiB heap)`,
      };
    }
    return {
      reason: "crash",
      message: `the sandbox process died${tail ? `: ${tail.slice(0, 300)}` : ""}`,
    };
  }

  async close() {
    try {
      await this.#stdin.close();
    } catch { /* gone */ }
    const quit = setTimeout(() => this.kill("crash"), 1000);
    await this.exited;
    clearTimeout(quit);
  }
}

/**
 * A pool of permission-less Deno child processes running one environment's handler modules.
 * Calls queue for a free child, one call per child at a time (so one handler's timeout or crash
 * never fails another episode's call); a killed child is replaced on the next call.
 *
 * @example
 * ```ts
 * import { Sandbox } from "./sandbox.ts";
 * const box = new Sandbox({ "m.ts": "export const add = (a: { x: number }) => ({ result: a.x + 1 });" });
 * const r = await box.call("m.ts", "add", { x: 1 }, {});
 * console.assert(r.ok && (r.value as { result: number }).result === 2);
 * await box.close();
 * ```
 */
export class Sandbox {
  readonly limits: SandboxLimits;
  readonly #modules: Record<string, string>;
  readonly #size: number;
  readonly #env: Record<string, string>;
  readonly #idle: Child[] = [];
  readonly #all = new Set<Child>();
  readonly #queue: ((c: Child | undefined) => void)[] = [];
  #starting = 0;
  #closed = false;
  #exports: Promise<Record<string, string[]>> | undefined;

  constructor(
    modules: Record<string, string>,
    opts: { limits?: Partial<SandboxLimits>; processes?: number; env?: Record<string, string> } =
      {},
  ) {
    this.#modules = modules;
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.#size = Math.max(1, opts.processes ?? 2);
    this.#env = opts.env ?? {};
  }

  /** Process ids of the live children (for tests that check nothing is left behind). */
  get pids(): number[] {
    return [...this.#all].filter((c) => !c.dead).map((c) => c.pid);
  }

  /** The functions each module exports, from a fresh child; throws if a module fails to load. */
  exports(): Promise<Record<string, string[]>> {
    return this.#exports ??= (async () => {
      const child = await this.#acquire();
      this.#release(child);
      return child.exports;
    })();
  }

  async #load(child: Child): Promise<{ exports: Record<string, string[]> } | { error: string }> {
    const r = await child.request({ t: "load", modules: this.#modules }, LOAD_TIMEOUT_MS);
    if (!("line" in r)) return { error: `loading the handlers: ${r.message}` };
    const body = JSON.parse(r.line) as { ok: boolean; error?: string; exports?: never };
    return body.ok ? { exports: body.exports! } : { error: body.error! };
  }

  async #acquire(): Promise<Child> {
    for (;;) {
      if (this.#closed) throw new Error("the sandbox is closed");
      const idle = this.#idle.pop();
      if (idle && !idle.dead) return idle;
      if (idle) continue;
      const live = [...this.#all].filter((c) => !c.dead).length;
      if (live + this.#starting < this.#size) {
        this.#starting++;
        let child: Child;
        try {
          child = new Child(this.limits, this.#env);
        } finally {
          this.#starting--;
        }
        this.#all.add(child);
        void child.exited.then(() => this.#all.delete(child));
        const r = await this.#load(child);
        if ("error" in r) {
          child.kill("crash");
          this.#queue.shift()?.(undefined); // a waiter may start the next child
          throw new Error(r.error);
        }
        child.exports = r.exports;
        return child;
      }
      const next = await new Promise<Child | undefined>((resolve) => this.#queue.push(resolve));
      if (next) return next;
    }
  }

  #release(child: Child) {
    const waiter = this.#queue.shift();
    if (waiter) waiter(child.dead ? undefined : child);
    else if (!child.dead) this.#idle.push(child);
  }

  /** Run `module#fn(args, state)` in a child. Never throws: failures are replies. */
  async call(
    module: string,
    fn: string,
    args: unknown,
    state: unknown,
    opts: { timeoutMs?: number } = {},
  ): Promise<SandboxReply> {
    let child: Child;
    try {
      child = await this.#acquire();
    } catch (err) {
      return { ok: false, reason: "crash", message: (err as Error).message };
    }
    try {
      const r = await child.request(
        { t: "call", m: module, f: fn, args, state },
        opts.timeoutMs ?? this.limits.timeoutMs,
      );
      if (!("line" in r)) return { ok: false, ...r };
      let body: { ok: boolean; value?: unknown; error?: string };
      try {
        body = JSON.parse(r.line);
      } catch {
        child.kill("crash");
        return { ok: false, reason: "crash", message: "the sandbox sent a reply that is not JSON" };
      }
      return body.ok
        ? { ok: true, value: body.value }
        : { ok: false, reason: "error", message: String(body.error) };
    } finally {
      this.#release(child);
    }
  }

  /** Stop every child (idle ones exit on end of input; busy ones are killed). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#queue.splice(0)) w(undefined);
    await Promise.all([...this.#all].map((c) => c.close()));
  }
}
