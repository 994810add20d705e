/**
 * Pure statistics for reports: cluster bootstrap CIs (one group, or a difference of two),
 * pass@k / pass^k and the exact McNemar test.
 * Nothing here rounds; callers round for display.
 * @module
 */

/** Options for {@linkcode bootstrapCI}. */
export interface BootstrapOptions {
  /** Seed for the resampling generator (taken modulo 2^32, as `createRng` does). */
  seed: number;
  /** Number of bootstrap resamples; a positive integer. Default 2000. */
  resamples?: number;
  /** Confidence level in (0, 1). Default 0.95. */
  level?: number;
  /**
   * Resample indices to reuse: intervals asked with the same seed and the same number of clusters
   * draw the same indices, so they are made once (the interval is the same with or without).
   */
  draws?: SharedDraws;
}

/**
 * Cluster resample indices, drawn once per (seed, number of clusters, resamples) and kept for the
 * next interval that asks for the same — every row of one agent's report, which resample its tasks
 * alike. Holds at most `maxBytes` of indices (default 8 MiB), the least recently used dropped
 * first; a dropped set is drawn again, the same.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bootstrapCI, SharedDraws } from "./stats.ts";
 * const draws = new SharedDraws();
 * const rows = [[[1, 0], [1, 1], [0]], [[0, 0], [1, 1], [1]]];
 * for (const row of rows) {
 *   assert.deepEqual(bootstrapCI(row, { seed: 7, draws }), bootstrapCI(row, { seed: 7 }));
 * }
 * assert.equal(draws.size, 1);
 * ```
 */
export class SharedDraws {
  readonly #sets = new Map<string, Uint16Array | Int32Array>();
  readonly #max: number;
  #bytes = 0;
  /** `maxBytes`: most bytes of index sets kept (default 8 MiB). */
  constructor(opts: { maxBytes?: number } = {}) {
    this.#max = opts.maxBytes ?? 8 << 20;
  }

  /** Index sets held. */
  get size(): number {
    return this.#sets.size;
  }

