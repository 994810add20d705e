/**
 * The handler sandbox's child process: run by `deno run` with no `--allow-*` flag at all, it serves
 * many leases (episode phases) of one environment, each with its own module instances, global
 * object and timers over a frozen SES compartment, and answers calls as JSON lines. It imports
 * only a sibling file (the reply nonce's arithmetic), so it starts with an empty Deno cache,
 * offline: the SES shim's source and the handler modules (already turned into plain scripts by the
 * parent) come with the first request.
 *
 * Protocol, one JSON object per stdin line:
 * - `{"t":"load","key":HEX,"ses":"SOURCE","modules":{"KEY":"SCRIPT"}}` →
 *   `{"ok":true,"exports":{"KEY":["fn"]}}`: evaluate SES, `lockdown()`, try each module once.
 * - `{"t":"call","l":LEASE,"m":"KEY","f":"fn","args":{…},"state":{…}}` → `{"ok":true,"value":…}`,
 *   `{"ok":false,"error":"message"}` when the handler threw, or `{"ok":false,"crash":"message"}`
 *   when it printed past the cap. A lease's first call makes its global object.
 * - `{"t":"end","l":LEASE}` (no reply): drop the lease's modules and global, cancel its timers.
 * Requests may be pipelined: they are read with a blocking read and answered one at a time, in
 * order. Each reply is written as "\n@@NONCE " + JSON + "\n": the nonce of the k-th reply (from 0)
 * is the first 16 bytes of SHA-256(key ‖ k), in hex, derived from a key read before any handler
 * code loads; requests carry none.
 *
 * Isolation between leases of one child: after `lockdown()` every intrinsic (`Object.prototype`,
 * `String`, `JSON`, …) is frozen, and so is the global object of the one compartment the modules
 * are compiled in, so nothing shared can be poisoned; each lease calls the compiled module with its
 * own `exports`, its own global object (the frozen one its prototype) and its own timers, so module
 * state and added globals stay in it. Handlers see no `Deno`, `fetch`, `Worker`, storage or
 * `process`; their timers run only during the lease's own calls and end with it; their console is
 * capped per call. The host captured what it uses before any of this.
 * @module
 */
import { replyNonceOf } from "./_reply_nonce.ts";

// Captured before any user code runs: handlers may replace globals, but not these references.
const uncurry = Function.prototype.bind.bind(Function.prototype.call) as <A extends unknown[], R>(
  f: (...a: A) => R,
) => (self: unknown, ...a: A) => R;
const S = String;
const stringify = JSON.stringify;
const parse = JSON.parse;
const objectKeys = Object.keys;
const indexOf = uncurry(String.prototype.indexOf);
const slice = uncurry(String.prototype.slice);
const trim = uncurry(String.prototype.trim);
const subarray = uncurry(Uint8Array.prototype.subarray);
const byteLength = uncurry(
  Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), "length")!.get!,
) as (a: Uint8Array) => number;
const stdoutWrite = Deno.stdout.writeSync.bind(Deno.stdout);
const stderrWrite = Deno.stderr.writeSync.bind(Deno.stderr);
const stdinRead = Deno.stdin.readSync.bind(Deno.stdin);
const exit = Deno.exit;
const encoder = new TextEncoder();
const encode = encoder.encode.bind(encoder);
const decoder = new TextDecoder();
const decode = decoder.decode.bind(decoder);
const ErrorClass = Error;

const KEY = new Uint32Array(8);
let requests = 0;

// Lock stdin's stream so nothing else can take it over (the host reads the fd directly).
Deno.stdin.readable.getReader();
const hostSetTimeout = setTimeout;
const hostClearTimeout = clearTimeout;
const hostQueueMicrotask = queueMicrotask;
const indirectEval = eval;
const now = performance.now.bind(performance);

// Host and SES diagnostics go to stderr: stdout carries replies only.
const toStderr = (...parts: unknown[]) => {
  try {
    writeAll(stderrWrite, encode(join(parts) + "\n"));
  } catch { /* stderr is gone */ }
};
for (const k of ["log", "info", "debug", "warn", "error", "trace"] as const) console[k] = toStderr;
// A promise a handler left rejected, or an error thrown where no call catches it, would end the
// process (and every lease in it): they are the handler's problem, not the process's.
addEventListener("unhandledrejection", (e) => e.preventDefault());
addEventListener("error", (e) => e.preventDefault());

