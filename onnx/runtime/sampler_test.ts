import assert from "node:assert/strict";
import fc from "fast-check";
import { createRng } from "../../core/rng.ts";
import { GREEDY, sampleToken } from "./sampler.ts";

const logits = fc.array(fc.float({ min: -20, max: 20, noNaN: true }), {
  minLength: 2,
  maxLength: 40,
})
  .map((a) => Float32Array.from(a));

Deno.test("sampler: greedy is the first argmax; top_k 1 is greedy at any temperature (property)", () => {
  fc.assert(
    fc.property(logits, fc.integer(), (l, seed) => {
      const arg = l.indexOf(Math.max(...l));
      assert.equal(sampleToken(l, GREEDY, createRng(seed)), arg);
      assert.equal(sampleToken(l, { temperature: 2, top_k: 1, top_p: 1 }, createRng(seed)), arg);
    }),
    { seed: 1 },
  );
});

Deno.test("sampler: top-k and top-p never pick outside their set; same seed, same draw (property)", () => {
  fc.assert(
    fc.property(logits, fc.integer({ min: 1, max: 5 }), fc.integer(), (l, k, seed) => {
      const s = { temperature: 1, top_k: k, top_p: 1 };
      const t = sampleToken(l, s, createRng(seed));
      assert.equal(t, sampleToken(l, s, createRng(seed)));
      const kth = [...l].sort((a, b) => b - a)[Math.min(k, l.length) - 1];
      assert.ok(l[t] >= kth);
      const p = sampleToken(l, { temperature: 1, top_k: 0, top_p: 1e-6 }, createRng(seed));
      assert.equal(l[p], Math.max(...l), "a tiny top_p keeps only the most likely token");
    }),
    { seed: 2 },
  );
});

Deno.test("sampler: draws follow the softmax distribution", () => {
  const l = Float32Array.from([Math.log(1), Math.log(2), Math.log(7)]);
  const rng = createRng(3), counts = [0, 0, 0];
  for (let i = 0; i < 20000; i++) {
    counts[sampleToken(l, { temperature: 1, top_k: 0, top_p: 1 }, rng)]++;
  }
  [0.1, 0.2, 0.7].forEach((p, i) =>
    assert.ok(Math.abs(counts[i] / 20000 - p) < 0.015, `${counts}`)
  );
});
