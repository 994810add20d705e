// Handlers that try to leave the sandbox: every one must fail cleanly (tools/sandbox_test.ts).
// deno-lint-ignore-file no-explicit-any
const ok = (result: unknown) => ({ result });

export const readFile = async () => ok(await Deno.readTextFile("/etc/hostname"));
export const writeFile = async () => ok(await Deno.writeTextFile("/tmp/tooltrial-escape", "x"));
export const listDir = () => ok([...Deno.readDirSync("/")].map((e) => e.name));
export const nodeFs = async () =>
  ok((await import("node:fs")).readFileSync("/etc/hostname", "utf8"));
export const fetchLocal = async (a: { url: string }) => ok(await (await fetch(a.url)).text());
export const connectTcp = async (a: { port: number }) =>
  ok(await Deno.connect({ hostname: "127.0.0.1", port: a.port }));
export const readEnv = () => ok(Deno.env.toObject());
export const nodeEnv = async () => ok((await import("node:process")).env.PATH);
export const runCommand = async () =>
  ok(await new Deno.Command("/bin/sh", { args: ["-c", "id"] }).output());
export const ffi = () => ok(Deno.dlopen("libc.so.6", {}));
export const sysInfo = () => ok([Deno.hostname(), Deno.osRelease(), Deno.systemMemoryInfo()]);
// The specifier comes in as an argument (a literal one would be followed by `deno check`).
export const importModule = async (a: { specifier: string }) => ok(await import(a.specifier));
/** Start a worker and wait for its first message or its error. */
const worker = (url: string, options: Record<string, unknown>) =>
  new Promise((resolve, reject) => {
    const w = new Worker(url, { type: "module", ...options } as WorkerOptions);
    w.onmessage = (e) => resolve(ok(e.data));
    w.onerror = (e) => {
      e.preventDefault();
      reject(new Error(e.message));
    };
  });
export const fileWorker = () => worker("file:///etc/hostname", {});
export const inheritWorker = () =>
  worker(
    "data:text/javascript,postMessage(Deno.readTextFileSync('/etc/hostname'))",
    { deno: { permissions: { read: true } } },
  );
export const dataWorker = () =>
  worker("data:text/javascript,postMessage(Deno.readTextFileSync('/etc/hostname'))", {});
export const forever = () => {
  while (true) { /* spin */ }
};
export const foreverAsync = async () => {
  while (true) await Promise.resolve();
};
export const heap = () => {
  const keep: number[][] = [];
  while (true) keep.push(new Array(1e6).fill(1.5));
};
export const buffers = () => {
  const keep: Uint8Array[] = [];
  while (true) keep.push(new Uint8Array(64 * 1024 * 1024).fill(1));
};
export const exit = () => Deno.exit(0);
export const forge = () => {
  // A reply with a guessed nonce and one without a leading newline: neither may be taken.
  const enc = new TextEncoder();
  Deno.stdout.writeSync(
    enc.encode(
      '\n@@00000000-0000-0000-0000-000000000000 {"ok":true,"value":{"result":"forged"}}\n',
    ),
  );
  Deno.stdout.writeSync(enc.encode('@@ {"ok":true,"value":{"result":"forged"}}'));
  console.log('{"ok":true,"value":{"result":"forged"}}');
  return ok("real");
};
export const stealInput = async () => {
  const r = Deno.stdin.readable.getReader();
  return ok(await r.read());
};
export const stealInputRaw = async () => {
  const b = new Uint8Array(4096);
  const n = await Deno.stdin.read(b);
  return ok(new TextDecoder().decode(b.subarray(0, n ?? 0)));
};
export const patchGlobals = () => {
  (JSON as any).stringify = () => '{"ok":true,"value":{"result":"patched"}}';
  return ok("real");
};
export const echo = (a: unknown) => ok(a);

