/**
 * The handler sandbox's child process: run by `deno run` with no `--allow-*` flag at all, it loads
 * the environment's handler modules from source text (sent over stdin, imported as `data:` URLs,
 * so any import inside them is checked against this process's empty permissions) and answers calls
 * as JSON lines. It imports nothing, so it starts with an empty Deno cache, offline.
 *
 * Protocol, one JSON object per stdin line:
 * - `{"t":"load","key":HEX,"modules":{"KEY":"SOURCE"}}` → `{"ok":true,"exports":{"KEY":["fn"]}}`
 * - `{"t":"call","m":"KEY","f":"fn","args":{…},"state":{…}}` → `{"ok":true,"value":…}`
 *   or `{"ok":false,"error":"message"}` when the handler threw.
 * Each reply is written as "\n@@NONCE " + JSON + "\n": user code may print to stdout too, and the
 * leading newline plus a per-request nonce keep its output from being taken for a reply. The nonce
 * of the k-th request (from 0) is the first 16 bytes of SHA-256(key ‖ k), in hex: the key comes
 * with the first request, read before any handler code loads, and requests carry no nonce, so a
 * handler (or a worker it left) that reads stdin learns nothing to forge a reply with. The hash is
 * plain arithmetic on local variables and typed arrays: nothing a patched global could observe.
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

// SHA-256 of one 40-byte message (key ‖ counter), for reply nonces (see the protocol above).
const K256 = new Uint32Array([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);
const W = new Uint32Array(64);
const KEY = new Uint32Array(8);
const DIGITS = "0123456789abcdef";
let requests = 0;

function hex32(x: number): string {
  let s = "";
  for (let shift = 28; shift >= 0; shift -= 4) s += DIGITS[(x >>> shift) & 15];
  return s;
}

/** The nonce of the k-th request: the first 16 bytes of SHA-256(key ‖ k as 8 bytes), in hex. */
function nonceOf(k: number): string {
  for (let i = 0; i < 8; i++) W[i] = KEY[i];
  const low = k >>> 0;
  W[8] = (k - low) / 4294967296;
  W[9] = low;
  W[10] = 0x80000000;
  for (let i = 11; i < 15; i++) W[i] = 0;
  W[15] = 320; // message length in bits
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15], y = W[i - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = W[i - 16] + s0 + W[i - 7] + s1;
  }
  let a = 0x6a09e667, b = 0xbb67ae85, c = 0x3c6ef372, d = 0xa54ff53a;
  let e = 0x510e527f, f = 0x9b05688c, g = 0x1f83d9ab, h = 0x5be0cd19;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K256[i] + W[i]) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  return hex32(0x6a09e667 + a) + hex32(0xbb67ae85 + b) + hex32(0x3c6ef372 + c) +
    hex32(0xa54ff53a + d);
}
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
  if (requests === 0) {
    // The first request, read before any handler code exists: the key of every reply's nonce.
    const key = String(msg.key ?? "");
    for (let i = 0; i < 8; i++) KEY[i] = parseInt(key.slice(i * 8, i * 8 + 8), 16);
  }
  const nonce = nonceOf(requests++);
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
