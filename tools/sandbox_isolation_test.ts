// One episode's handler calls cannot reach another's (issue 24, item 3): each attack runs in one
// lease (an episode's phase) of a sandbox with a single warm process, then another lease calls.
import assert from "node:assert/strict";
import { Sandbox, type SandboxReply } from "./sandbox.ts";

const escapes = await Deno.readTextFile(
  new URL("../testdata/handlers/escapes.ts", import.meta.url),
);
type Call = (fn: string, args?: unknown, opts?: { timeoutMs?: number }) => Promise<SandboxReply>;

/** Run `body` as one episode: its calls go through one lease, closed after. */
async function episode<T>(box: Sandbox, body: (call: Call) => Promise<T>): Promise<T> {
  const lease = box.lease();
  try {
    return await body((fn, args = {}, opts) => lease.call("escapes.ts", fn, args, {}, opts));
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

Deno.test("isolation: a handler that replaces String cannot forge another episode's replies", async () => {
  const box = box1();
  try {
    await episode(box, async (call) => {
      assert.deepEqual(await call("forgeViaString"), echo("planted"));
      // The host captured String before user code loaded: its own later calls are real too.
      assert.deepEqual(await call("echo", { same: 1 }), echo({ same: 1 }));
    });
    await episode(box, async (call) => {
      assert.deepEqual(await call("echo", { other: 1 }), echo({ other: 1 }));
    });
  } finally {
    await box.close();
  }
});

Deno.test("isolation: Object.prototype.toJSON set in one episode does not poison another's replies", async () => {
  const box = box1();
  try {
    await episode(box, (call) => call("poisonToJSON"));
    await episode(box, async (call) => {
      assert.deepEqual(await call("echo", { b: 2 }), echo({ b: 2 }));
    });
  } finally {
    await box.close();
  }
});

Deno.test("isolation: a time bomb left by one episode does not time out another's call", async () => {
  const box = box1();
  try {
    await episode(box, (call) => call("timeBomb", { afterMs: 30 }));
    await new Promise((r) => setTimeout(r, 200));
    await episode(box, async (call) => {
      assert.deepEqual(await call("echo", { c: 3 }), echo({ c: 3 }));
    });
  } finally {
    await box.close();
  }
});

Deno.test("isolation: localStorage and the Cache API start empty in every episode and run", async () => {
  const seen: unknown[] = [];
  for (let run = 0; run < 2; run++) {
    const box = box1();
    try {
      for (let ep = 0; ep < 2; ep++) {
        await episode(box, async (call) => {
          for (const fn of ["storage", "workerStorage"]) {
            const r = await call(fn);
            // Storage is off (an error) or, at most, empty at the start of each episode.
            if (r.ok) seen.push([fn, (r.value as { result: unknown }).result]);
            else assert.match(r.message, /directory|storage|not supported/i, `${fn}: ${r.message}`);
          }
        });
      }
    } finally {
      await box.close();
    }
  }
  for (const [fn, v] of seen as [string, unknown][]) {
    assert.deepEqual(v, fn === "storage" ? { n: 1, seen: null } : null, `${fn} kept data`);
  }
});

Deno.test("isolation: a crash message carries only the crashing call's own output", async () => {
  const box = box1();
  try {
    await episode(box, (call) => call("shout", { secret: "SECRET-OF-EPISODE-A" }));
    await episode(box, async (call) => {
      await call("shout", { secret: "EARLIER-CALL-OF-B" });
      const r = await call("exit");
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.reason, "crash");
        assert.doesNotMatch(r.message, /SECRET-OF-EPISODE-A|EARLIER-CALL-OF-B/);
      }
    });
  } finally {
    await box.close();
  }
});

Deno.test("isolation: stdout or stderr floods fail the call as a crash at the per-call cap", async () => {
  const box = box1();
  try {
    const rss0 = Deno.memoryUsage().rss;
    for (const stderr of [false, true]) {
      await episode(box, async (call) => {
        const r = await call("flood", { mib: 48, stderr }, { timeoutMs: 30_000 });
        assert.equal(r.ok, false, `stderr=${stderr}`);
        if (!r.ok) {
          assert.equal(r.reason, "crash");
          assert.match(r.message, stderr ? /stderr/ : /stdout/);
          assert.match(r.message, /more than 1 MiB/);
        }
        // The episode goes on with a fresh process.
        assert.deepEqual(await call("echo", { d: 4 }), echo({ d: 4 }));
      });
    }
    const grew = (Deno.memoryUsage().rss - rss0) / 2 ** 20;
    assert.ok(grew < 64, `the parent grew by ${grew.toFixed(0)} MiB reading a flood`);
  } finally {
    await box.close();
  }
});

Deno.test("isolation: every child has its own empty temporary DENO_DIR, removed when it ends", async () => {
  const box = box1();
  const dirs: string[] = [];
  try {
    for (let ep = 0; ep < 2; ep++) {
      await episode(box, async (call) => {
        // The Cache API's error names the folder the child tried: inside one of the sandbox's own.
        const r = await call("workerStorage");
        assert.equal(r.ok, false);
        const tried = r.ok ? "" : /(\/\S+)\/location_data\//.exec(r.message)?.[1];
        assert.ok(tried, `no folder in: ${r.ok ? "" : r.message}`);
        assert.ok(box.denoDirs.includes(tried), `${tried} is not a sandbox folder`);
        assert.ok(!dirs.includes(tried), "two episodes share a DENO_DIR");
        dirs.push(tried);
        assert.ok((await Deno.stat(`${tried}/location_data`)).isFile);
      });
    }
    assert.ok(dirs.every((d) => d.includes("/tooltrial-handler-")), dirs.join());
  } finally {
    await box.close();
  }
  for (const d of dirs) {
    await assert.rejects(Deno.stat(d), Deno.errors.NotFound, `${d} left behind`);
  }
});
