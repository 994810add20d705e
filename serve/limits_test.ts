import assert from "node:assert/strict";
import { Hono } from "hono";
import { limit } from "./limits.ts";

function app() {
  let reads = 0;
  const a = new Hono();
  a.get("/now", (c) => c.json({ ok: true }));
  a.get("/soon", async (c) => {
    await new Promise((r) => setTimeout(r, 5));
    return c.json({ ok: true });
  });
  a.post("/echo", async (c) => {
    reads++;
    return c.json({ length: (await c.req.text()).length });
  });
  let release = () => {};
  a.get("/slow", async (c) => {
    await new Promise<void>((r) => release = r);
    return c.json({ ok: true });
  });
  limit(a, { maxBodyBytes: 100, timeoutMs: 40 });
  return { a, reads: () => reads, release: () => release() };
}

Deno.test("limits: a declared body over the limit is refused before the route reads it", async () => {
  const { a, reads } = app();
  const post = (n: number) => ({
    method: "POST",
    headers: { "content-length": String(n) },
    body: "x".repeat(n),
  });
  const big = await a.request("/echo", post(101));
  assert.equal(big.status, 413);
  assert.deepEqual(await big.json(), {
    error: { status: 413, message: "request body too large", hint: "at most 100 bytes" },
  });
  assert.equal(reads(), 0);
  const ok = await a.request("/echo", post(100));
  assert.deepEqual([ok.status, await ok.json()], [200, { length: 100 }]);
});

Deno.test("limits: answers in time pass through, sync or not", async () => {
  const { a } = app();
  for (const path of ["/now", "/soon", "/nothing-here"]) {
    const res = await a.request(path);
    assert.equal(res.status, path === "/nothing-here" ? 404 : 200, path);
    await res.body?.cancel();
  }
});

Deno.test("limits: a request that takes too long is answered 503, and the ticker stops", async () => {
  const { a, release } = app();
  const t0 = performance.now();
  const res = await a.request("/slow");
  assert.equal(res.status, 503);
  assert.ok(performance.now() - t0 >= 40);
  assert.deepEqual(await res.json(), {
    error: { status: 503, message: "request took longer than 40 ms", hint: "retry later" },
  });
  // The route finishing later changes nothing; no timer is left behind (the test sanitizer
  // fails a test that leaks one).
  release();
  await new Promise((r) => setTimeout(r, 0));
});