  /** The indices of `resamples` resamples of `k` clusters from `seed`: resample r at r·k … r·k + k − 1. */
  indices(seed: number, k: number, resamples: number): Uint16Array | Int32Array {
    const key = `${seed | 0}/${k}/${resamples}`;
    let set = this.#sets.get(key);
    if (set) {
      this.#sets.delete(key);
      this.#sets.set(key, set);
      return set;
    }
    set = drawIndices(seed, k, resamples);
    this.#sets.set(key, set);
    this.#bytes += set.byteLength;
    for (const [old, s] of this.#sets) {
      if (this.#bytes <= this.#max || old === key) break;
      this.#sets.delete(old);
      this.#bytes -= s.byteLength;
    }
    return set;
  }
}

/**
 * Percentile bootstrap CI of the mean, resampling whole clusters (e.g. all episodes of one task)
 * with replacement. Resampling clusters rather than single values is what makes the samples of
 * one task count once: repeated episodes of a task are correlated, and treating them as
 * independent would give intervals that are too narrow. The statistic of a resample is the mean
 * over all its values (sum of values / count of values), so larger clusters weigh more.
 * Empty clusters are ignored. Returns null when there are no values. Deterministic for a given
 * seed; each resample costs O(#clusters) because cluster sums and counts are precomputed.
 * The bounds are clamped to [min, max] of the values to absorb floating-point error.
 * Throws RangeError for a non-finite value, a bad `resamples` or a `level` outside (0, 1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bootstrapCI } from "./stats.ts";
 * const ci = bootstrapCI([[1, 1, 0], [0, 0], [1, 0, 1, 1]], { seed: 1 });
 * assert.ok(ci !== null && ci[0] <= 5 / 9 && 5 / 9 <= ci[1]);
 * assert.ok(bootstrapCI([[], []], { seed: 1 }) === null);
 * ```
 */
export function bootstrapCI(
  clusters: readonly (readonly number[])[],
  opts: BootstrapOptions,
): [number, number] | null {
  const { resamples, alpha } = checkOptions("bootstrapCI", opts);
  const a = summarizeClusters("bootstrapCI", "clusters", clusters);
  if (a === null) return null;
  // Every value the same (a row at 0% or 100%): every resample gives it, and the interval is
  // clamped to [min, max] anyway — the same answer without the resamples.
  if (a.min === a.max) return [a.min, a.min];
  const stats = opts.draws
    ? gatherMeans(a, opts.draws.indices(opts.seed, a.sums.length, resamples), resamples)
    : resampleMeans([a], opts.seed, resamples)[0];
  return percentileInterval(stats, alpha, a.min, a.max);
}

/**
 * Percentile bootstrap CI of mean(a) − mean(b) for two independent groups of clusters (e.g.
 * seen vs unseen tasks), resampling the clusters of each group with replacement, separately.
 * As in {@linkcode bootstrapCI}, resampling clusters (tasks) rather than values is what makes
 * the samples of one task count once, and each group's statistic is sum / count of its values.
 * For paired data (same tasks under A and B) use {@linkcode bootstrapCI} on the per-pair
 * differences instead. Returns null when either group has no values. Deterministic per seed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bootstrapDiffCI } from "./stats.ts";
 * const seen = [[1, 1], [1, 0], [1, 1], [1, 1]], unseen = [[0, 0], [1, 0], [0, 0], [0, 1]];
 * const ci = bootstrapDiffCI(seen, unseen, { seed: 1 });
 * assert.ok(ci !== null && ci[0] > 0);
 * ```
 */
export function bootstrapDiffCI(
  a: readonly (readonly number[])[],
  b: readonly (readonly number[])[],
  opts: BootstrapOptions,
): [number, number] | null {
  const { resamples, alpha } = checkOptions("bootstrapDiffCI", opts);
  const sa = summarizeClusters("bootstrapDiffCI", "a", a);
  const sb = summarizeClusters("bootstrapDiffCI", "b", b);
  if (sa === null || sb === null) return null;
  if (sa.min === sa.max && sb.min === sb.max) return [sa.min - sb.max, sa.min - sb.max];
  const [stats, ofB] = resampleMeans([sa, sb], opts.seed, resamples);
  for (let r = 0; r < resamples; r++) stats[r] -= ofB[r];
  return percentileInterval(stats, alpha, sa.min - sb.max, sa.max - sb.min);
}

interface ClusterSums {
  sums: Float64Array;
  counts: Float64Array;
  min: number;
  max: number;
}

function checkOptions(fn: string, opts: BootstrapOptions): { resamples: number; alpha: number } {
  const resamples = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  if (!Number.isSafeInteger(resamples) || resamples < 1) {
    throw new RangeError(`${fn}: resamples must be a positive integer, got ${resamples}`);
  }
  if (!(level > 0 && level < 1)) {
    throw new RangeError(`${fn}: level must be in (0, 1), got ${level}`);
  }
  return { resamples, alpha: (1 - level) / 2 };
}

/** Per-cluster sums and counts (empty clusters dropped), so a resample costs O(#clusters). */
function summarizeClusters(
  fn: string,
  name: string,
  clusters: readonly (readonly number[])[],
): ClusterSums | null {
  const sums: number[] = [];
  const counts: number[] = [];
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < clusters.length; i++) {
    const cluster = clusters[i];
    if (cluster.length === 0) continue;
    let s = 0;
    for (let j = 0; j < cluster.length; j++) {
      const v = cluster[j];
      if (!Number.isFinite(v)) {
        throw new RangeError(`${fn}: ${name}[${i}][${j}] is ${v}; values must be finite`);
      }
      s += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    sums.push(s);
    counts.push(cluster.length);
  }
  if (sums.length === 0) return null;
  return { sums: Float64Array.from(sums), counts: Float64Array.from(counts), min, max };
}

/**
 * The means of `resamples` cluster resamples of each group, drawn as resample 0 of every group,
 * then resample 1, …: the draws of `createRng(seed).int(k)` in that order, with the generator
 * (sfc32, core/rng.ts) inlined over local integers — the same numbers, at a fraction of the cost of
 * a closure call per draw.
 */
function resampleMeans(
  groups: readonly ClusterSums[],
  seed: number,
  resamples: number,
): Float64Array[] {
  const out = groups.map(() => new Float64Array(resamples));
  let a = 0x9e3779b9 | 0, b = 0x243f6a88 | 0, c = 0xb7e15162 | 0, d = seed | 0;
  // createRng's warm-up: 12 draws thrown away.
  for (let i = 0; i < 12; i++) {
    const t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    c = (c + ((t + d) | 0)) | 0;
  }
  for (let r = 0; r < resamples; r++) {
    for (let g = 0; g < groups.length; g++) {
      const { sums, counts } = groups[g];
      const k = sums.length;
      let s = 0, n = 0;
      for (let j = 0; j < k; j++) {
        const t = (a + b) | 0;
        a = b ^ (b >>> 9);
        b = (c + (c << 3)) | 0;
        c = (c << 21) | (c >>> 11);
        d = (d + 1) | 0;
        const x = (t + d) | 0;
        c = (c + x) | 0;
        const i = Math.floor(((x >>> 0) / 4294967296) * k);
        s += sums[i];
        n += counts[i];
      }
      out[g][r] = s / n;
    }
  }
  return out;
}

/**
 * The draws `resampleMeans` makes for one group of `k` clusters, kept as indices: resample r's
 * clusters at r·k … r·k + k − 1.
 */
function drawIndices(seed: number, k: number, resamples: number): Uint16Array | Int32Array {
  const out = k <= 0x10000 ? new Uint16Array(resamples * k) : new Int32Array(resamples * k);
  let a = 0x9e3779b9 | 0, b = 0x243f6a88 | 0, c = 0xb7e15162 | 0, d = seed | 0;
  for (let i = 0; i < 12; i++) {
    const t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    c = (c + ((t + d) | 0)) | 0;
  }
  for (let i = 0; i < out.length; i++) {
    const t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    const x = (t + d) | 0;
    c = (c + x) | 0;
    out[i] = Math.floor(((x >>> 0) / 4294967296) * k);
  }
  return out;
}

/** The resample means of one group from drawn indices (the same numbers `resampleMeans` gives). */
function gatherMeans(
  g: ClusterSums,
  idx: Uint16Array | Int32Array,
  resamples: number,
): Float64Array {
  const { sums, counts } = g;
  const k = sums.length;
  const out = new Float64Array(resamples);
  for (let r = 0, at = 0; r < resamples; r++) {
    let s = 0, n = 0;
    for (const end = at + k; at < end; at++) {
      const i = idx[at];
      s += sums[i];
      n += counts[i];
    }
    out[r] = s / n;
  }
  return out;
}

/** Sorts `stats` in place; bounds are clamped to [min, max] to absorb floating-point error. */
function percentileInterval(
  stats: Float64Array,
  alpha: number,
  min: number,
  max: number,
): [number, number] {
  stats.sort();
  const clamp = (x: number) => Math.min(max, Math.max(min, x));
  const lo = clamp(quantile(stats, alpha));
  const hi = clamp(quantile(stats, 1 - alpha));
  return [lo, Math.max(lo, hi)];
}

/** Linear-interpolation quantile (Hyndman–Fan type 7) of a sorted, non-empty array. */
function quantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const f = Math.floor(h);
  const a = sorted[f];
  if (f + 1 >= sorted.length) return a;
  const b = sorted[f + 1];
  return a === b ? a : a + (h - f) * (b - a);
}

