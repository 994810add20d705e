import { fileURLToPath } from "node:url";
import { replyNonceOf } from "./_reply_nonce.ts";

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
  /**
   * Bytes a call may print on stdout, and apart on stderr (its reply aside); past either the child
   * is killed and the call fails as a crash, so a flood costs the parent nothing.
   */
  outputBytes: number;
}

/** Resident memory the Deno runtime itself needs beyond the heap limit, MiB. */
export const RSS_ALLOWANCE_MB = 128;

/** The default limits: one second per call, a 128 MiB heap, 1 MiB of output per stream. */
export const DEFAULT_LIMITS: SandboxLimits = {
  timeoutMs: 1000,
  memoryMb: 128,
  outputBytes: 1024 * 1024,
};

const HOST = fileURLToPath(new URL("./sandbox_host.ts", import.meta.url));
/** A reply line longer than this (a handler's value as JSON) is a crash. */
const MAX_REPLY = 64 * 1024 * 1024;
/** What the child's watchdog writes to stderr when its resident memory is over the cap. */
const MEMORY_MARK = "@@tooltrial-memory";
const NEWLINE = 10;

/**
 * Whether this process can read its children's resident memory from `/proc` (Linux, with read
 * permission): then it watches them itself, and children start without their own watchdog thread
 * (a worker costs each child about a third of its start-up).
 */
let procWatch: boolean | undefined;
function canWatchFromParent(): boolean {
  if (procWatch === undefined) {
    try {
      procWatch = /VmRSS:/.test(Deno.readTextFileSync("/proc/self/status"));
    } catch {
      procWatch = false;
    }
  }
  return procWatch;
}

