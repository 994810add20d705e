import assert from "node:assert/strict";
import { Sandbox } from "./sandbox.ts";

const escapes = await Deno.readTextFile(
  new URL("../testdata/handlers/escapes.ts", import.meta.url),
);

/** A local server that counts requests: a handler must never reach it. */
function listener() {
  let hits = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    hits++;
    return new Response("export const x = 1;", { headers: { "content-type": "text/javascript" } });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/x.js`,
    port: server.addr.port,
    hits: () => hits,
    server,
  };
}

Deno.test("sandbox: every escape attempt fails cleanly and the next call still works", async () => {
  const local = listener();
  const sandbox = new Sandbox({ "escapes.ts": escapes }, {
    limits: { timeoutMs: 2000, memoryMb: 64 },
    processes: 1,
  });
  // One lease (one episode): after each attempt the same child answers the next call.
  const box = sandbox.lease();
  try {
    // A compartment has no `Deno`, `fetch`, `Worker` or `require` (what an import becomes), and
    // the process under it has no permission either.
    const noDeno = /Deno is not available to a handler/;
    const noImport = (what: string) =>
      new RegExp(`cannot import "${what.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}".*no imports`);
    const attempts: [string, Record<string, unknown>, RegExp][] = [
      ["readFile", {}, noDeno],
      ["writeFile", {}, noDeno],
      ["listDir", {}, noDeno],
      ["nodeFs", {}, noImport("node:fs")],
      ["fetchLocal", { url: local.url }, /fetch is not available to a handler/],
      ["connectTcp", { port: local.port }, noDeno],
      ["readEnv", {}, noDeno],
      ["nodeEnv", {}, noImport("node:process")],
      ["runCommand", {}, noDeno],
      ["ffi", {}, noDeno],
      ["sysInfo", {}, noDeno],
      ["importModule", { specifier: "file:///etc/hostname" }, noImport("file:///etc/hostname")],
      ["importModule", { specifier: "./escapes.ts" }, noImport("./escapes.ts")],
      ["importModule", { specifier: local.url }, noImport(local.url)],
      ["importModule", { specifier: "npm:left-pad@1.3.0" }, noImport("npm:left-pad@1.3.0")],
      ["importModule", { specifier: "jsr:@std/path@1" }, noImport("jsr:@std/path@1")],
      ["fileWorker", {}, /Worker is not available to a handler/],
      ["inheritWorker", {}, /Worker is not available to a handler/],
      ["dataWorker", {}, /Worker is not available to a handler/],
      ["workerHog", {}, /Worker is not available to a handler/],
      ["stealNext", {}, /Worker is not available to a handler/],
      ["stealInput", {}, noDeno],
      ["stealInputRaw", {}, noDeno],
      ["writeStdout", {}, noDeno],
      ["exit", {}, noDeno],
      ["functionConstructor", {}, /not a valid constructor/],
      ["patchGlobals", {}, /read.only|not extensible|Cannot assign/],
    ];
    const leaks: string[] = [];
    const messages: string[] = [];
    for (const [fn, args, why] of attempts) {
      const r = await box.call("escapes.ts", fn, args, {});
      if (r.ok) leaks.push(`${fn} → ${JSON.stringify(r.value).slice(0, 80)}`);
      else {
        assert.equal(r.reason, "error", `${fn}: ${r.message}`);
        assert.match(r.message, why, fn);
      }
      const after = await box.call("escapes.ts", "echo", { after: fn }, {});
      if (!r.ok) messages.push(`${fn}${JSON.stringify(args)}: ${r.message}`);
      assert.deepEqual(after, { ok: true, value: { result: { after: fn } } });
    }
    assert.deepEqual(leaks, []);
    if (Deno.env.get("TOOLTRIAL_SHOW_ESCAPES")) console.log(messages.join("\n"));
    assert.equal(local.hits(), 0, "a handler reached the local server");
    await assert.rejects(Deno.stat("/tmp/tooltrial-escape"));
  } finally {
    await box.close();
    await sandbox.close();
    await local.server.shutdown();
  }
});

Deno.test("sandbox: loops and memory kill only the child; a fresh one answers at once", async () => {
  const sandbox = new Sandbox({ "escapes.ts": escapes }, {
    limits: { timeoutMs: 1500, memoryMb: 64 },
    processes: 1,
  });
  const box = sandbox.lease();
  try {
    await box.call("escapes.ts", "echo", {}, {});
    // Memory cases get a long time limit: on a loaded machine pages are slow to fill, and the
    // memory limit, not the clock, must be what stops them.
    const cases: [string, string, number][] = [
      ["forever", "timeout", 1500],
      ["foreverAsync", "timeout", 1500],
      ["heap", "memory", 30_000],
      ["buffers", "memory", 30_000],
    ];
    for (const [fn, reason, timeoutMs] of cases) {
      const before = sandbox.pids;
      const r = await box.call("escapes.ts", fn, {}, {}, { timeoutMs });
      assert.equal(r.ok, false, fn);
      if (!r.ok) assert.equal(r.reason, reason, `${fn}: ${r.message}`);
      const t0 = performance.now();
      const after = await box.call("escapes.ts", "echo", { n: 1 }, {});
      assert.deepEqual(after, { ok: true, value: { result: { n: 1 } } }, fn);
      assert.ok(performance.now() - t0 < 3000, `${fn}: the replacement child was slow`);
      const gone = before.filter((p) => !sandbox.pids.includes(p));
      assert.equal(gone.length, 1, `${fn}: the old child lives on`);
    }
  } finally {
    await box.close();
    await sandbox.close();
  }
});

Deno.test("sandbox: printed replies or patched globals cannot forge a reply", async () => {
  const sandbox = new Sandbox({ "escapes.ts": escapes }, { processes: 1 });
  const box = sandbox.lease();
  try {
    assert.deepEqual(await box.call("escapes.ts", "forge", {}, {}), {
      ok: true,
      value: { result: "real" },
    });
    assert.deepEqual(await box.call("escapes.ts", "echo", { a: 1 }, {}), {
      ok: true,
      value: { result: { a: 1 } },
    });
    // JSON is frozen by lockdown(): patching JSON.stringify fails, and the host's own works.
    const patched = await box.call("escapes.ts", "patchGlobals", {}, {});
    assert.equal(patched.ok, false);
    assert.deepEqual(await box.call("escapes.ts", "echo", { b: 2 }, {}), {
      ok: true,
      value: { result: { b: 2 } },
    });
  } finally {
    await box.close();
    await sandbox.close();
  }
});

Deno.test("sandbox: a module that imports a file does not load", async () => {
  const box = new Sandbox({
    "m.ts": 'import x from "file:///etc/hostname";\nexport const f = () => ({ result: x });',
  });
  try {
    await assert.rejects(box.exports(), /m\.ts: cannot import "file:\/\/\/etc\/hostname"/);
    const r = await box.call("m.ts", "f", {}, {});
    assert.equal(r.ok, false);
  } finally {
    await box.close();
  }
});

Deno.test("sandbox: starts offline in empty Deno caches, and leaves no process or folder behind", async () => {
  const box = new Sandbox(
    { "m.ts": "export const twice = (a: { n: number }) => ({ result: a.n * 2 });" },
    { processes: 2 },
  );
  try {
    // Four calls at once: four one-call leases, spread over the pool's children.
    const rs = await Promise.all([1, 2, 3, 4].map((n) => box.call("m.ts", "twice", { n }, {})));
    assert.deepEqual(rs.map((r) => r.ok && (r.value as { result: number }).result), [2, 4, 6, 8]);
    const pids = box.pids;
    assert.ok(pids.length >= 2, `${pids.length} children`);
    const dirs = box.denoDirs;
    assert.equal(new Set(dirs).size, pids.length, "children share a DENO_DIR");
    await box.close();
    for (const pid of pids) {
      assert.equal(
        await Deno.readTextFile(`/proc/${pid}/stat`).catch(() => "gone"),
        "gone",
        `${pid} lives on`,
      );
    }
    for (const d of dirs) await assert.rejects(Deno.stat(d), Deno.errors.NotFound);
  } finally {
    await box.close();
  }
});

Deno.test("sandbox: without /proc access the children watch their own memory", async () => {
  // A parent that may not read /proc (another OS, narrow permissions) starts each child with its
  // own watchdog thread: 64 MiB buffers in a loop are still stopped as a memory overrun.
  const script = `import { Sandbox } from "./tools/sandbox.ts";
const escapes = await Deno.readTextFile("testdata/handlers/escapes.ts");
const box = new Sandbox({ "escapes.ts": escapes }, { limits: { timeoutMs: 30000, memoryMb: 64 }, processes: 1 });
const r = await box.call("escapes.ts", "buffers", {}, {});
console.log(JSON.stringify(r));
await box.close();`;
  const tmp = Deno.env.get("TMPDIR") ?? "/tmp";
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--allow-read=.,${tmp},${Deno.execPath()}`,
      `--allow-write=${tmp}`,
      `--allow-run=${Deno.execPath()}`,
      "-",
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    cwd: new URL("..", import.meta.url),
  }).spawn();
  const w = out.stdin.getWriter();
  await w.write(new TextEncoder().encode(script));
  await w.close();
  const { stdout, stderr } = await out.output();
  const text = new TextDecoder().decode(stdout);
  assert.match(text, /"reason":"memory"/, new TextDecoder().decode(stderr));
});