// Buffers live outside the V8 heap limit, and a busy handler blocks this thread: a worker thread
// watches the process's resident memory and tells the parent (on stderr) to kill it.
const capMb = Number(Deno.args[0] ?? 0);
if (capMb > 0) {
  const watch = `const cap = ${capMb} * 1024 * 1024;
setInterval(() => {
  if (Deno.memoryUsage().rss > cap) {
    Deno.stderr.writeSync(new TextEncoder().encode("\\n@@tooltrial-memory\\n"));
  }
}, 20);`;
  new Worker(`data:text/javascript,${encodeURIComponent(watch)}`, { type: "module" });
}
/** Bytes of console output one call may print; past it the call fails as a crash. */
const outputCap = Number(Deno.args[1] ?? 1024 * 1024);

function writeAll(write: (b: Uint8Array) => number, bytes: Uint8Array): void {
  const n = byteLength(bytes);
  let off = 0;
  while (off < n) off += write(subarray(bytes, off));
}

function reply(nonce: string, body: Record<string, unknown>): void {
  let text: string;
  try {
    text = stringify(body);
  } catch (err) {
    text = stringify({ ok: false, error: `the handler's value is not JSON: ${message(err)}` });
  }
  writeAll(stdoutWrite, encode("\n@@" + nonce + " " + S(text) + "\n"));
}

function safeString(v: unknown): string {
  try {
    return S(v);
  } catch {
    return "a value that cannot be shown";
  }
}

function join(parts: unknown[]): string {
  let text = "";
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    text += (i ? " " : "") + (typeof p === "string" ? p : safeString(p));
  }
  return text;
}

function message(err: unknown): string {
  try {
    if (err instanceof ErrorClass) return S(err.message);
  } catch { /* a hostile error */ }
  return safeString(err);
}

// The call being answered: its console output is tagged with its number (so the parent quotes
// only this call's output in a crash message) and counted against the cap.
let sink = { tag: "", bytes: 0, over: false };
function consoleWrite(...parts: unknown[]): void {
  if (sink.over) return;
  const bytes = encode(join(parts));
  sink.bytes += byteLength(bytes);
  if (sink.bytes > outputCap) {
    sink.over = true;
    return;
  }
  try {
    const text = sink.tag + decode(bytes).replaceAll("\n", "\n" + sink.tag);
    writeAll(stderrWrite, encode("\n" + text + "\n"));
  } catch { /* stderr is gone */ }
}

interface Timer {
  fn: unknown;
  args: unknown[];
  ms: number;
  repeat: boolean;
  handle: ReturnType<typeof setTimeout>;
}
interface Lease {
  /** The lease's own global object; its prototype is the frozen global every lease shares. */
  global: Record<string, unknown>;
  timers: Map<number, Timer>;
  /** Timers that came due while another lease's call ran: they fire in this lease's next call. */
  due: number[];
  next: number;
  modules: Record<string, Record<string, unknown>>;
  set: ReturnType<typeof timersOf>;
}
const leases = new Map<number, Lease>();
/** The lease whose call runs now: only its timers fire. */
let active: Lease | undefined;
/** Each module, compiled once in the shared compartment: called once per lease. */
type Factory = (
  exports: object,
  require: unknown,
  globalThis: object,
  ...timers: unknown[]
) => void;
const factories: Record<string, Factory> = {};
/** The frozen global object of the compartment every module was compiled in. */
let sharedGlobal: object;
let shared: Record<string, unknown> = {};
/** Globals a Deno program has and a handler does not: reading one says why. */
const ABSENT = [
  "Deno",
  "fetch",
  "Worker",
  "WebSocket",
  "localStorage",
  "sessionStorage",
  "caches",
  "process",
  "Buffer",
  "MessageChannel",
  "BroadcastChannel",
  "EventSource",
];

function fire(lease: Lease, id: number): void {
  const t = lease.timers.get(id);
  if (!t) return;
  if (active !== lease) {
    lease.due.push(id);
    return;
  }
  if (t.repeat) t.handle = hostSetTimeout(() => fire(lease, id), t.ms);
  else lease.timers.delete(id);
  if (typeof t.fn !== "function") return;
  try {
    t.fn(...t.args);
  } catch (err) {
    consoleWrite("Uncaught error in a timer:", message(err));
  }
}