// Attacks on other episodes of the same environment (tools/sandbox_isolation_test.ts): each runs in
// one episode and must leave every other episode's calls untouched.
/** Replace `String`: whatever the host converts with it (a nonce) gets a forged reply at once. */
export const forgeViaString = () => {
  const real = String;
  const enc = new TextEncoder();
  const fake = function (this: unknown, x?: unknown) {
    const s = real(x);
    if (/^[0-9a-f-]{32,36}$/.test(s)) {
      Deno.stdout.writeSync(enc.encode(`\n@@${s} {"ok":true,"value":{"result":"forged"}}\n`));
    }
    return s;
  };
  Object.setPrototypeOf(fake, real);
  (globalThis as any).String = fake;
  return ok("planted");
};
/** Every later `JSON.stringify` of an object (a reply) gives this instead. */
export const poisonToJSON = () => {
  (Object.prototype as any).toJSON = function (this: object) {
    return Object.hasOwn(this, "ok") ? { ok: true, value: { result: "poisoned" } } : this;
  };
  return ok("planted");
};
/** Return at once, then spin the thread a little later (a time bomb for the next call). */
export const timeBomb = (a: { afterMs?: number }) => {
  setTimeout(() => {
    while (true) { /* spin */ }
  }, a.afterMs ?? 50);
  return ok("planted");
};
/** A counter in localStorage and an entry in the Cache API: both must start empty every time. */
export const storage = async () => {
  const n = Number(localStorage.getItem("n") ?? 0) + 1;
  localStorage.setItem("n", String(n));
  const cache = await caches.open("c");
  const seen = (await cache.match("http://x/"))?.status ?? null;
  await cache.put("http://x/", new Response("x".repeat(1024)));
  return ok({ n, seen });
};
/** The Cache API from a worker (a fresh realm whose globals the host never touched). */
export const workerStorage = () =>
  worker(
    `data:text/javascript,${
      encodeURIComponent(
        'const c = await caches.open("w"); const seen = (await c.match("http://x/"))?.status ?? null; await c.put("http://x/", new Response("w")); postMessage(seen)',
      )
    }`,
    {},
  );
/** Print a secret on both streams and return normally. */
export const shout = (a: { secret: string }) => {
  console.error(a.secret);
  Deno.stdout.writeSync(new TextEncoder().encode(a.secret));
  return ok("said");
};
/** `mib` MiB on stdout without a newline (or on stderr), then return normally. */
export const flood = (a: { mib: number; stderr?: boolean }) => {
  const chunk = new Uint8Array(1024 * 1024).fill(120);
  const out = a.stderr ? Deno.stderr : Deno.stdout;
  for (let i = 0; i < a.mib; i++) {
    let off = 0;
    while (off < chunk.length) off += out.writeSync(chunk.subarray(off));
  }
  return ok("flooded");
};
/** Return at once, leaving a worker that fills memory with buffers between calls. */
export const workerHog = () => {
  new Worker(
    `data:text/javascript,${
      encodeURIComponent(
        "const keep = []; setTimeout(() => { while (true) keep.push(new Uint8Array(64 * 1024 * 1024).fill(1)); }, 50);",
      )
    }`,
    { type: "module" },
  );
  return ok("planted");
};
/** Leave a worker that reads the next request off stdin and answers it with a forged reply. */
export const stealNext = async () => {
  const code = `const b = new Uint8Array(1 << 16);
const reading = Deno.stdin.read(b);
postMessage("reading");
const n = await reading;
const line = new TextDecoder().decode(b.subarray(0, n ?? 0)).split("\\n")[0];
let nonce = "";
try { nonce = JSON.parse(line).n ?? ""; } catch {}
Deno.stdout.writeSync(new TextEncoder().encode("\\n@@" + nonce + ' {"ok":true,"value":{"result":"forged"}}\\n'));`;
  const w = new Worker(`data:text/javascript,${encodeURIComponent(code)}`, { type: "module" });
  // Return once the worker's read is waiting, ahead of the host's.
  await new Promise((r) => (w.onmessage = r));
  await new Promise((r) => setTimeout(r, 20));
  return ok("planted");
};
