import assert from "node:assert/strict";
import { Sandbox } from "./sandbox.ts";

const busy = `
export const quick = (a: { i: number }) => ({ result: a.i });
export const busy = (a: { ms: number }) => {
  const end = Date.now() + a.ms;
  while (Date.now() < end) { /* work */ }
  return { result: a.ms };
};
export const big = (a: { n: number; seed: number }) => {
  let s = "", x = a.seed;
  for (let i = 0; i < a.n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    s += String.fromCharCode(32 + (x % 90), 0x3b1 + (x % 20));
  }
  return { result: s };
};
let n = 0;
export const count = (a: { who: number }) => ({ result: [a.who, ++n] });
`;

Deno.test("sandbox child: each call's time limit counts from its own start, with one timer per child", async () => {
  const box = new Sandbox({ "m.ts": busy }, { limits: { timeoutMs: 3000 }, processes: 1 });
  const lease = box.lease();
  try {
    // The child started and loaded (that request has a limit of its own).
    assert.ok((await lease.call("m.ts", "quick", { i: -1 }, {})).ok);
    // Quick calls for two seconds: a timer set at the first one and never moved is due in one.
    const t0 = performance.now();
    for (let i = 0; performance.now() - t0 < 2000; i++) {
      assert.deepEqual(await lease.call("m.ts", "quick", { i }, {}), {
        ok: true,
        value: { result: i },
      });
    }
    // 1.5 s of work within its own 3 s, though past the first call's deadline (slack for load).
    assert.deepEqual(await lease.call("m.ts", "busy", { ms: 1500 }, {}), {
      ok: true,
      value: { result: 1500 },
    });
    // A shorter limit than the timer already set (due 1.5 s after this call starts): killed on its
    // own deadline, not that one.
    const t1 = performance.now();
    const r = await lease.call("m.ts", "busy", { ms: 5000 }, {}, { timeoutMs: 300 });
    assert.equal(r.ok, false);
    assert.ok(
      !r.ok && r.reason === "timeout" && /within 300 ms/.test(r.message),
      JSON.stringify(r),
    );
    assert.ok(performance.now() - t1 < 1200, `killed after ${performance.now() - t1} ms`);
    // And the lease goes on in the replacement.
    assert.deepEqual(await lease.call("m.ts", "quick", { i: 7 }, {}), {
      ok: true,
      value: { result: 7 },
    });
  } finally {
    await lease.close();
    await box.close();
  }
});

Deno.test("sandbox child: many leases' calls pipelined to one child, written together, reach their own callers in order", async () => {
  const box = new Sandbox({ "m.ts": busy }, { processes: 1 });
  try {
    assert.ok((await box.call("m.ts", "quick", { i: 0 }, {})).ok);
    const pids = box.pids;
    const seen = await Promise.all(Array.from({ length: 24 }, async (_, who) => {
      const got: unknown[] = [];
      // Leases open and close while others' calls are in flight (their ends go out with calls).
      for (let episode = 0; episode < 3; episode++) {
        const lease = box.lease();
        for (let k = 0; k < 6; k++) {
          const r = await lease.call("m.ts", "count", { who }, {});
          got.push(r.ok ? r.value : r);
        }
        await lease.close();
      }
      return got;
    }));
    for (const [who, got] of seen.entries()) {
      const one = [1, 2, 3, 4, 5, 6].map((n) => ({ result: [who, n] }));
      assert.deepEqual(got, [...one, ...one, ...one], `lease set ${who}`);
    }
    assert.deepEqual(box.pids, pids, "no process was replaced");
  } finally {
    await box.close();
  }
});

Deno.test("sandbox child: replies longer than one read (the read buffer is reused) arrive whole, beside others' short ones", async () => {
  const box = new Sandbox({ "m.ts": busy }, { processes: 1 });
  // The same text, made here: pseudo-random characters, half of them two bytes in UTF-8.
  const want = (n: number, seed: number) => {
    let s = "", x = seed;
    for (let i = 0; i < n; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      s += String.fromCharCode(32 + (x % 90), 0x3b1 + (x % 20));
    }
    return s;
  };
  try {
    const got = await Promise.all(Array.from({ length: 12 }, async (_, i) => {
      const lease = box.lease();
      try {
        const n = i % 3 === 0 ? 150_000 + i * 7_919 : 3 + i;
        const r = await lease.call("m.ts", "big", { n, seed: i + 1 }, {});
        return r.ok && (r.value as { result: string }).result === want(n, i + 1);
      } finally {
        await lease.close();
      }
    }));
    assert.deepEqual(got, got.map(() => true));
  } finally {
    await box.close();
  }
});
