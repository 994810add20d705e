/**
 * The handler sandbox's child process: run by `deno run` with no `--allow-*` flag at all, it loads
 * the environment's handler modules from source text (sent over stdin, imported as `data:` URLs,
 * so any import inside them is checked against this process's empty permissions) and answers calls
 * as JSON lines. It imports nothing, so it starts with an empty Deno cache, offline.
 *
 * Protocol, one JSON object per stdin line:
 * - `{"t":"load","n":NONCE,"modules":{"KEY":"SOURCE"}}` → `{"ok":true,"exports":{"KEY":["fn"]}}`
 * - `{"t":"call","n":NONCE,"m":"KEY","f":"fn","args":{…},"state":{…}}` → `{"ok":true,"value":…}`
 *   or `{"ok":false,"error":"message"}` when the handler threw.
 * Each reply is written as "\n@@NONCE " + JSON + "\n": user code may print to stdout too, and the
 * leading newline plus the parent's per-call nonce keep its output from being taken for a reply.
 *
 * One child serves one lease (an episode's phase), so what a handler changes here — globals,
 * prototypes, timers left running — reaches only its own episode. Even so, everything the host uses
 * once user code has loaded is captured first (user code may replace `String`, `JSON`, prototype
 * methods), requests are read with a blocking read (no promise a patched prototype could observe),
 * and nothing between calls runs user code.
 * @module
 */

// Captured before any user code runs: handlers may replace globals, but not these references.
const uncurry = Function.prototype.bind.bind(Function.prototype.call) as <A extends unknown[], R>(
  f: (...a: A) => R,
) => (self: unknown, ...a: A) => R;
const S = String;
const stringify = JSON.stringify;
const parse = JSON.parse;
const objectKeys = Object.keys;
const fromCharCode = String.fromCharCode;
const toBase64Text = btoa;
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
// Lock stdin's stream so a handler cannot take it over (the host reads the fd directly).
Deno.stdin.readable.getReader();

// Handlers' console output goes to stderr, which the parent keeps a short tail of.
const toStderr = (...parts: unknown[]) => {
  let text = "";
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    text += (i ? " " : "") + (typeof p === "string" ? p : safeString(p));
  }
  try {
    writeAll(stderrWrite, encode(text + "\n"));
  } catch { /* stderr is gone */ }
};
for (const k of ["log", "info", "debug", "warn", "error", "trace"] as const) console[k] = toStderr;

const modules: Record<string, Record<string, unknown>> = Object.create(null);

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
  // A patched toJSON may turn the body into anything: the parent checks the reply's shape.
  writeAll(stdoutWrite, encode("\n@@" + nonce + " " + S(text) + "\n"));
}

function safeString(v: unknown): string {
  try {
    return S(v);
  } catch {
    return "a value that cannot be shown";
  }
}

function message(err: unknown): string {
  try {
    if (err instanceof ErrorClass) return S(err.message);
  } catch { /* a hostile error */ }
  return safeString(err);
}

function toBase64(text: string): string {
  const bytes = encode(text);
  const n = byteLength(bytes);
  let bin = "";
  for (let i = 0; i < n; i += 0x8000) {
    bin += fromCharCode(...subarray(bytes, i, i + 0x8000));
  }
  return toBase64Text(bin);
}

async function handle(msg: Record<string, unknown>): Promise<void> {
  const nonce = S(msg.n);
  if (msg.t === "load") {
    const exports: Record<string, string[]> = {};
    const sources = msg.modules as Record<string, string>;
    const keys = objectKeys(sources);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      try {
        const mod = await import(`data:application/typescript;base64,${toBase64(sources[key])}`);
        modules[key] = mod;
        const names = objectKeys(mod);
        const fns: string[] = [];
        for (let j = 0; j < names.length; j++) {
          if (typeof mod[names[j]] === "function") fns[fns.length] = names[j];
        }
        exports[key] = fns;
      } catch (err) {
        return reply(nonce, { ok: false, error: `${key}: ${message(err)}` });
      }
    }
    return reply(nonce, { ok: true, exports });
  }
  const mod = modules[S(msg.m)];
  const fn = mod ? mod[S(msg.f)] : undefined;
  if (typeof fn !== "function") {
    return reply(nonce, { ok: false, error: `no handler ${S(msg.m)}#${S(msg.f)}` });
  }
  try {
    const value = await fn(msg.args, msg.state);
    return reply(nonce, { ok: true, value: value === undefined ? null : value });
  } catch (err) {
    return reply(nonce, { ok: false, error: message(err) });
  }
}

// Requests are read with a blocking read: between calls no user code (timer, promise) runs.
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
    // One call at a time: the parent never sends the next before this reply.
    await handle(parse(line));
  }
}
// End of input: the parent is done (or gone). Exit even with the watchdog thread running.
exit(0);
