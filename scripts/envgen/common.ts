/** Shared pieces of the built-in environment generator: seeded randomness, file writers, task shape. */

/** A task as the generator writes it into an env.yaml (the spec's task shape). */
export interface GenTask {
  id: string;
  query: string;
  split: "seen" | "unseen";
  tags: string[];
  gold: { tool: string; args: Record<string, unknown> }[];
  answer: string;
  check: {
    answer?: {
      contains?: string[];
      excludes?: string[];
      regex?: string;
      number?: { value: number; tol: number };
    };
    state?: string;
  };
}

/** What one environment's generator produces: data files (name → text) and its tasks. */
export interface GenEnv {
  name: string;
  files: Record<string, string>;
  tasks: GenTask[];
}

/**
 * A small seeded generator (mulberry32): the same seed gives the same data on every machine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng } from "./common.ts";
 * assert.ok(new Rng(1).int(0, 9) === new Rng(1).int(0, 9));
 * ```
 */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** A number in [lo, hi) rounded to `digits` decimals. */
  amount(lo: number, hi: number, digits = 2): number {
    return round(lo + this.next() * (hi - lo), digits);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** A shuffled copy. */
  shuffle<T>(xs: readonly T[]): T[] {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }
}

/** Round half away from zero to `digits` decimals, through the decimal string (no 1.005 surprises). */
export function round(x: number, digits = 2): number {
  return Number(
    Math.sign(x) * Number(Math.round(Number(Math.abs(x) + "e" + digits)) + "e-" + digits),
  );
}

/** A money amount as text with two decimals: 1234.5 → "1234.50". */
export function money(x: number): string {
  return round(x, 2).toFixed(2);
}

/** Rows as RFC 4180 CSV with the given columns (null/undefined → empty cell). */
export function csv<T extends object>(
  rows: readonly T[],
  cols: readonly (keyof T & string)[],
): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return "";
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [cols.join(","), ...rows.map((r) => cols.map((c) => cell(r[c])).join(","))].join("\n") +
    "\n";
}

/** Rows as JSON Lines (for tables with lists or nested values). */
export function jsonl(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
}

/** What a correct refusal looks like: the answer check of every task no tool can do. */
export const REFUSAL =
  "can.?not|can't|can’t|unable|no tool|not able|don't have|isn't possible|not possible";

/** A quoted JSONata string literal. */
export function q(s: string): string {
  return `'${s.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/** JSONata: two numbers equal to within a cent. */
export function near(expr: string, value: number, tol = 0.005): string {
  return `$abs(${expr} - ${value}) < ${tol}`;
}

/** Seen or unseen for the i-th instance of a template: every third instance is held out. */
export function splitOf(i: number, allUnseen = false): "seen" | "unseen" {
  return allUnseen || i % 3 === 2 ? "unseen" : "seen";
}

/** Month names for queries. */
export const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** "2026-01-17" → "January 17, 2026". */
export function longDate(d: string): string {
  const [y, m, day] = d.split("-").map(Number);
  return `${MONTHS[m - 1]} ${day}, ${y}`;
}

/** ISO date `n` days after `d`. */
export function addDays(d: string, n: number): string {
  const t = new Date(d + "T00:00:00Z");
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}

/** Given and family names for generated people (varied origins, realistic spellings). */
export const FIRST = [
  "Amara",
  "Bruno",
  "Chiara",
  "Dmitri",
  "Elif",
  "Farah",
  "Gustavo",
  "Hana",
  "Ibrahim",
  "Jonas",
  "Keiko",
  "Lucas",
  "Mireille",
  "Nadia",
  "Oskar",
  "Priya",
  "Quentin",
  "Rosa",
  "Samuel",
  "Tanvi",
  "Ulrich",
  "Valentina",
  "Wei",
  "Xavier",
  "Yara",
  "Zoltan",
  "Ada",
  "Bilal",
  "Camille",
  "Diego",
  "Esther",
  "Femi",
  "Greta",
  "Hugo",
  "Ines",
  "Jamal",
  "Kasia",
  "Leon",
  "Marta",
  "Noor",
];
export const LAST = [
  "Abernathy",
  "Bergström",
  "Castellano",
  "Dubois",
  "Eze",
  "Fischer",
  "Gallagher",
  "Horvat",
  "Iyer",
  "Jankowski",
  "Kowalczyk",
  "Lindqvist",
  "Mensah",
  "Nakagawa",
  "Oyelaran",
  "Petrakis",
  "Quiroga",
  "Rasmussen",
  "Szabo",
  "Takahashi",
  "Umarov",
  "Varga",
  "Whitlock",
  "Xu",
  "Yilmaz",
  "Zielinski",
  "Achterberg",
  "Bianchi",
  "Costa",
  "Delacroix",
];

/** `n` distinct full names, none containing another (so a name search finds one person). */
export function people(rng: Rng, n: number): string[] {
  const out: string[] = [];
  while (out.length < n) {
    const name = `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
    if (out.includes(name)) continue;
    out.push(name);
  }
  return out;
}