Deno.test("sandbox: folders left by a parent that died are swept; live parents' are kept", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "tooltrial-sweep-" });
  try {
    // pid_max is at most 2^22: no process has these pids.
    const dead = `${tmp}/tooltrial-handler-4194999-abc`;
    const recent = `${tmp}/tooltrial-handler-4194998-abc`; // dead, but within the hour's grace
    const live = `${tmp}/tooltrial-handler-1-abc`; // init runs as long as the machine
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const make = async () => {
      for (const d of [dead, live, recent]) {
        await Deno.mkdir(`${d}/gen`, { recursive: true });
        if (d !== recent) await Deno.utime(d, old, old);
      }
    };
    // Deno lets only a process with every permission read /proc: sweep in one that may, and in
    // one that may not (which must leave everything alone).
    const sweep = async (flags: string[]) => {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", ...flags, "-"],
        cwd: new URL("..", import.meta.url),
        stdin: "piped",
        stderr: "piped",
      }).spawn();
      const w = child.stdin.getWriter();
      await w.write(
        new TextEncoder().encode(`import { sweepOrphans } from "./tools/sandbox_child.ts";
await sweepOrphans(${JSON.stringify(tmp)});`),
      );
      await w.close();
      const out = await child.output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
    };
    await make();
    await sweep(["-A"]);
    await assert.rejects(Deno.stat(dead), Deno.errors.NotFound);
    for (const d of [live, recent]) assert.ok((await Deno.stat(d)).isDirectory, d);
    await make();
    await sweep([`--allow-read=.,${tmp}`, `--allow-write=${tmp}`, "--allow-env"]);
    for (const d of [dead, live, recent]) assert.ok((await Deno.stat(d)).isDirectory, d);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
