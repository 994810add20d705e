import assert from "node:assert/strict";
import fc from "fast-check";
import { createRng, type Rng } from "../runners/rng.ts";
import {
  bootstrapCI,
  bootstrapDiffCI,
  mcnemarExact,
  meanPassAtK,
  meanPassHatK,
  passAtK,
  passHatK,
} from "./stats.ts";

const close = (a: number, b: number, rel = 1e-12) =>
  assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-300), `${a} vs ${b}`);

/** Fraction of k-subsets of n samples (the first c successes) with ≥ 1 / all successes. */
function bruteForce(n: number, c: number, k: number): { any: number; all: number } {
  let total = 0, any = 0, all = 0;
  for (let mask = 0; mask < 1 << n; mask++) {
    let size = 0, hits = 0;
    for (let i = 0; i < n; i++) {
      if (mask & (1 << i)) {
        size++;
        if (i < c) hits++;
      }
    }
    if (size !== k) continue;
    total++;
    if (hits > 0) any++;
    if (hits === k) all++;
  }
  return { any: any / total, all: all / total };
}

/** fast-check runs are seeded so failures reproduce. */
const FC = { seed: 20260115 } as const;

// ---------- pass@k / pass^k ----------

Deno.test("passAtK / passHatK: exact examples", () => {
  assert.equal(passAtK(10, 3, 1), 0.3);
  assert.equal(passHatK(10, 3, 1), 0.3);
  close(passAtK(5, 2, 2), 1 - 3 / 10); // C(3,2)/C(5,2) = 3/10
  close(passHatK(5, 2, 2), 1 / 10);
  assert.equal(passAtK(10, 8, 3), 1); // n - c < k
  assert.equal(passHatK(10, 2, 3), 0); // c < k
  assert.equal(passAtK(7, 0, 7), 0);
  assert.equal(passHatK(7, 7, 7), 1);
});

Deno.test("passAtK / passHatK match brute-force enumeration of all k-subsets (n ≤ 10)", () => {
  for (let n = 1; n <= 10; n++) {
    for (let c = 0; c <= n; c++) {
      for (let k = 1; k <= n; k++) {
        const { any, all } = bruteForce(n, c, k);
        close(passAtK(n, c, k), any, 1e-13);
        close(passHatK(n, c, k), all, 1e-13);
      }
    }
  }
});

Deno.test("passAtK / passHatK reject bad input with RangeError", () => {
  for (const fn of [passAtK, passHatK]) {
    assert.throws(() => fn(3, 1, 4), RangeError); // k > n
    assert.throws(() => fn(3, 4, 1), RangeError); // c > n
    assert.throws(() => fn(3, 1, 0), RangeError);
    assert.throws(() => fn(3, -1, 1), RangeError);
    assert.throws(() => fn(3.5, 1, 1), RangeError);
    assert.throws(() => fn(NaN, 1, 1), RangeError);
  }
});

const nck = fc.integer({ min: 1, max: 300 }).chain((n) =>
  fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }), fc.integer({ min: 1, max: n }))
);

Deno.test("property: pass@k and pass^k in [0, 1], k = 1 gives c/n, pass^k ≤ pass@k", () => {
  fc.assert(
    fc.property(nck, ([n, c, k]) => {
      const at = passAtK(n, c, k), hat = passHatK(n, c, k);
      assert.ok(at >= 0 && at <= 1 && hat >= 0 && hat <= 1);
      assert.ok(hat <= at);
      assert.equal(passAtK(n, c, 1), c / n);
      assert.equal(passHatK(n, c, 1), c / n);
    }),
    { ...FC, numRuns: 500 },
  );
});

Deno.test("property: pass@k non-decreasing and pass^k non-increasing in k", () => {
  fc.assert(
    fc.property(nck, ([n, c, k]) => {
      fc.pre(k < n);
      assert.ok(passAtK(n, c, k) <= passAtK(n, c, k + 1));
      assert.ok(passHatK(n, c, k) >= passHatK(n, c, k + 1));
    }),
    { ...FC, numRuns: 500 },
  );
});