/** Resident memory of a process in bytes, from `/proc`; undefined once it is gone. */
function residentBytes(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `deno run` flags of a sandbox child: no permission of any kind, nothing fetched. The last two
 * arguments are the resident-memory cap its own watchdog thread enforces (0 when the parent
 * watches) and the console bytes a call may print.
 */
export function sandboxArgs(
  limits: Pick<SandboxLimits, "memoryMb" | "outputBytes">,
  opts: { watchdog?: boolean } = {},
): string[] {
  return [
    "run",
    "--no-prompt",
    "--no-config",
    "--no-lock",
    "--cached-only",
    "--no-npm",
    "--no-remote",
    "--no-code-cache",
    `--v8-flags=--max-old-space-size=${limits.memoryMb}`,
    HOST,
    String(opts.watchdog === false ? 0 : limits.memoryMb + RSS_ALLOWANCE_MB),
    String(limits.outputBytes),
  ];
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/**
 * The nonce a child's reply to its `k`-th request (from 0) starts with: the first 16 bytes of
 * SHA-256(key ‖ k as 8 bytes big-endian), in hex. The child derives the same from the key it read
 * before loading handler code, so requests carry no nonce a handler could read off stdin.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { replyNonce } from "./sandbox_child.ts";
 * const n = replyNonce(new Uint8Array(32), 0);
 * assert.ok(n === "2c34ce1df23b838c5abf2a7f6437cca3");
 * ```
 */
export function replyNonce(key: Uint8Array, k: number): string {
  return replyNonceOf(keyWords(key), k);
}

/** A 32-byte key as the eight big-endian words {@link replyNonceOf} takes. */
function keyWords(key: Uint8Array): Uint32Array {
  const view = new DataView(key.buffer, key.byteOffset, 32);
  return Uint32Array.from({ length: 8 }, (_, i) => view.getUint32(i * 4));
}

const DIR_PREFIX = "tooltrial-handler-";
let swept: Promise<void> | undefined;
const ORPHAN_AGE_MS = 60 * 60 * 1000;

/**
 * Remove the children's folders left by sandbox parents that died without closing (killed, or an
 * uncaught error): each folder is named after its parent's pid, and one whose pid no longer runs,
 * untouched for an hour, is an orphan. Needs `/proc` (Linux); elsewhere, or without read permission, nothing is swept.
 *
 * @example
 * ```ts
 * import { sweepOrphans } from "./sandbox_child.ts";
 * await sweepOrphans(); // what the first child of a process does before it starts
 * ```
 */
export async function sweepOrphans(tmp?: string): Promise<void> {
  if (!canWatchFromParent()) return;
  try {
    tmp ??= Deno.env.get("TMPDIR") || "/tmp";
    for await (const e of Deno.readDir(tmp)) {
      const pid = new RegExp(`^${DIR_PREFIX}(\\d+)-`).exec(e.name)?.[1];
      if (!e.isDirectory || !pid || Number(pid) === Deno.pid) continue;
      const alive = await Deno.stat(`/proc/${pid}`).then(
        () => true,
        (err) => !(err instanceof Deno.errors.NotFound),
      );
      // An hour's grace: a parent in another pid namespace sharing this folder looks dead too.
      const age = Date.now() - ((await Deno.stat(`${tmp}/${e.name}`)).mtime?.getTime() ?? 0);
      if (!alive && age > ORPHAN_AGE_MS) {
        await Deno.remove(`${tmp}/${e.name}`, { recursive: true }).catch(() => {});
      }
    }
  } catch { /* no listing: nothing to sweep */ }
}

/**
 * How a request ended when no reply came. `queued`: the child died while this request waited
 * behind another one, so it never ran and may be sent again elsewhere.
 */
export type ChildFailure = {
  reason: "timeout" | "memory" | "crash";
  message: string;
  queued?: boolean;
};

const mib = (n: number) =>
  n % (1024 * 1024) === 0 ? `${n / 1024 / 1024} MiB` : `${n.toLocaleString("en")} bytes`;

/** A request sent and not yet answered; its clock starts when it reaches the head of the queue. */
interface Pending {
  k: number;
  prefix: Uint8Array;
  timeoutMs: number;
  resolve: (line: string | null) => void;
  started: boolean;
}

/**
 * One sandbox child process, with its own empty temporary `DENO_DIR` (removed when it exits) in
 * which `location_data` is a file, so web storage has nowhere to go. Requests may be pipelined:
 * the child answers them in order, and each one's time limit starts when the one before it is
 * answered. stdout is read as bytes and only reply lines are kept; the console output of the call
 * being answered is tagged with its number, so a crash message quotes that call's own output only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LIMITS, SandboxChild } from "./sandbox_child.ts";
 * import { handlerScripts } from "./_handler_scripts.ts";
 * const child = await SandboxChild.start(DEFAULT_LIMITS, {});
 * const load = await handlerScripts({ "m.ts": "export const f = () => 1;" });
 * const r = await child.request({ t: "load", ...load }, 10_000);
 * assert.ok("line" in r && JSON.parse(r.line).exports["m.ts"][0] === "f");
 * await child.close();
 * ```
 */
export class SandboxChild {
  readonly #proc: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #limits: SandboxLimits;
  /** This child's DENO_DIR. */
  readonly denoDir: string;
  /** The functions each loaded module exports (set by the sandbox after loading). */
  exports: Record<string, string[]> = {};
  /** Every lease that has sent this child a call (the sandbox keeps it). */
  readonly leases: Set<number> = new Set();
  /** Leases open on this child now (the sandbox keeps it). */
  open = 0;
  readonly #pending: Pending[] = [];
  // The stdout line being read: undecided (maybe a reply), a reply, or other output.
  #mode: "undecided" | "reply" | "other" = "undecided";
  #matched = 0;
  #reply: Uint8Array[] = [];
  #replyBytes = 0;
  // For the request at the head: output counted against the cap, and its stderr tail.
  #outBytes = 0;
  #errBytes = 0;
  #errLine = "";
  #stderrTail = "";
  #killedFor: "timeout" | "memory" | "crash" | "stdout" | "stderr" | undefined;
  /** The key reply nonces derive from, sent with the first request (before handler code loads). */
  readonly #key = crypto.getRandomValues(new Uint8Array(32));
  readonly #keyWords = keyWords(this.#key);
  #sent = 0;
  readonly #encoder = new TextEncoder();
  readonly #decoder = new TextDecoder();
  /** Request lines not yet written (see `#send`). */
  #unsent = "";
  /** The writes under way (or about to start), while there are any. */
  #writing: Promise<void> | undefined;
  /**
   * When the request at the head runs out of time (`performance.now()`), and the one timer that
   * checks it: re-armed only when it fires early or a shorter deadline comes, not once per call.
   */
  #deadline = Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerDue = Infinity;
  dead = false;
  readonly exited: Promise<void>;

  private constructor(limits: SandboxLimits, env: Record<string, string>, denoDir: string) {
    this.#limits = limits;
    this.denoDir = denoDir;
    const parentWatches = canWatchFromParent();
    this.#proc = new Deno.Command(Deno.execPath(), {
      args: sandboxArgs(limits, { watchdog: !parentWatches }),
      clearEnv: true,
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...env, DENO_DIR: denoDir },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdin = this.#proc.stdin.getWriter();
    void this.#read(this.#proc.stdout, (b) => this.#onStdout(b));
    const dec = new TextDecoder();
    void this.#read(this.#proc.stderr, (b) => {
      // The child caps each call's console output itself; this is the backstop.
      this.#errBytes += b.length;
      if (this.#errBytes > 2 * this.#limits.outputBytes + 65536) return this.kill("stderr");
      const lines = (this.#errLine + dec.decode(b, { stream: true })).split("\n");
      this.#errLine = lines.pop()!.slice(-4096);
      for (const line of lines) this.#onStderrLine(line);
    });
    // Buffers live outside the V8 heap limit: resident memory is watched too, also between calls.
    // Every 20 ms during a call, every 200 ms between calls.
    let tick = 0;
    const watch = parentWatches
      ? setInterval(() => {
        if (this.#pending.length === 0 && ++tick % 10 !== 0) return;
        const rss = residentBytes(this.#proc.pid);
        if (rss !== undefined && rss > (limits.memoryMb + RSS_ALLOWANCE_MB) * 1024 * 1024) {
          this.kill("memory");
        }
      }, 20)
      : undefined;
    if (watch !== undefined) Deno.unrefTimer(watch);
    this.exited = this.#proc.status.then(async () => {
      clearInterval(watch);
      clearTimeout(this.#timer);
      this.dead = true;
      this.#failAll();
      await Deno.remove(denoDir, { recursive: true }).catch(() => {});
    });
  }

  /** Start a child with its own empty `DENO_DIR` (`env` may not replace it). */
  static async start(limits: SandboxLimits, env: Record<string, string>): Promise<SandboxChild> {
    swept ??= sweepOrphans();
    await swept;
    const dir = await Deno.makeTempDir({ prefix: `${DIR_PREFIX}${Deno.pid}-` });
    // A file where Deno keeps web storage: localStorage and caches cannot create their folders.
    await Deno.writeTextFile(`${dir}/location_data`, "");
    try {
      return new SandboxChild(limits, env, dir);
    } catch (err) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      throw err;
    }
  }

  get pid(): number {
    return this.#proc.pid;
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.#pending.length;
  }

  /**
   * Read `stream` into one buffer, reused from read to read (a plain read allocates 64 KiB for
   * each, that is for each reply): `on` must copy what it keeps of a chunk past its return.
   */
  async #read(stream: ReadableStream<Uint8Array>, on: (b: Uint8Array) => void) {
    const reader = stream.getReader({ mode: "byob" });
    let buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const { value, done } = await reader.read(buffer);
        if (done || !value) break;
        on(value);
        buffer = new Uint8Array(value.buffer);
      }
    } catch { /* the child is gone */ }
  }

  /** A stderr line: a call's console output (tagged `@@k `) or the runtime's own (untagged). */
  #onStderrLine(line: string) {
    const tag = /^@@(\d+) /.exec(line);
    if (!tag && line === MEMORY_MARK) return this.kill("memory");
    if ((tag && Number(tag[1]) !== this.#pending[0]?.k) || line === "") return;
    this.#stderrTail = (this.#stderrTail + "\n" + (tag ? line.slice(tag[0].length) : line))
      .slice(-2000);
  }

  #onStdout(chunk: Uint8Array) {
    let start = 0;
    while (start < chunk.length && !this.dead) {
      const nl = chunk.indexOf(NEWLINE, start);
      this.#take(chunk.subarray(start, nl < 0 ? chunk.length : nl));
      if (nl < 0) break;
      this.#endLine();
      start = nl + 1;
    }
    // A reply line that goes on in the next read: keep its part of this chunk (the buffer is reused).
    const last = this.#reply.length - 1;
    if (last >= 0 && this.#reply[last].buffer === chunk.buffer) {
      this.#reply[last] = this.#reply[last].slice();
    }
  }

  /** Part of a line: matched against the awaited reply's prefix, kept if a reply, else counted. */
  #take(part: Uint8Array) {
    if (part.length === 0) return;
    if (this.#mode === "undecided") {
      const prefix = this.#pending[0]?.prefix;
      let i = 0;
      while (prefix && i < part.length && this.#matched < prefix.length) {
        if (part[i] !== prefix[this.#matched]) break;
        i++;
        this.#matched++;
      }
      if (prefix && this.#matched === prefix.length) {
        this.#mode = "reply";
        part = part.subarray(i);
      } else if (prefix && i === part.length) {
        return; // still a prefix of the reply marker
      } else {
        this.#mode = "other";
        const seen = this.#matched - i + part.length;
        this.#matched = 0;
        this.#count(seen);
        return;
      }
    }
    if (this.#mode === "other") return this.#count(part.length);
    if (part.length === 0) return;
    // A reply within one read is decoded where it lies; `#onStdout` copies one that goes on.
    this.#reply.push(part);
    this.#replyBytes += part.length;
    if (this.#replyBytes > MAX_REPLY) this.kill("crash");
  }

  #endLine() {
    const head = this.#pending[0];
    if (this.#mode === "reply" && head) {
      let bytes = this.#reply[0] ?? new Uint8Array(0);
      if (this.#reply.length > 1) {
        bytes = new Uint8Array(this.#replyBytes);
        let off = 0;
        for (const p of this.#reply) {
          bytes.set(p, off);
          off += p.length;
        }
      }
      this.#pending.shift();
      this.#deadline = Infinity;
      head.resolve(this.#decoder.decode(bytes));
      this.#startHead();
    } else this.#count(this.#matched + 1);
    this.#mode = "undecided";
    this.#matched = 0;
    this.#reply = [];
    this.#replyBytes = 0;
  }

  #count(n: number) {
    this.#outBytes += n;
    if (this.#outBytes > this.#limits.outputBytes) this.kill("stdout");
  }

  /** The request at the head runs now: its clock starts and output counts afresh. */
  #startHead() {
    const head = this.#pending[0];
    if (!head || head.started) return;
    head.started = true;
    this.#outBytes = 0;
    this.#errBytes = 0;
    this.#stderrTail = "";
    this.#deadline = performance.now() + head.timeoutMs;
    if (this.#deadline < this.#timerDue) this.#arm(head.timeoutMs);
  }

  /** (Re)start the deadline timer to fire in `ms`. */
  #arm(ms: number) {
    clearTimeout(this.#timer);
    this.#timerDue = performance.now() + ms;
    this.#timer = setTimeout(() => this.#onTimer(), ms);
  }

  /** The timer fired: the head is out of time, or it fired for an earlier one and waits again. */
  #onTimer() {
    this.#timer = undefined;
    this.#timerDue = Infinity;
    if (this.#deadline === Infinity || this.dead) return;
    const left = this.#deadline - performance.now();
    if (left <= 0) this.kill("timeout");
    else this.#arm(left);
  }

  #failAll() {
    for (const p of this.#pending.splice(0)) p.resolve(null);
  }

  /**
   * Write a request line. Lines go out together: those sent in the same turn (the next calls of
   * every lease whose reply came in one read) once the turn's microtasks have run, and those sent
   * while a write is under way after it.
   */
  #send(line: string) {
    this.#unsent += line;
    this.#writing ??= Promise.resolve().then(() => this.#flush());
  }

  async #flush() {
    while (this.#unsent !== "" && !this.dead) {
      const bytes = this.#encoder.encode(this.#unsent);
      this.#unsent = "";
      try {
        await this.#stdin.write(bytes);
      } catch {
        this.kill("crash");
      }
    }
    this.#unsent = "";
    this.#writing = undefined;
  }

  kill(why: "timeout" | "memory" | "crash" | "stdout" | "stderr") {
    if (this.dead) return;
    this.#killedFor ??= why;
    this.dead = true;
    try {
      this.#proc.kill("SIGKILL");
    } catch { /* already gone */ }
  }

  /** Send a request that gets no reply (a lease's end). */
  notify(msg: Record<string, unknown>): void {
    if (this.dead) return;
    this.#send(JSON.stringify(msg) + "\n");
  }

  /**
   * Send one request and wait for its reply line; its `timeoutMs` counts from when the requests
   * sent before it are answered.
   */
  async request(
    msg: Record<string, unknown>,
    timeoutMs: number,
  ): Promise<{ line: string } | ChildFailure> {
    if (this.dead) return { reason: "crash", message: "the sandbox process is gone", queued: true };
    const k = this.#sent++;
    if (k === 0) msg = { ...msg, key: hex(this.#key) };
    let entry!: Pending;
    const got = new Promise<string | null>((resolve) => {
      const prefix = this.#encoder.encode(`@@${replyNonceOf(this.#keyWords, k)} `);
      entry = { k, prefix, timeoutMs, resolve, started: false };
    });
    this.#pending.push(entry);
    this.#startHead();
    this.#send(JSON.stringify(msg) + "\n");
    const line = await got;
    if (line !== null) return { line };
    await this.#proc.status;
    if (!entry.started) {
      return { reason: "crash", message: "the sandbox process died", queued: true };
    }
    return this.#failure(timeoutMs);
  }

  #failure(timeoutMs: number): ChildFailure {
    const why = this.#killedFor ?? "crash";
    const tail = this.#stderrTail.trim().split("\n").filter((l) => l.trim()).slice(-3).join(" | ");
    const outOfMemory = /out of memory|heap limit|allocation failed/i.test(this.#stderrTail);
    if (why === "timeout") {
      const printed = tail ? ` (its last output: ${tail.slice(-300)})` : "";
      return { reason: "timeout", message: `did not answer within ${timeoutMs} ms${printed}` };
    }
    if (why === "memory" || outOfMemory) {
      return {
        reason: "memory",
        message: `went over its memory limit (${this.#limits.memoryMb} MiB heap)`,
      };
    }
    if (why === "stdout" || why === "stderr") {
      return {
        reason: "crash",
        message: `printed more than ${
          mib(this.#limits.outputBytes)
        } on ${why} in one call (the sandbox's output cap)`,
      };
    }
    return {
      reason: "crash",
      message: `the sandbox process died${tail ? `: ${tail.slice(0, 300)}` : ""}`,
    };
  }

  /** The message of a call that printed past the cap (the child refused the rest). */
  overCap(): string {
    return `printed more than ${
      mib(this.#limits.outputBytes)
    } on the console in one call (the sandbox's output cap)`;
  }

  /** End the child (closing its input first, killing it if it lingers) and remove its folder. */
  async close(graceMs = 1000) {
    await this.#writing; // what was sent goes out first (a lease's end, say)
    try {
      await this.#stdin.close();
    } catch { /* gone */ }
    const quit = setTimeout(() => this.kill("crash"), graceMs);
    await this.exited;
    clearTimeout(quit);
  }
}
