/**
 * The handler sandbox's child process: run by `deno run` with no `--allow-*` flag at all, it loads
 * the environment's handler modules from source text (sent over stdin, imported as `data:` URLs,
 * so any import inside them is checked against this process's empty permissions) and answers calls
 * as JSON lines. It imports nothing, so it starts with an empty or missing Deno cache, offline.
 *
 * Protocol, one JSON object per stdin line:
 * - `{"t":"load","n":NONCE,"modules":{"KEY":"SOURCE"}}` → `{"ok":true,"exports":{"KEY":["fn"]}}`
 * - `{"t":"call","n":NONCE,"m":"KEY","f":"fn","args":{…},"state":{…}}` → `{"ok":true,"value":…}`
 *   or `{"ok":false,"error":"message"}` when the handler threw.
 * Each reply is written as "\n@@NONCE " + JSON + "\n": user code may print to stdout too, and the
 * leading newline plus the parent's per-call nonce keep its output from being taken for a reply.
 * @module
 */

// Captured before any user code runs: handlers may replace globals, but not these references.
const stdoutWrite = Deno.stdout.write.bind(Deno.stdout);
const stderrWrite = Deno.stderr.write.bind(Deno.stderr);
const stringify = JSON.stringify;
const parse = JSON.parse;
const encoder = new TextEncoder();
const encode = encoder.encode.bind(encoder);
const decoder = new TextDecoder();
const decode = decoder.decode.bind(decoder);
const input = Deno.stdin.readable.getReader();

// Handlers' console output goes to stderr, which the parent keeps a short tail of.
const toStderr = (...parts: unknown[]) => {
  void stderrWrite(encode(parts.map((p) => typeof p === "string" ? p : String(p)).join(" ") + "\n"))
    .catch(() => {});
};
for (const k of ["log", "info", "debug", "warn", "error", "trace"] as const) console[k] = toStderr;

const modules = new Map<string, Record<string, unknown>>();

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

async function writeAll(bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await stdoutWrite(bytes.subarray(off));
}

async function reply(nonce: string, body: Record<string, unknown>): Promise<void> {
  let text: string;
  try {
    text = stringify(body);
  } catch (err) {
    text = stringify({ ok: false, error: `the handler's value is not JSON: ${message(err)}` });
  }
  await writeAll(encode(`\n@@${nonce} ${text}\n`));
}

function message(err: unknown): string {
  if (err instanceof Error) return err.message;
  try {
    return String(err);
  } catch {
    return "a value that cannot be shown";
  }
}

function toBase64(text: string): string {
  const bytes = encode(text);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

async function handle(msg: Record<string, unknown>): Promise<void> {
  const nonce = String(msg.n);
  if (msg.t === "load") {
    const exports: Record<string, string[]> = {};
    for (const [key, source] of Object.entries(msg.modules as Record<string, string>)) {
      try {
        const mod = await import(`data:application/typescript;base64,${toBase64(source)}`);
        modules.set(key, mod);
        exports[key] = Object.keys(mod).filter((k) => typeof mod[k] === "function");
      } catch (err) {
        return reply(nonce, { ok: false, error: `${key}: ${message(err)}` });
      }
    }
    return reply(nonce, { ok: true, exports });
  }
  const fn = modules.get(String(msg.m))?.[String(msg.f)];
  if (typeof fn !== "function") {
    return reply(nonce, { ok: false, error: `no handler ${msg.m}#${msg.f}` });
  }
  try {
    const value = await fn(msg.args, msg.state);
    return reply(nonce, { ok: true, value: value === undefined ? null : value });
  } catch (err) {
    return reply(nonce, { ok: false, error: message(err) });
  }
}

let buffered = "";
while (true) {
  const { value, done } = await input.read();
  if (done) break;
  buffered += decode(value, { stream: true });
  let nl: number;
  while ((nl = buffered.indexOf("\n")) >= 0) {
    const line = buffered.slice(0, nl);
    buffered = buffered.slice(nl + 1);
    if (line.trim() === "") continue;
    // One call at a time: the parent never sends the next before this reply.
    await handle(parse(line));
  }
}
// End of input: the parent is done (or gone). Exit even with the watchdog thread running.
Deno.exit(0);
