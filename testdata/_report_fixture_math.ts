/**
 * The arithmetic of testdata/report_fixture.ts: rounding, Wilson and normal intervals, a seeded
 * uniform generator, a stable fake digest and an exact McNemar test.
 * @module
 */

/** `x` rounded to four decimals, as reports write rates. */
export const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
/** `x` clamped to [0, 1]. */
export const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
/** A rounded interval. */
export const interval = (lo: number, hi: number): [number, number] => [round4(lo), round4(hi)];

/** Wilson 95% interval of k successes in n. */
export function wilson(k: number, n: number): [number, number] {
  if (n === 0) return [0, 0];
  const z = 1.96, p = k / n, d = 1 + z * z / n;
  const c = (p + z * z / (2 * n)) / d;
  const h = z * Math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d;
  return interval(clamp01(c - h), clamp01(c + h));
}

/** Stand-in for the task bootstrap: a normal interval over tasks (degenerate at 0% and 100%). */
export function bootstrap(k: number, n: number, tasks: number): [number, number] {
  const p = k / n, h = 1.96 * Math.sqrt(p * (1 - p) / tasks);
  return interval(clamp01(p - h), clamp01(p + h));
}

/** Deterministic uniform draws (mulberry32). */
export function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fake but stable hex digest of a string. */
export function digest(text: string, length = 64): string {
  let out = "";
  for (let i = 0; out.length < length; i++) {
    let h = 2166136261 ^ i;
    for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
    out += (h >>> 0).toString(16).padStart(8, "0");
  }
  return out.slice(0, length);
}

/** Exact two-sided McNemar test: a binomial test on the discordant pairs. */
export function mcnemar(onlyA: number, onlyB: number): number {
  const n = onlyA + onlyB;
  if (n === 0) return 1;
  let tail = 0, coef = 1;
  for (let i = 0; i <= Math.min(onlyA, onlyB); i++) {
    tail += coef;
    coef = coef * (n - i) / (i + 1);
  }
  return round4(Math.min(1, 2 * tail / 2 ** n));
}
