import assert from "node:assert/strict";
import { lrAt, sftBatches, sftPlan } from "./sft.ts";

Deno.test("sft batches: one shared prefix per batch, every example once per epoch, seeded", () => {
  const prefixes = Array.from({ length: 23 }, (_, i) => `p${i % 3}`);
  const batches = sftBatches(prefixes, { epochs: 2, batch: 4, seed: 5 });
  // Groups of 8, 8, 7 → 2 + 2 + 2 batches an epoch.
  assert.equal(batches.length, 12);
  for (const b of batches) assert.equal(new Set(b.map((i) => prefixes[i])).size, 1);
  const first = batches.slice(0, 6).flat().sort((a, b) => a - b);
  assert.deepEqual(first, prefixes.map((_, i) => i));
  assert.deepEqual(sftBatches(prefixes, { epochs: 2, batch: 4, seed: 5 }), batches);
  assert.notDeepEqual(sftBatches(prefixes, { epochs: 2, batch: 4, seed: 6 }), batches);
  assert.equal(sftBatches(prefixes, { epochs: 0.5, batch: 4, seed: 5 }).length, 3);
});

Deno.test("sft learning rate: linear warm-up, then cosine down to a tenth", () => {
  const o = { lr: 1, warmup: 4, steps: 104 };
  assert.equal(lrAt(0, o), 0.25);
  assert.equal(lrAt(3, o), 1);
  assert.equal(lrAt(4, o), 1);
  assert.ok(Math.abs(lrAt(54, o) - 0.55) < 1e-9);
  assert.ok(Math.abs(lrAt(104, o) - 0.1) < 1e-9);
});

Deno.test("sft plan: without a curriculum, exactly the batches of sftBatches, epochs marked", () => {
  const prefixes = Array.from({ length: 23 }, (_, i) => `p${i % 3}`);
  const opts = { epochs: 2.5, batch: 4, seed: 5 };
  const plan = sftPlan(prefixes, prefixes.map(() => undefined), opts);
  assert.deepEqual(plan.map((s) => s.batch), sftBatches(prefixes, opts));
  assert.ok(plan.every((s) => s.phase === "all"));
  // 6 batches an epoch; the half epoch at the end is marked too.
  assert.deepEqual(
    plan.flatMap((s, i) => s.endsEpoch === null ? [] : [[i + 1, s.endsEpoch]]),
    [[6, 1], [12, 2], [15, 3]],
  );
});

Deno.test("sft plan: curriculum phases first, each on its own examples, then all the data", () => {
  const envs = ["library", "shop", "library", "calendar"];
  const prefixes = Array.from({ length: 24 }, (_, i) => `p${i % 4}`);
  const sources = prefixes.map((_, i) => ({
    env: envs[i % 4],
    variant: i % 3 === 0 ? "clean" : "typos",
  }));
  const opts = {
    epochs: 1,
    batch: 2,
    seed: 9,
    curriculum: [
      { envs: ["library"], epochs: 2 },
      { envs: ["shop", "calendar"], variants: ["clean"], epochs: 1 },
    ],
  };
  const plan = sftPlan(prefixes, sources, opts);
  const library = plan.filter((s) => s.phase === "library");
  const second = plan.filter((s) => s.phase === "shop+calendar · clean");
  const all = plan.filter((s) => s.phase === "all");
  // Phases in order: library, then shop+calendar on clean, then all.
  assert.deepEqual(
    [...new Set(plan.map((s) => s.phase))],
    ["library", "shop+calendar · clean", "all"],
  );
  const libIdx = sources.flatMap((s, i) => s.env === "library" ? [i] : []);
  for (const s of library) for (const i of s.batch) assert.equal(sources[i].env, "library");
  // Two epochs: each library example twice.
  assert.deepEqual(
    library.flatMap((s) => s.batch).sort((a, b) => a - b),
    [...libIdx, ...libIdx].sort((a, b) => a - b),
  );
  assert.deepEqual(library.filter((s) => s.endsEpoch !== null).map((s) => s.endsEpoch), [1, 2]);
  for (const s of second) {
    for (const i of s.batch) {
      assert.ok(["shop", "calendar"].includes(sources[i].env) && sources[i].variant === "clean");
    }
  }
  // The epochs over all the data are what the stage trains without a curriculum.
  assert.deepEqual(all.map((s) => s.batch), sftBatches(prefixes, opts));
  // Batches still share one prefix.
  for (const s of plan) assert.equal(new Set(s.batch.map((i) => prefixes[i])).size, 1);
  assert.deepEqual(sftPlan(prefixes, sources, opts), plan); // seeded
});

Deno.test("sft plan: a phase that selects no example says which and how to fix it", () => {
  assert.throws(
    () =>
      sftPlan(["a"], [{ env: "library", variant: "clean" }], {
        epochs: 1,
        batch: 1,
        seed: 0,
        curriculum: [{ envs: ["shop"], epochs: 1 }],
      }),
    /curriculum phase 1 \(shop\): the data holds no example of those environments — name environments/,
  );
});
