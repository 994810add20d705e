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
