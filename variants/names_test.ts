import assert from "node:assert/strict";
import fc from "fast-check";
import { createRng } from "../core/mod.ts";
import { derangement, type Level, type NameStyle, renamePlan } from "./names.ts";
import { nameRewriter } from "./rewrite.ts";

const ident = fc.stringMatching(/^[a-z][a-z0-9]{0,6}(_[a-z0-9]{1,6}){0,2}$/);

Deno.test("renamePlan: bijective, valid, never the old name, never a taken one (property)", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(ident, { minLength: 1, maxLength: 12 }),
      fc.uniqueArray(ident, { maxLength: 8 }),
      fc.constantFrom<Level>("slight", "medium", "heavy"),
      fc.option(
        fc.constantFrom<NameStyle>("edit", "reverse", "random", "shuffle", "ids", "rotbench"),
      ),
      fc.integer({ min: 0, max: 2 ** 31 }),
      (names, others, level, style, seed) => {
        const taken = new Set([...names, ...others]);
        const plan = renamePlan(names, {
          level,
          style: style ?? undefined,
          rng: createRng(seed),
          taken,
        });
        const out = names.map((n) => plan.get(n)!);
        assert.equal(new Set(out).size, names.length, "bijective");
        for (const [i, n] of names.entries()) {
          assert.notEqual(out[i], n, "changed");
          assert.match(out[i], /^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*$/);
          // Shuffling deals the same names out again; every other style avoids taken names.
          if (!names.includes(out[i])) assert.ok(!taken.has(out[i]), `${out[i]} was taken`);
        }
      },
    ),
    { numRuns: 300, seed: 3 },
  );
});

Deno.test("renamePlan: deterministic per seed, different across seeds", () => {
  const names = ["search_books", "get_book", "get_member", "list_loans", "renew_loan"];
  for (const level of ["slight", "medium", "heavy"] as const) {
    const a = renamePlan(names, { level, rng: createRng(1), taken: new Set(names) });
    const b = renamePlan(names, { level, rng: createRng(1), taken: new Set(names) });
    const c = renamePlan(names, { level, rng: createRng(2), taken: new Set(names) });
    assert.deepEqual([...a], [...b], level);
    assert.notDeepEqual([...a], [...c], level);
  }
});

Deno.test("renamePlan: slight edits stay close, heavy shuffle permutes the names", () => {
  const names = ["search_books", "get_book", "get_member", "list_loans"];
  const slight = renamePlan(names, { level: "slight", rng: createRng(4), taken: new Set(names) });
  for (const [from, to] of slight) {
    assert.ok(Math.abs(from.length - to.length) <= 2, `${from}→${to}`);
  }
  const shuffled = renamePlan(names, {
    level: "heavy",
    style: "shuffle",
    rng: createRng(4),
    taken: new Set(names),
  });
  assert.deepEqual([...shuffled.values()].sort(), [...names].sort());
});

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

Deno.test("renamePlan style rotbench: RoTBench's slight, medium and heavy noise", () => {
  const names = ["get_translation_nllb", "search_books", "get_book", "ask_to_user", "q", "city"];
  for (let seed = 0; seed < 50; seed++) {
    const opts = { style: "rotbench" as const, rng: createRng(seed), taken: new Set(names) };
    for (const [from, to] of renamePlan(names, { ...opts, level: "slight" })) {
      // At most ⌈l/3⌉−1 edits (at least one), of random ASCII letters, anywhere in the name.
      const most = Math.max(1, Math.ceil(from.length / 3) - 1);
      assert.ok(distance(from, to) <= most, `${from} → ${to}`);
    }
    const medium = renamePlan(names, { ...opts, level: "medium", randomLength: 5 });
    for (const [from, to] of medium) {
      const reversed = [...from].reverse().join("");
      assert.ok(to === reversed || /^[A-Za-z]{1,5}\d*$/.test(to), `${from} → ${to}`);
    }
    const heavy = renamePlan(names, { ...opts, level: "heavy" });
    assert.deepEqual([...heavy.values()].sort(), [...names].sort(), "names dealt out again");
  }
  const reversedSome = renamePlan(names, {
    level: "medium",
    style: "rotbench",
    rng: createRng(1),
    taken: new Set(names),
  });
  assert.ok([...reversedSome].some(([f, t]) => t === [...f].reverse().join("")));
  assert.ok([...reversedSome].some(([f, t]) => t !== [...f].reverse().join("")));
});

Deno.test("derangement: a permutation without fixed points (property)", () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 30 }), fc.integer(), (n, seed) => {
      const p = derangement(n, createRng(seed));
      assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
      assert.ok(p.every((v, i) => v !== i));
    }),
    { numRuns: 100, seed: 9 },
  );
});

Deno.test("nameRewriter: swaps at once, whole names only, plain words only where quoted", () => {
  const r = nameRewriter(
    new Map([["get_book", "list_loans"], ["list_loans", "get_book"], ["query", "q"]]),
  );
  assert.equal(r("get_book then list_loans"), "list_loans then get_book");
  assert.equal(r("get_books and my_get_book stay"), "get_books and my_get_book stay");
  assert.equal(r("the query is empty; '/query' and `query`"), "the query is empty; '/q' and `q`");
});