/** setTimeout and friends of one lease: its timers fire only during its own calls. */
function timersOf(lease: Lease) {
  const set = (repeat: boolean) => (fn: unknown, ms?: unknown, ...args: unknown[]) => {
    const id = ++lease.next;
    const delay = Math.max(0, Number(ms) || 0);
    const handle = hostSetTimeout(() => fire(lease, id), delay);
    lease.timers.set(id, { fn, args, ms: delay, repeat, handle });
    return id;
  };
  const clear = (id: unknown) => {
    const t = lease.timers.get(id as number);
    if (!t) return;
    hostClearTimeout(t.handle);
    lease.timers.delete(id as number);
  };
  return {
    setTimeout: set(false),
    setInterval: set(true),
    clearTimeout: clear,
    clearInterval: clear,
  };
}

function leaseOf(id: number): Lease {
  const had = leases.get(id);
  if (had) return had;
  const lease = {
    timers: new Map(),
    due: [],
    next: 0,
    modules: Object.create(null),
  } as unknown as Lease;
  lease.set = timersOf(lease);
  lease.global = Object.create(sharedGlobal, {
    setTimeout: { value: lease.set.setTimeout, writable: true, configurable: true },
    clearTimeout: { value: lease.set.clearTimeout, writable: true, configurable: true },
    setInterval: { value: lease.set.setInterval, writable: true, configurable: true },
    clearInterval: { value: lease.set.clearInterval, writable: true, configurable: true },
  });
  leases.set(id, lease);
  return lease;
}

function endLease(id: number): void {
  const lease = leases.get(id);
  if (!lease) return;
  for (const t of lease.timers.values()) hostClearTimeout(t.handle);
  leases.delete(id);
}

/** This lease's instance of a module (made at its first use). */
function instance(lease: Lease, key: string): Record<string, unknown> | undefined {
  const had = lease.modules[key];
  if (had) return had;
  if (!Object.hasOwn(factories, key)) return undefined;
  const exports: Record<string, unknown> = {};
  lease.modules[key] = exports;
  const t = lease.set;
  factories[key](
    exports,
    refuseImport,
    lease.global,
    t.setTimeout,
    t.clearTimeout,
    t.setInterval,
    t.clearInterval,
  );
  return exports;
}

const refuseImport = (specifier: unknown) => {
  throw new ErrorClass(
    `cannot import "${safeString(specifier)}": a handler module is self-contained (no imports)`,
  );
};

/** Evaluate SES, lock the intrinsics down and build what every lease shares. */
function boot(ses: string): void {
  // SES reads options from `process.env`, which needs a permission: it sees no `process`.
  const proc = Object.getOwnPropertyDescriptor(globalThis, "process");
  if (proc) delete (globalThis as Record<string, unknown>).process;
  try {
    indirectEval(ses);
    const g = globalThis as unknown as Record<string, (o?: unknown) => unknown>;
    g.lockdown({
      errorTaming: "unsafe",
      stackFiltering: "verbose",
      consoleTaming: "unsafe",
      localeTaming: "unsafe",
      errorTrapping: "none",
      unhandledRejectionTrapping: "none",
      reporting: "none",
      overrideTaming: "moderate",
    });
  } finally {
    if (proc) Object.defineProperty(globalThis, "process", proc);
  }
  const g = globalThis as unknown as Record<string, unknown>;
  const harden = g.harden as <T>(x: T) => T;
  const log = harden((...parts: unknown[]) => consoleWrite(...parts));
  const real = crypto;
  shared = harden({
    console: { log, info: log, debug: log, warn: log, error: log, trace: log },
    queueMicrotask: (fn: unknown) =>
      hostQueueMicrotask(() => {
        if (typeof fn === "function") {
          try {
            fn();
          } catch (err) {
            consoleWrite("Uncaught error in a microtask:", message(err));
          }
        }
      }),
    // The start compartment's Date and Math: with the clock and randomness a program expects.
    Date,
    Math,
    structuredClone,
    atob,
    btoa,
    URL,
    URLSearchParams,
    TextEncoder,
    TextDecoder,
    crypto: {
      getRandomValues: <T extends ArrayBufferView>(a: T) => real.getRandomValues(a as never) as T,
      randomUUID: () => real.randomUUID(),
      subtle: real.subtle,
    },
    performance: { now: () => now(), timeOrigin: performance.timeOrigin },
  });
  const absent: Record<string, PropertyDescriptor> = {};
  for (const name of ABSENT) {
    absent[name] = {
      get: harden(() => {
        throw new ErrorClass(
          `${name} is not available to a handler: handlers run with no permission, ` +
            "and no Deno namespace, network, workers or storage",
        );
      }),
    };
  }
  // One compartment for every lease, its global object frozen: modules compile in it once, and
  // each lease gets its own instance of them and its own global object on top of this one.
  const Compartment = g.Compartment as new (o: object) => {
    globalThis: object;
    evaluate(code: string): unknown;
  };
  const compartment = new Compartment({ globals: shared, __options__: true });
  Object.defineProperties(compartment.globalThis, absent);
  sharedGlobal = harden(compartment.globalThis);
  evaluateShared = (code) => compartment.evaluate(code);
}