Deno.test("property: c = n gives 1 and c = 0 gives 0 for both", () => {
  fc.assert(
    fc.property(nck, ([n, _c, k]) => {
      assert.equal(passAtK(n, n, k), 1);
      assert.equal(passHatK(n, n, k), 1);
      assert.equal(passAtK(n, 0, k), 0);
      assert.equal(passHatK(n, 0, k), 0);
    }),
    { ...FC, numRuns: 300 },
  );
});

Deno.test("meanPassHatK: τ-bench's pass^k curve over four tasks of 4 samples, known values", () => {
  // Tasks that succeeded 4, 3, 2 and 0 times out of 4.
  const tasks = [{ n: 4, c: 4 }, { n: 4, c: 3 }, { n: 4, c: 2 }, { n: 4, c: 0 }];
  close(meanPassHatK(tasks, 1), (1 + 3 / 4 + 2 / 4 + 0) / 4); // 0.5625: the success rate
  close(meanPassHatK(tasks, 2), (1 + 3 / 6 + 1 / 6 + 0) / 4); // C(3,2)/C(4,2), C(2,2)/C(4,2)
  close(meanPassHatK(tasks, 3), (1 + 1 / 4 + 0 + 0) / 4); // C(3,3)/C(4,3); c < k gives 0
  close(meanPassHatK(tasks, 4), 1 / 4); // only the task that never failed
  close(meanPassAtK(tasks, 2), (1 + 1 + (1 - 1 / 6) + 0) / 4); // 1 - C(2,2)/C(4,2) for c = 2
});

Deno.test("meanPassAtK / meanPassHatK average over tasks and name a bad task", () => {
  const tasks = [{ n: 10, c: 3 }, { n: 4, c: 4 }, { n: 5, c: 0 }];
  close(meanPassAtK(tasks, 2), (passAtK(10, 3, 2) + 1 + 0) / 3);
  close(meanPassHatK(tasks, 2), (passHatK(10, 3, 2) + 1 + 0) / 3);
  assert.equal(meanPassAtK(tasks, 1), (0.3 + 1 + 0) / 3);
  assert.throws(() => meanPassAtK([], 1), RangeError);
  assert.throws(
    () => meanPassHatK([{ n: 5, c: 1 }, { n: 2, c: 1 }], 3),
    /tasks\[1\]: passHatK: k = 3 exceeds n = 2/,
  );
});

// ---------- McNemar ----------

Deno.test("mcnemarExact: exact examples", () => {
  assert.deepEqual(mcnemarExact(10, 0), { b: 10, c: 0, p_value: 2 * 0.5 ** 10 });
  assert.equal(mcnemarExact(0, 10).p_value, 2 * 0.5 ** 10);
  assert.equal(mcnemarExact(5, 5).p_value, 1);
  assert.equal(mcnemarExact(0, 0).p_value, 1);
  assert.equal(mcnemarExact(1, 0).p_value, 1);
  assert.equal(mcnemarExact(1, 2).p_value, 1);
  close(mcnemarExact(7, 2).p_value, 0.1796875, 1e-14); // 2·(1 + 9 + 36)/512
  const large = mcnemarExact(600, 500).p_value;
  assert.ok(Number.isFinite(large) && large > 0 && large < 1);
});

Deno.test("mcnemarExact matches exact / 50-digit references (Python Fraction, mpmath)", () => {
  const reference: [number, number, number][] = [
    [600, 500, 0.0028195449914364275],
    [30, 12, 0.007915897334896727],
    [1000, 900, 0.02310884510890107],
    [3, 1, 0.625],
    [50000, 49000, 0.0014980826229749736508],
    [50500, 49500, 0.0015823598788515956444],
  ];
  for (const [b, c, p] of reference) close(mcnemarExact(b, c).p_value, p, 1e-13);
});

Deno.test("mcnemarExact: stable for b + c up to 100000", () => {
  for (const [b, c] of [[50000, 49000], [50001, 49999], [99000, 1000], [60000, 40000]]) {
    const { p_value } = mcnemarExact(b, c);
    assert.ok(Number.isFinite(p_value) && p_value >= 0 && p_value <= 1, `${b},${c}: ${p_value}`);
  }
  assert.equal(mcnemarExact(50000, 50000).p_value, 1);
  assert.equal(mcnemarExact(100000, 0).p_value, 0); // 2^-99999 underflows
  assert.throws(() => mcnemarExact(-1, 2), RangeError);
  assert.throws(() => mcnemarExact(1.5, 2), RangeError);
});

