import type { Rng } from "../core/mod.ts";

/** RoTBench's noise levels for names. */
export type Level = "slight" | "medium" | "heavy";
/**
 * How a level changes a name: `edit` (slight), `reverse` / `random` (medium), `shuffle` / `ids`
 * (heavy); `rotbench` follows RoTBench's own definition of the level (see {@link renamePlan}).
 */
export type NameStyle = "edit" | "reverse" | "random" | "shuffle" | "ids" | "rotbench";

/** The styles each level draws from, per name, unless one is forced. */
export const LEVEL_STYLES: Readonly<Record<Level, readonly NameStyle[]>> = {
  slight: ["edit"],
  medium: ["reverse", "random"],
  heavy: ["shuffle", "ids"],
};

const VALID = /^[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*$/;
// Keys next to each other on a QWERTY keyboard: the typos people (and noisy docs) make.
const NEAR: Record<string, string> = {
  a: "qsz",
  b: "vgn",
  c: "xdv",
  d: "sfe",
  e: "wrd",
  f: "dgr",
  g: "fht",
  h: "gjy",
  i: "uok",
  j: "hku",
  k: "jli",
  l: "kop",
  m: "nj",
  n: "bmh",
  o: "ipl",
  p: "ol",
  q: "wa",
  r: "etf",
  s: "adw",
  t: "ryg",
  u: "yij",
  v: "cbf",
  w: "qes",
  x: "zcs",
  y: "tuh",
  z: "xa",
};

/** One character-level edit: drop, double, swap or mistype a letter (never at the start). */
function edit(name: string, rng: Rng): string {
  const i = 1 + rng.int(Math.max(1, name.length - 1));
  const c = name[i] ?? "";
  switch (rng.int(4)) {
    case 0:
      return name.slice(0, i) + name.slice(i + 1);
    case 1:
      return name.slice(0, i) + c + name.slice(i);
    case 2:
      return i + 1 < name.length ? name.slice(0, i) + name[i + 1] + c + name.slice(i + 2) : name;
    default: {
      const near = NEAR[c.toLowerCase()];
      return near ? name.slice(0, i) + rng.pick([...near]) + name.slice(i + 1) : name;
    }
  }
}

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/**
 * RoTBench's random name: 1 to `max` ASCII letters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRng } from "../core/mod.ts";
 * import { randomLetters } from "./names.ts";
 * assert.ok(/^[A-Za-z]{1,5}$/.test(randomLetters(createRng(1), 5)));
 * ```
 */
export function randomLetters(rng: Rng, max: number): string {
  let s = "";
  for (let n = 1 + rng.int(max); n > 0; n--) s += LETTERS[rng.int(LETTERS.length)];
  return s;
}

/**
 * RoTBench's slight noise: one kind of edit (insert, delete or replace a random ASCII letter) at
 * 1 to ⌈l/3⌉−1 distinct positions, any of them (at least one, so the name always changes).
 */
function rotbenchEdit(name: string, rng: Rng): string {
  const l = name.length;
  const count = Math.max(1, Math.min(l, 1 + rng.int(Math.max(1, Math.ceil(l / 3) - 1))));
  const positions = Array.from({ length: l }, (_, i) => i);
  for (let i = l - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [positions[i], positions[j]] = [positions[j], positions[i]];
  }
  const at = positions.slice(0, count).sort((a, b) => b - a);
  const kind = rng.int(3);
  let out = name;
  for (const i of at) {
    const c = LETTERS[rng.int(LETTERS.length)];
    out = kind === 0
      ? out.slice(0, i) + c + out.slice(i)
      : kind === 1
      ? out.slice(0, i) + out.slice(i + 1)
      : out.slice(0, i) + c + out.slice(i + 1);
  }
  return out;
}

function randomWord(rng: Rng): string {
  const cons = "bdfgklmnprstvz", vow = "aeiou";
  let w = "";
  for (let n = 2 + rng.int(3); n > 0; n--) w += rng.pick([...cons]) + rng.pick([...vow]);
  return w;
}

function hex(rng: Rng, digits: number): string {
  let s = "";
  for (let i = 0; i < digits; i++) s += "0123456789abcdef"[rng.int(16)];
  return s;
}

/** A permutation of 0..n-1 with no fixed point (n ≥ 2), uniformly by rejection. */
export function derangement(n: number, rng: Rng): number[] {
  for (;;) {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    if (p.every((v, i) => v !== i)) return p;
  }
}

/**
 * New names for `names`, bijective, none equal to its old name, none colliding with `taken` or
 * with each other — except `shuffle`, which deals the same names out again among themselves.
 * Style `rotbench` follows RoTBench's transformer.py for the level: slight, 1 to ⌈l/3⌉−1 edits of
 * one kind with random ASCII letters at any position; medium, the reversed name or (half the
 * time, or when reversing changes nothing) 1 to `randomLength` random letters (RoTBench: 10 for
 * tools, 5 for parameters); heavy, the names shuffled among themselves.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRng } from "../core/mod.ts";
 * import { renamePlan } from "./names.ts";
 * const plan = renamePlan(["get_book", "search_books"], {
 *   level: "medium", style: "reverse", rng: createRng(1), taken: new Set(["get_book", "search_books"]),
 * });
 * assert.ok(plan.get("get_book") === "koob_teg");
 * ```
 */
export function renamePlan(
  names: readonly string[],
  opts: {
    level: Level;
    style?: NameStyle;
    rng: Rng;
    taken: ReadonlySet<string>;
    prefix?: string;
    randomLength?: number;
  },
): Map<string, string> {
  const { rng } = opts;
  const plan = new Map<string, string>();
  const rotbench = opts.style === "rotbench";
  const styles = names.map((): NameStyle =>
    rotbench
      ? (opts.level === "heavy" ? "shuffle" : "rotbench")
      : opts.style ?? rng.pick(LEVEL_STYLES[opts.level])
  );
  const shuffled = names.filter((_, i) => styles[i] === "shuffle");
  if (shuffled.length >= 2) {
    const p = derangement(shuffled.length, rng);
    shuffled.forEach((n, i) => plan.set(n, shuffled[p[i]]));
  }
  const used = new Set<string>([...opts.taken, ...names]);
  const fresh = (make: () => string): string => {
    for (let tries = 0; tries < 64; tries++) {
      const c = make();
      if (VALID.test(c) && !used.has(c)) return c;
    }
    let n = 2;
    const base = make().replace(/[^A-Za-z0-9_]/g, "") || "x";
    while (used.has(`${base}${n}`)) n++;
    return `${base}${n}`;
  };
  names.forEach((name, i) => {
    if (plan.has(name)) return;
    let next: string;
    switch (styles[i]) {
      case "edit":
        next = fresh(() => {
          let s = edit(name, rng);
          if (name.length >= 10 && rng.next() < 0.5) s = edit(s, rng);
          return s;
        });
        break;
      case "reverse": {
        const r = [...name].reverse().join("");
        next = r !== name && VALID.test(r) && !used.has(r) ? r : fresh(() => randomWord(rng));
        break;
      }
      case "random":
        next = fresh(() => randomWord(rng));
        break;
      case "rotbench": {
        const r = [...name].reverse().join("");
        const max = opts.randomLength ?? 10;
        next = opts.level === "slight"
          ? fresh(() => rotbenchEdit(name, rng))
          : rng.next() < 0.5 && r !== name && VALID.test(r) && !used.has(r)
          ? r
          : fresh(() => randomLetters(rng, max));
        break;
      }
      default: // ids, or a shuffle with nothing to swap with
        next = fresh(() => `${opts.prefix ?? "f"}_${hex(rng, 3)}`);
    }
    used.add(next);
    plan.set(name, next);
  });
  return plan;
}

/** Pick which of `names` an operator touches: those listed, or each with probability `rate`. */
export function choose(
  names: readonly string[],
  opts: { rng: Rng; rate?: number; only?: readonly string[] },
): string[] {
  if (opts.only) return names.filter((n) => opts.only!.includes(n));
  const rate = opts.rate ?? 1;
  // Draw for every name, so which names are chosen does not depend on the rate's rounding.
  return names.filter(() => opts.rng.next() < rate);
}
