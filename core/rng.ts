/** A seeded pseudo-random generator (sfc32). All randomness in results comes from one of these. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** One of `items`, uniformly. */
  pick<T>(items: readonly T[]): T;
}

/** 32-bit FNV-1a over a string, for deriving seeds from names. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Seed derived from parts, e.g. (run seed, task id, agent, sample). */
export function deriveSeed(...parts: (string | number)[]): number {
  return hash32(parts.join("\u241f"));
}

/**
 * Make a generator from a 32-bit seed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRng } from "./rng.ts";
 * const a = createRng(7), b = createRng(7);
 * assert.ok(a.next() === b.next());
 * ```
 */
export function createRng(seed: number): Rng {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const next = () => {
    a >>>= 0, b >>>= 0, c >>>= 0, d >>>= 0;
    const t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    const r = (t + d) | 0;
    c = (c + r) | 0;
    return (r >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (items) => items[Math.floor(next() * items.length)],
  };
}