function checkNCK(fn: string, n: number, c: number, k: number): void {
  const bad = (name: string, v: number) =>
    new RangeError(`${fn}: ${name} must be a non-negative integer, got ${v}`);
  if (!Number.isSafeInteger(n) || n < 0) throw bad("n", n);
  if (!Number.isSafeInteger(c) || c < 0) throw bad("c", c);
  if (!Number.isSafeInteger(k) || k < 1) {
    throw new RangeError(`${fn}: k must be a positive integer, got ${k}`);
  }
  if (c > n) throw new RangeError(`${fn}: c = ${c} successes exceeds n = ${n} samples`);
  if (k > n) {
    throw new RangeError(`${fn}: k = ${k} exceeds n = ${n} samples; drop tasks with fewer than k`);
  }
}

/**
 * Unbiased pass@k (Chen et al. 2021): the chance that at least one of k samples drawn without
 * replacement from n samples with c successes succeeds, 1 - C(n-c, k)/C(n, k).
 * Computed as q ← q + (1 - q)·c/(n - j) for j < k, which is exact for k = 1 (c/n), has no
 * cancellation for small values and is non-decreasing in k even in floating point.
 * Throws RangeError unless n, c are non-negative integers, k a positive integer, c ≤ n and k ≤ n.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { passAtK } from "./stats.ts";
 * assert.ok(passAtK(10, 3, 1) === 0.3);
 * assert.ok(passAtK(10, 8, 3) === 1);
 * ```
 */
