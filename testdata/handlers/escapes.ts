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
  // Replies with a guessed nonce, printed on the console (the only output a handler has).
  console.log('\n@@00000000-0000-0000-0000-000000000000 {"ok":true,"value":{"result":"forged"}}\n');
  console.log('@@ {"ok":true,"value":{"result":"forged"}}');
  console.log('{"ok":true,"value":{"result":"forged"}}');
  return ok("real");
};
/** Reach the host's global through the Function constructor of a plain object. */
export const functionConstructor = () =>
  ok((({}).constructor.constructor as FunctionConstructor)("return Deno.pid")());
/** Write on stdout directly, as the host does. */
export const writeStdout = () => ok(Deno.stdout.writeSync(new TextEncoder().encode("x")));
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
/** Print a secret on the console and return normally. */
export const shout = (a: { secret: string }) => {
  console.error(a.secret);
  return ok("said");
};
/** Print a line, then never return. */
export const shoutAndSpin = (a: { line: string }) => {
  console.log(a.line);
  while (true) { /* spin */ }
};
/** `mib` MiB on the console in lines of 1 MiB, then return normally. */
export const flood = (a: { mib: number }) => {
  const line = "x".repeat(1024 * 1024);
  for (let i = 0; i < a.mib; i++) console.log(line);
  return ok("flooded");
};
/** Change what a compartment lets change: globals, module state; and try the frozen rest. */
let planted = 0;
export const mutate = () => {
  planted++;
  const g = globalThis as any;
  const refused: string[] = [];
  const attempts: [string, () => void][] = [
    ["globalThis.leaked", () => (g.leaked = "from another lease")],
    ["globalThis.Math", () => (g.Math = { max: () => -1 })],
    ["globalThis.String", () => (g.String = () => "forged")],
    ["Object.prototype.toJSON", () => ((Object.prototype as any).toJSON = () => "poisoned")],
    ["Array.prototype.push", () => ((Array.prototype as any).push = () => 0)],
    ["JSON.stringify", () => ((JSON as any).stringify = () => "{}")],
    ["Promise.prototype.then", () => ((Promise.prototype as any).then = () => {})],
    ["URL.prototype.toString", () => ((URL.prototype as any).toString = () => "x")],
    ["console.log", () => ((console as any).log = () => {})],
  ];
  for (const [name, attempt] of attempts) {
    try {
      attempt();
    } catch {
      refused.push(name);
    }
  }
  return ok({ planted, refused });
};
/** What a lease sees of the globals, prototypes and module state `mutate` touched. */
export const inspect = () =>
  ok({
    planted,
    leaked: typeof (globalThis as any).leaked,
    max: Math.max(1, 2),
    string: String(12),
    toJSON: typeof (Object.prototype as any).toJSON,
    push: [1].push(2),
    json: JSON.stringify({ a: 1 }),
    url: new URL("http://x/y").toString(),
  });
/** Count the runs of a repeating timer that this lease's calls saw. */
let ticks = 0;
export const startTicking = () => {
  setInterval(() => ticks++, 5);
  return ok("ticking");
};
export const ticksSeen = async (a: { waitMs: number }) => {
  await new Promise((r) => setTimeout(r, a.waitMs));
  return ok(ticks);
};
/** Wait a while (await a timer) and answer. */
export const sleep = async (a: { ms: number; v?: unknown }) => {
  await new Promise((r) => setTimeout(r, a.ms));
  return ok(a.v ?? a.ms);
};
/** Return at once, leaving a promise loop that never yields. */
export const microtaskBomb = () => {
  (async () => {
    for (let i = 0; i < 1e5; i++) await null;
    while (true) { /* spin */ }
  })();
  return ok("planted");
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