let evaluateShared: (code: string) => unknown;

async function handle(msg: Record<string, unknown>): Promise<void> {
  if (msg.t === "end") return endLease(Number(msg.l));
  if (requests === 0) {
    // The first request, read before any handler code exists: the key of every reply's nonce.
    const key = S(msg.key ?? "");
    for (let i = 0; i < 8; i++) KEY[i] = parseInt(slice(key, i * 8, i * 8 + 8), 16);
  }
  const nonce = replyNonceOf(KEY, requests++);
  if (msg.t === "load") return load(nonce, msg);
  sink = { tag: `@@${requests - 1} `, bytes: 0, over: false };
  const lease = leaseOf(Number(msg.l));
  active = lease;
  if (lease.due.length > 0) {
    for (const id of lease.due.splice(0)) hostSetTimeout(() => fire(lease, id), 0);
  }
  let body: Record<string, unknown>;
  try {
    const mod = instance(lease, S(msg.m));
    const name = S(msg.f);
    const fn = mod && Object.hasOwn(mod, name) ? mod[name] : undefined;
    if (typeof fn !== "function") body = { ok: false, error: `no handler ${S(msg.m)}#${name}` };
    else {
      const value = await (fn as (a: unknown, s: unknown) => unknown)(msg.args, msg.state);
      body = { ok: true, value: value === undefined ? null : value };
    }
  } catch (err) {
    body = { ok: false, error: message(err) };
  } finally {
    active = undefined;
  }
  if (sink.over) body = { ok: false, crash: "console" };
  return reply(nonce, body);
}

function load(nonce: string, msg: Record<string, unknown>): void {
  try {
    boot(S(msg.ses));
  } catch (err) {
    return reply(nonce, { ok: false, error: `the sandbox could not start: ${message(err)}` });
  }
  const scripts = msg.modules as Record<string, string>;
  const exports: Record<string, string[]> = {};
  const keys = objectKeys(scripts);
  for (let i = 0; i < keys.length; i++) {
    try {
      factories[keys[i]] = evaluateShared(scripts[keys[i]]) as Factory;
    } catch (err) {
      return reply(nonce, { ok: false, error: `${keys[i]}: ${message(err)}` });
    }
  }
  // Each module runs once in a lease of its own, thrown away: what it exports.
  const probe = -1;
  try {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      let mod: Record<string, unknown>;
      try {
        active = leaseOf(probe);
        mod = instance(active, key)!;
      } catch (err) {
        return reply(nonce, { ok: false, error: `${key}: ${message(err)}` });
      }
      const names = objectKeys(mod);
      const fns: string[] = [];
      for (let j = 0; j < names.length; j++) {
        if (typeof mod[names[j]] === "function") fns[fns.length] = names[j];
      }
      exports[key] = fns;
      endLease(probe);
    }
  } finally {
    active = undefined;
    endLease(probe);
  }
  return reply(nonce, { ok: true, exports });
}

// Requests are read with a blocking read: between calls no handler code (timer, promise) runs.
const chunk = new Uint8Array(64 * 1024);
let buffered = "";
while (true) {
  const n = stdinRead(chunk);
  if (n === null) break;
  buffered += decode(subarray(chunk, 0, n), { stream: true });
  let nl: number;
  while ((nl = indexOf(buffered, "\n")) >= 0) {
    const line = slice(buffered, 0, nl);
    buffered = slice(buffered, nl + 1);
    if (trim(line) === "") continue;
    // One call at a time, in the order they came: later ones wait in `buffered`.
    await handle(parse(line));
  }
}
// End of input: the parent is done (or gone). Exit even with the watchdog thread running.
exit(0);