/** Reference via log C(n, i) = Σ ln((n - i + j)/j), summing every term of the tail. */
function mcnemarNaive(b: number, c: number): number {
  const n = b + c, m = Math.min(b, c);
  if (n === 0) return 1;
  const logPmf: number[] = [-n * Math.LN2];
  for (let i = 1; i <= m; i++) logPmf.push(logPmf[i - 1] + Math.log((n - i + 1) / i));
  const top = logPmf[m];
  let s = 0;
  for (const l of logPmf) s += Math.exp(l - top);
  return Math.min(1, 2 * Math.exp(top) * s);
}

Deno.test("property: mcnemarExact symmetric, p in (0, 1], agrees with a naive log-space sum", () => {
  fc.assert(
    fc.property(fc.nat(500), fc.nat(500), (b, c) => {
      const p = mcnemarExact(b, c).p_value;
      assert.equal(p, mcnemarExact(c, b).p_value);
      assert.ok(p > 0 && p <= 1);
      close(p, mcnemarNaive(b, c), 1e-10);
    }),
    { ...FC, numRuns: 500 },
  );
});

Deno.test("property: mcnemarExact p shrinks as the larger count grows", () => {
  fc.assert(
    fc.property(fc.nat(20000), fc.nat(20000), (x, y) => {
      const [b, c] = [Math.max(x, y), Math.min(x, y)];
      const p = mcnemarExact(b, c).p_value;
      assert.ok(p >= 0 && p <= 1);
      assert.ok(mcnemarExact(b + 1, c).p_value <= p * (1 + 1e-12));
    }),
    { ...FC, numRuns: 200 },
  );
});

// ---------- bootstrap ----------

const clustersArb = (values: fc.Arbitrary<number>, minClusters = 1) =>
  fc.array(fc.array(values, { minLength: 0, maxLength: 8 }), {
    minLength: minClusters,
    maxLength: 40,
  });
const seedArb = fc.integer({ min: 0, max: 0xffffffff });

Deno.test("bootstrap: rows where every value is the same need no resamples, same interval", () => {
  // The interval is clamped to [min, max]: with one value it can only be that value.
  assert.deepEqual(bootstrapCI([[1, 1], [1], [1, 1, 1]], { seed: 3 }), [1, 1]);
  assert.deepEqual(bootstrapCI([[0], [0, 0]], { seed: 3 }), [0, 0]);
  assert.deepEqual(bootstrapDiffCI([[1], [1, 1]], [[0, 0]], { seed: 3 }), [1, 1]);
  assert.deepEqual(bootstrapDiffCI([[1], [1, 1]], [[1, 0]], { seed: 3 })?.length, 2);
  assert.throws(() => bootstrapCI([[1]], { seed: 1, resamples: 0 }), RangeError);
});

Deno.test("bootstrapCI: no values gives null; bad options throw", () => {
  assert.equal(bootstrapCI([], { seed: 1 }), null);
  assert.equal(bootstrapCI([[], []], { seed: 1 }), null);
  assert.throws(() => bootstrapCI([[1]], { seed: 1, resamples: 0 }), RangeError);
  assert.throws(() => bootstrapCI([[1]], { seed: 1, level: 1 }), RangeError);
  assert.throws(() => bootstrapCI([[1, NaN]], { seed: 1 }), /clusters\[0\]\[1\]/);
});

