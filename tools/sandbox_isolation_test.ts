// One episode's handler calls cannot reach another's (issue 24, item 3): each attack runs in one
// lease (an episode's phase) of a sandbox with a single process, so every lease shares it.
import assert from "node:assert/strict";
import { Sandbox, type SandboxLease, type SandboxReply } from "./sandbox.ts";

const escapes = await Deno.readTextFile(
  new URL("../testdata/handlers/escapes.ts", import.meta.url),
);
type Call = (fn: string, args?: unknown, opts?: { timeoutMs?: number }) => Promise<SandboxReply>;
const caller = (lease: SandboxLease): Call => (fn, args = {}, opts) =>
  lease.call("escapes.ts", fn, args, {}, opts);

/** Run `body` as one episode: its calls go through one lease, closed after. */
async function episode<T>(box: Sandbox, body: (call: Call) => Promise<T>): Promise<T> {
  const lease = box.lease();
  try {
    return await body(caller(lease));
  } finally {
    await lease.close();
  }
}

const box1 = () =>
  new Sandbox({ "escapes.ts": escapes }, {
    limits: { timeoutMs: 3000, memoryMb: 64 },
    processes: 1,
  });
const echo = (value: unknown) => ({ ok: true, value: { result: value } });
const result = (r: SandboxReply) => (r.ok ? (r.value as { result: unknown }).result : r.message);

Deno.test("isolation: globals, prototypes and module state changed in one lease are not the next lease's in the same process", async () => {
  const box = box1();
  try {
    const a = box.lease();
    const b = box.lease();
    const mutated = result(await caller(a)("mutate")) as { planted: number; refused: string[] };
    // Frozen by lockdown(): every shared intrinsic and built-in global refuses the change.
    assert.deepEqual(mutated.refused, [
      "globalThis.Math",
      "globalThis.String",
      "Object.prototype.toJSON",
      "Array.prototype.push",
      "JSON.stringify",
      "Promise.prototype.then",
      "URL.prototype.toString",
      "console.log",
    ]);
    // What a lease that changed nothing sees.
    const clean = {
      planted: 0,
      leaked: "undefined",
      max: 2,
      string: "12",
      toJSON: "undefined",
      push: 2,
      json: '{"a":1}',
      url: "http://x/y",
    };
    // Its own global object and module instance keep what it may change...
    assert.deepEqual(result(await caller(a)("inspect")), {
      ...clean,
      planted: 1,
      leaked: "string",
    });
    // ...and another lease, open at the same time or later, in the same process, sees none of it.
    const pids = box.pids;
    assert.deepEqual(result(await caller(b)("inspect")), clean);
    await a.close();
    await b.close();
    assert.deepEqual(await episode(box, (call) => call("inspect")), echo(clean));
    assert.deepEqual(box.pids, pids, "the leases did not share one process");
  } finally {
    await box.close();
  }
});

Deno.test("isolation: a handler that replaces String cannot forge another episode's replies", async () => {
  const box = box1();
  try {
    await episode(box, async (call) => {
      // String is a frozen global: the forger cannot even be planted.
      const r = await call("forgeViaString");
      assert.equal(r.ok, false);
      assert.match(result(r) as string, /read only property 'String'/);
      assert.deepEqual(await call("echo", { same: 1 }), echo({ same: 1 }));
    });
    await episode(box, async (call) => {
      assert.deepEqual(await call("echo", { other: 1 }), echo({ other: 1 }));
    });
  } finally {
    await box.close();
  }
});

Deno.test("isolation: Object.prototype.toJSON cannot be set, so no reply is poisoned", async () => {
  const box = box1();
  try {
    const r = await episode(box, (call) => call("poisonToJSON"));
    assert.equal(r.ok, false);
    assert.match(result(r) as string, /not extensible/);
    await episode(box, async (call) => {
      assert.deepEqual(await call("echo", { b: 2 }), echo({ b: 2 }));
    });
  } finally {
    await box.close();
  }
});