export function passAtK(n: number, c: number, k: number): number {
  checkNCK("passAtK", n, c, k);
  if (n - c < k) return 1;
  let q = 0;
  for (let j = 0; j < k; j++) q += (1 - q) * (c / (n - j));
  return Math.min(1, q);
}

/**
 * pass^k (τ-bench) = C(c, k)/C(n, k): the chance that k samples drawn without replacement from
 * n samples with c successes all succeed; 0 when c < k. Computed as a product of ratios, so
 * it is exact for k = 1 (c/n) and non-increasing in k even in floating point.
 * Throws RangeError on the same inputs as {@linkcode passAtK}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { passHatK } from "./stats.ts";
 * assert.ok(passHatK(10, 3, 1) === 0.3);
 * assert.ok(Math.abs(passHatK(4, 2, 2) - 1 / 6) < 1e-15);
 * ```
 */
export function passHatK(n: number, c: number, k: number): number {
  checkNCK("passHatK", n, c, k);
  if (c < k) return 0;
  let p = 1;
  for (let j = 0; j < k && p > 0; j++) p *= (c - j) / (n - j);
  return p;
}

function meanOver(
  fn: (n: number, c: number, k: number) => number,
  name: string,
  tasks: readonly { n: number; c: number }[],
  k: number,
): number {
  if (tasks.length === 0) throw new RangeError(`${name}: no tasks to average over`);
  let s = 0;
  for (let i = 0; i < tasks.length; i++) {
    try {
      s += fn(tasks[i].n, tasks[i].c, k);
    } catch (e) {
      if (e instanceof RangeError) throw new RangeError(`${name}: tasks[${i}]: ${e.message}`);
      throw e;
    }
  }
  return s / tasks.length;
}

/**
 * Mean of {@linkcode passAtK} over tasks, each task given as its sample count n and success
 * count c. Every task must have n ≥ k. Throws RangeError for an empty list or a bad task,
 * naming its index.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { meanPassAtK } from "./stats.ts";
 * assert.ok(meanPassAtK([{ n: 10, c: 3 }, { n: 10, c: 0 }], 1) === 0.15);
 * ```
 */
export function meanPassAtK(tasks: readonly { n: number; c: number }[], k: number): number {
  return meanOver(passAtK, "meanPassAtK", tasks, k);
}

/**
 * Mean of {@linkcode passHatK} over tasks, each task given as its sample count n and success
 * count c. Every task must have n ≥ k. Throws RangeError for an empty list or a bad task,
 * naming its index.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { meanPassHatK } from "./stats.ts";
 * assert.ok(meanPassHatK([{ n: 4, c: 4 }, { n: 4, c: 1 }], 2) === 0.5);
 * ```
 */
export function meanPassHatK(tasks: readonly { n: number; c: number }[], k: number): number {
  return meanOver(passHatK, "meanPassHatK", tasks, k);
}

