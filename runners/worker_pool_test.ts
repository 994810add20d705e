import assert from "node:assert/strict";
import { loadSuite } from "../spec/mod.ts";
import { runSuite } from "./run.ts";
import { EpisodePool, runsInWorkers, threadsPerWorker } from "./worker_pool.ts";

Deno.test("threadsPerWorker: workers × intra-op threads stay within the cores", () => {
  const cases: [number | "auto", number, number, number | "auto"][] = [
    ["auto", 4, 8, "auto"], // one thread on the CPU already
    [0, 1, 8, 0], // one worker: the setting as it is
    [0, 2, 8, 4],
    [0, 3, 2, 1],
    [2, 2, 8, 2],
    [8, 2, 8, 4],
  ];
  for (const [setting, workers, cores, want] of cases) {
    const got = threadsPerWorker(setting, workers, cores);
    assert.equal(got, want, `${setting} threads, ${workers} workers, ${cores} cores`);
    if (typeof got === "number" && got > 0 && workers > 1) {
      assert.ok(got * workers <= cores || got === 1);
    }
  }
});

Deno.test("EpisodePool: records and variant mappings as runSuite's in one thread; endpoint agents stay here", async () => {
  const suite = await loadSuite("testdata/good/suite.yaml");
  const strip = (x: unknown) => JSON.stringify(x, (k, v) => (k === "ms" ? undefined : v));
  const variants = (into: unknown[]) => (ev: unknown) => void into.push(ev);
  const [here, there]: unknown[][] = [[], []];
  const one = await runSuite(suite, { onVariant: variants(here) });
  const pool = await EpisodePool.open(suite, { workers: 2, selection: {} });
  try {
    assert.equal(pool.size, 2);
    assert.ok(suite.agents.every((a) => pool.runs(a.name) === runsInWorkers(a)));
    const two = await runSuite(suite, { pool, concurrency: 3, onVariant: variants(there) });
    assert.equal(strip(two), strip(one));
    assert.equal(strip(there), strip(here));
  } finally {
    await pool.close();
  }
  assert.equal(
    runsInWorkers({ name: "e", kind: "openai", options: {} } as never),
    false,
    "endpoint agents run in the main thread",
  );
});