Deno.test("isolation: a lease's timers fire only in its own calls and end with it", async () => {
  const box = box1();
  try {
    const a = box.lease();
    // A time bomb and a ticking interval, left by a lease that stays open.
    assert.deepEqual(await caller(a)("timeBomb", { afterMs: 30 }), echo("planted"));
    const b = box.lease();
    // Another lease's calls wait on timers of their own meanwhile: the bomb does not go off there.
    assert.deepEqual(await caller(b)("sleep", { ms: 200, v: "b" }), echo("b"));
    await a.close(); // the bomb is defused with its lease
    assert.deepEqual(await caller(b)("sleep", { ms: 100, v: "b2" }), echo("b2"));
    await b.close();
    // An interval counts only while its lease has a call running.
    await episode(box, async (call) => {
      await call("startTicking");
      const other = box.lease();
      assert.deepEqual(await caller(other)("sleep", { ms: 150, v: 1 }), echo(1));
      await other.close();
      const seen = result(await call("ticksSeen", { waitMs: 60 })) as number;
      assert.ok(seen >= 1 && seen <= 30, `${seen} ticks`);
    });
  } finally {
    await box.close();
  }
});

Deno.test("isolation: a promise loop left by one lease fails its process, and another's call is answered", async () => {
  const box = box1();
  try {
    await episode(box, (call) => call("microtaskBomb"));
    // The loop spins in this call's turn: the process is killed, the call runs again in a fresh one.
    await episode(box, async (call) => {
      assert.deepEqual(await call("echo", { c: 3 }, { timeoutMs: 1000 }), echo({ c: 3 }));
    });
  } finally {
    await box.close();
  }
});

Deno.test("isolation: web storage does not exist for a handler", async () => {
  const box = box1();
  try {
    for (let ep = 0; ep < 2; ep++) {
      await episode(box, async (call) => {
        for (const fn of ["storage", "workerStorage"]) {
          const r = await call(fn);
          assert.equal(r.ok, false, fn);
          assert.match(result(r) as string, /(localStorage|Worker) is not available/, fn);
        }
      });
    }
  } finally {
    await box.close();
  }
});

Deno.test("isolation: a timeout message carries only the failing call's own output", async () => {
  const box = box1();
  try {
    await episode(box, (call) => call("shout", { secret: "SECRET-OF-EPISODE-A" }));
    await episode(box, async (call) => {
      await call("shout", { secret: "EARLIER-CALL-OF-B" });
      const r = await call("shoutAndSpin", { line: "OWN-LINE" }, { timeoutMs: 1000 });
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.reason, "timeout");
        assert.match(r.message, /OWN-LINE/);
        assert.doesNotMatch(r.message, /SECRET-OF-EPISODE-A|EARLIER-CALL-OF-B/);
      }
    });
  } finally {
    await box.close();
  }
});

Deno.test("isolation: console floods fail the call at the per-call cap and cost the process nothing", async () => {
  const box = box1();
  try {
    const rss0 = Deno.memoryUsage().rss;
    const pids = (await episode(box, (call) => call("echo")), box.pids);
    await episode(box, async (call) => {
      const r = await call("flood", { mib: 48 }, { timeoutMs: 30_000 });
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.reason, "crash");
        assert.match(r.message, /more than 1 MiB on the console/);
      }
      assert.deepEqual(await call("echo", { d: 4 }), echo({ d: 4 }));
    });
    assert.deepEqual(box.pids, pids, "the flood cost the process");
    const grew = (Deno.memoryUsage().rss - rss0) / 2 ** 20;
    assert.ok(grew < 64, `the parent grew by ${grew.toFixed(0)} MiB reading a flood`);
  } finally {
    await box.close();
  }
});

Deno.test("isolation: every process has its own empty temporary DENO_DIR, removed when it ends", async () => {
  const box = new Sandbox({ "escapes.ts": escapes }, { processes: 2 });
  let dirs: string[] = [];
  try {
    await box.exports();
    dirs = box.denoDirs;
    assert.ok(dirs.length >= 2, `${dirs.length} processes`);
    assert.equal(new Set(dirs).size, dirs.length, "two processes share a DENO_DIR");
    for (const d of dirs) {
      assert.ok(d.includes("/tooltrial-handler-"), d);
      assert.ok((await Deno.stat(`${d}/location_data`)).isFile);
    }
  } finally {
    await box.close();
  }
  for (const d of dirs) {
    await assert.rejects(Deno.stat(d), Deno.errors.NotFound, `${d} left behind`);
  }
});