Deno.test("bootstrapCI: one cluster gives its mean; the statistic is sum/count", () => {
  assert.deepEqual(bootstrapCI([[1, 0, 0, 1]], { seed: 3 }), [0.5, 0.5]);
  // Resamples are {A,A} → 1, {B,B} → 0, {A,B} → 10/11 (not 1/2): the middle 1% is 10/11.
  const ci = bootstrapCI([[1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [0]], { seed: 3, level: 0.01 });
  assert.deepEqual(ci, [10 / 11, 10 / 11]);
});

Deno.test("bootstrapCI: resampling clusters keeps one task's samples from counting many times", () => {
  // 10 tasks × 50 identical episodes: really 10 observations, not 500.
  const clustered = Array.from({ length: 10 }, (_, i) => Array(50).fill(i % 2));
  const flat = clustered.flat().map((v) => [v]);
  const [clo, chi] = bootstrapCI(clustered, { seed: 9 })!;
  const [flo, fhi] = bootstrapCI(flat, { seed: 9 })!;
  assert.ok(chi - clo > 3 * (fhi - flo), `${clo},${chi} vs ${flo},${fhi}`);
});

Deno.test("property: bootstrapCI deterministic per seed, lo ≤ hi, within [min, max]", () => {
  fc.assert(
    fc.property(
      clustersArb(fc.double({ min: -1e3, max: 1e3, noNaN: true })),
      seedArb,
      (clusters, seed) => {
        const ci = bootstrapCI(clusters, { seed, resamples: 200 });
        const all = clusters.flat();
        if (all.length === 0) return assert.equal(ci, null);
        assert.ok(ci !== null);
        assert.deepEqual(bootstrapCI(clusters, { seed, resamples: 200 }), ci);
        const [lo, hi] = ci;
        assert.ok(lo <= hi);
        assert.ok(Math.min(...all) <= lo && hi <= Math.max(...all));
      },
    ),
    { ...FC, numRuns: 200 },
  );
});

Deno.test("property: bootstrapCI of an all-equal sample is [v, v]", () => {
  fc.assert(
    fc.property(
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 20 }),
      seedArb,
      (v, sizes, seed) => {
        const clusters = sizes.map((s) => Array(s).fill(v));
        assert.deepEqual(bootstrapCI(clusters, { seed, resamples: 100 }), [v, v]);
      },
    ),
    { ...FC, numRuns: 200 },
  );
});

Deno.test("property: different seeds may differ but stay close", () => {
  let differed = 0;
  fc.assert(
    fc.property(
      clustersArb(fc.constantFrom(0, 1), 20).filter((cs) => cs.flat().length >= 20),
      seedArb,
      seedArb,
      (clusters, s1, s2) => {
        fc.pre(s1 !== s2);
        const [lo1, hi1] = bootstrapCI(clusters, { seed: s1 })!;
        const [lo2, hi2] = bootstrapCI(clusters, { seed: s2 })!;
        if (lo1 !== lo2 || hi1 !== hi2) differed++;
        // Monte Carlo error of a 2.5% quantile with 2000 resamples is ~2% of the CI width;
        // the slack covers that plus one lattice step of the 0/1 means.
        const tol = 0.15 * Math.max(hi1 - lo1, hi2 - lo2) + 2 / clusters.flat().length;
        assert.ok(Math.abs(lo1 - lo2) <= tol && Math.abs(hi1 - hi2) <= tol);
      },
    ),
    { ...FC, numRuns: 60 },
  );
  assert.ok(differed > 0, "seeds never changed the interval");
});

Deno.test("bootstrapCI: 95% CI covers p = 0.3 in ≥ 90 of 100 Bernoulli samples of size 200", () => {
  const data = createRng(12345);
  let covered = 0;
  for (let rep = 0; rep < 100; rep++) {
    const sample = Array.from({ length: 200 }, () => [data.next() < 0.3 ? 1 : 0]);
    const [lo, hi] = bootstrapCI(sample, { seed: rep, resamples: 1000 })!;
    if (lo <= 0.3 && 0.3 <= hi) covered++;
  }
  assert.ok(covered >= 90, `covered ${covered}/100`);
});

Deno.test("bootstrapDiffCI: null when a group is empty; separated groups exclude 0", () => {
  assert.equal(bootstrapDiffCI([[1]], [[], []], { seed: 1 }), null);
  assert.equal(bootstrapDiffCI([], [[1]], { seed: 1 }), null);
  assert.throws(() => bootstrapDiffCI([[1]], [[Infinity]], { seed: 1 }), /b\[0\]\[0\]/);
  const hi = Array.from({ length: 30 }, (_, i) => [1, i % 4 === 0 ? 0 : 1]);
  const lo = Array.from({ length: 30 }, (_, i) => [0, i % 4 === 0 ? 1 : 0]);
  const [l, h] = bootstrapDiffCI(hi, lo, { seed: 5 })!;
  const d = 52 / 60 - 8 / 60;
  assert.ok(0 < l && l <= d && d <= h, `${l},${h}`);
  const [nl, nh] = bootstrapDiffCI(lo, hi, { seed: 5 })!;
  assert.ok(nl <= -d && -d <= nh && nh < 0);
});

