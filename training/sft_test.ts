import assert from "node:assert/strict";
import { lrAt, sftBatches } from "./sft.ts";

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