/** Result of {@linkcode mcnemarExact}. */
export interface McNemarResult {
  /** Discordant pairs where A is right and B wrong. */
  b: number;
  /** Discordant pairs where A is wrong and B right. */
  c: number;
  /** Exact two-sided p-value. */
  p_value: number;
}

/**
 * Exact two-sided McNemar test on the discordant pair counts b (A right, B wrong) and c (A wrong,
 * B right): p = min(1, 2·P(X ≤ min(b, c))) with X ~ Binomial(b + c, 1/2); b + c = 0 gives 1.
 * The point probability uses Loader's saddle-point formula (as R's dbinom does) and the tail is
 * summed by a ratio recurrence, so it is accurate to about 1e-13 relative for any b + c; no
 * factorials. A p-value below the smallest double (~5e-324) underflows to 0.
 * Throws RangeError unless b and c are non-negative integers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mcnemarExact } from "./stats.ts";
 * assert.ok(mcnemarExact(10, 0).p_value === 2 * 0.5 ** 10);
 * assert.ok(mcnemarExact(5, 5).p_value === 1);
 * ```
 */
export function mcnemarExact(b: number, c: number): McNemarResult {
  for (const [name, v] of [["b", b], ["c", c]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new RangeError(`mcnemarExact: ${name} must be a non-negative integer, got ${v}`);
    }
  }
  const n = b + c;
  const m = Math.min(b, c);
  if (n === 0) return { b, c, p_value: 1 };
  // 2·P(X ≤ 0) = 2^(1-n), exact in binary until it underflows.
  if (m === 0) return { b, c, p_value: Math.min(1, 2 ** (1 - n)) };
  // P(X ≤ m) = P(X = m) · Σ_{i ≤ m} P(X = i)/P(X = m); for m ≤ n/2 the ratios fall
  // monotonically, so the sum stops once the rest cannot change it.
  let sum = 1, t = 1;
  for (let i = m; i > 0; i--) {
    const ratio = i / (n - i + 1);
    t *= ratio;
    sum += t;
    if (t <= sum * 1e-17 * (1 - ratio)) break;
  }
  const p = 2 * binomHalfPmf(m, n) * sum;
  return { b, c, p_value: Math.min(1, p) };
}

const LN_2PI = 1.8378770664093453;

/** stirlerr(n) = ln(n!) - ln(√(2πn)·(n/e)^n), exact enough for small n, series beyond. */
const STIRLERR_SMALL: readonly number[] = (() => {
  const out: number[] = [0];
  let lnFact = 0;
  for (let n = 1; n <= 15; n++) {
    lnFact += Math.log(n);
    out.push(lnFact - (n + 0.5) * Math.log(n) + n - 0.5 * LN_2PI);
  }
  return out;
})();

function stirlerr(n: number): number {
  if (n <= 15) return STIRLERR_SMALL[n];
  const S0 = 1 / 12, S1 = 1 / 360, S2 = 1 / 1260, S3 = 1 / 1680, S4 = 1 / 1188;
  const nn = n * n;
  if (n > 500) return (S0 - S1 / nn) / n;
  if (n > 80) return (S0 - (S1 - S2 / nn) / nn) / n;
  if (n > 35) return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
  return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

/** bd0(x, np) = x·ln(x/np) + np - x, without cancellation when x ≈ np (Loader 2000). */
function bd0(x: number, np: number): number {
  if (Math.abs(x - np) < 0.1 * (x + np)) {
    let v = (x - np) / (x + np);
    let s = (x - np) * v;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const s1 = s + ej / (2 * j + 1);
      if (s1 === s) return s1;
      s = s1;
    }
  }
  return x * Math.log(x / np) + np - x;
}

/** P(X = x) for X ~ Binomial(n, 1/2), 0 < x < n. */
function binomHalfPmf(x: number, n: number): number {
  const half = n / 2;
  const lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, half) - bd0(n - x, half);
  const lf = LN_2PI + Math.log(x) + Math.log1p(-x / n);
  return Math.exp(lc - 0.5 * lf);
}