Deno.test("property: bootstrapDiffCI deterministic, lo ≤ hi, constant groups give [va − vb]", () => {
  const values = fc.double({ min: -1e3, max: 1e3, noNaN: true });
  fc.assert(
    fc.property(clustersArb(values), clustersArb(values), seedArb, (a, b, seed) => {
      const ci = bootstrapDiffCI(a, b, { seed, resamples: 200 });
      if (a.flat().length === 0 || b.flat().length === 0) return assert.equal(ci, null);
      assert.ok(ci !== null && ci[0] <= ci[1]);
      assert.deepEqual(bootstrapDiffCI(a, b, { seed, resamples: 200 }), ci);
      const [la, ha] = [Math.min(...a.flat()), Math.max(...a.flat())];
      const [lb, hb] = [Math.min(...b.flat()), Math.max(...b.flat())];
      assert.ok(la - hb <= ci[0] && ci[1] <= ha - lb);
    }),
    { ...FC, numRuns: 200 },
  );
  fc.assert(
    fc.property(values, values, seedArb, (va, vb, seed) => {
      const ci = bootstrapDiffCI([[va, va], [va]], [[vb], [vb, vb, vb]], { seed, resamples: 50 });
      assert.deepEqual(ci, [va - vb, va - vb]);
    }),
    { ...FC, numRuns: 100 },
  );
});

Deno.test("bootstrap: the inlined generator draws what createRng draws (intervals bit-identical to a reference loop)", () => {
  // The reference: one createRng per interval, rng.int(k) per cluster, as the bootstrap was written first.
  const summed = (cs: number[][]) =>
    cs.filter((c) => c.length).map((c) => [c.reduce((s, v) => s + v, 0), c.length]);
  const mean = (cs: number[][], rng: Rng) => {
    const sc = summed(cs);
    let s = 0, n = 0;
    for (let j = 0; j < sc.length; j++) {
      const [a, b] = sc[rng.int(sc.length)];
      s += a;
      n += b;
    }
    return s / n;
  };
  const interval = (stats: Float64Array, lo: number, hi: number): [number, number] => {
    stats.sort();
    const q = (p: number) => {
      const h = (stats.length - 1) * p, f = Math.floor(h);
      return f + 1 >= stats.length || stats[f] === stats[f + 1]
        ? stats[f]
        : stats[f] + (h - f) * (stats[f + 1] - stats[f]);
    };
    const clamp = (x: number) => Math.min(hi, Math.max(lo, x));
    const alpha = (1 - 0.95) / 2;
    const a = clamp(q(alpha));
    return [a, Math.max(a, clamp(q(1 - alpha)))];
  };
  const gen = createRng(99);
  const clusters = () =>
    Array.from(
      { length: 1 + gen.int(40) },
      () =>
        Array.from(
          { length: gen.int(5) },
          () => (gen.next() < 0.6 ? 1 : gen.next() < 0.5 ? 0 : gen.next()),
        ),
    );
  for (let round = 0; round < 60; round++) {
    const [a, b] = [clusters(), clusters()];
    const seed = gen.int(2 ** 32);
    const flat = [...a.flat(), ...b.flat()];
    if (a.flat().length === 0 || b.flat().length === 0) continue;
    const [amin, amax] = [Math.min(...a.flat()), Math.max(...a.flat())];
    const one = createRng(seed);
    const ref = amin === amax
      ? [amin, amin]
      : interval(Float64Array.from({ length: 500 }, () => mean(a, one)), amin, amax);
    assert.deepEqual(bootstrapCI(a, { seed, resamples: 500 }), ref);
    const two = createRng(seed);
    const [bmin, bmax] = [Math.min(...b.flat()), Math.max(...b.flat())];
    if (amin === amax && bmin === bmax) continue;
    const diffs = Float64Array.from({ length: 500 }, () => mean(a, two) - mean(b, two));
    assert.deepEqual(
      bootstrapDiffCI(a, b, { seed, resamples: 500 }),
      interval(diffs, amin - bmax, amax - bmin),
      `round ${round}, ${flat.length} values`,
    );
  }
});
