import type { Rng } from "../../core/rng.ts";

/** How the next token is chosen. `temperature: 0` is greedy (argmax). */
export interface Sampling {
  /** Softmax temperature; 0 is greedy. */
  temperature: number;
  /** Keep only the k most likely tokens (0 = off). */
  top_k: number;
  /** Keep the smallest set of tokens whose probability reaches p (1 = off). */
  top_p: number;
}

export const GREEDY: Sampling = { temperature: 0, top_k: 0, top_p: 1 };

/**
 * Pick the next token from one row of logits. Greedy takes the first maximum; otherwise
 * temperature, then top-k, then top-p, then one draw from `rng` — the same seed gives the same token.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sampleToken, GREEDY } from "./sampler.ts";
 * import { createRng } from "../../core/rng.ts";
 * assert.ok(sampleToken(new Float32Array([0, 3, 1]), GREEDY, createRng(1)) === 1);
 * ```
 */
export function sampleToken(logits: Float32Array, s: Sampling, rng: Rng): number {
  const n = logits.length;
  let best = 0;
  for (let i = 1; i < n; i++) if (logits[i] > logits[best]) best = i;
  if (s.temperature <= 0) return best;
  const max = logits[best];
  let ids: number[];
  if (s.top_k > 0 && s.top_k < n) {
    ids = Array.from({ length: n }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b)
      .slice(0, s.top_k);
  } else if (s.top_p < 1) {
    ids = Array.from({ length: n }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
  } else {
    ids = Array.from({ length: n }, (_, i) => i);
  }
  let probs = ids.map((i) => Math.exp((logits[i] - max) / s.temperature));
  let z = probs.reduce((a, b) => a + b, 0);
  if (s.top_p < 1) {
    // ids are sorted by probability here: keep the shortest head reaching top_p.
    let acc = 0, keep = 0;
    while (keep < ids.length && acc < s.top_p * z) acc += probs[keep++];
    ids = ids.slice(0, keep), probs = probs.slice(0, keep), z = acc;
  }
  let r = rng.next() * z;
  for (let i = 0; i < ids.length; i++) {
    r -= probs[i];
    if (r < 0) return ids[i];
  }
  // Rounding left r unspent: the last token that can be drawn (a masked one has -Infinity).
  let last = ids.length - 1;
  while (last > 0 && logits[ids[last]] === -Infinity) last--;
  return ids[last];
}
