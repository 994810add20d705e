/**
 * How the two checker modes compare strings.
 * @module
 */

/**
 * BFCL's string standardisation: drop every space and each of `,./-_*^`, lowercase, and read `'`
 * as `"`. Lenient about formatting ("April 1, 2024" = "april 1 2024"), but it also erases
 * meaning: "-12" = "12", "3.5" = "35", "x*2" = "x**2" = "x^2".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bfclStandardize } from "./strings.ts";
 * assert.ok(bfclStandardize("New York, NY") === bfclStandardize("new_york-ny"));
 * assert.ok(bfclStandardize("-12") === bfclStandardize("12")); // the flaw strict mode fixes
 * ```
 */
export function bfclStandardize(s: string): string {
  return s.replace(/[ ,./\-_*^]/g, "").toLowerCase().replaceAll("'", '"');
}

// A number keeps its sign (a '-' not glued to a preceding letter or digit) and its decimal
// points; a word is a run of letters, marks and digits; any other non-separator character is a
// token of its own. Whitespace and , . _ / - outside numbers only separate tokens.
const TOKEN = /(?<![\p{L}\p{M}\p{N}])-?\d+(?:\.\d+)*|\d+(?:\.\d+)*|[\p{L}\p{M}\p{N}]+|[^\s,._/-]/gu;

/**
 * Strict mode's reading of a string: Unicode-normalised (NFKC), lowercased tokens, with `'` read
 * as `"`. Separators (whitespace, `,` `.` `_` `/` `-`) only split tokens, so "New_York" =
 * "new york" and "April 1,2024" = "April 1, 2024"; but a sign or decimal point inside a number
 * stays ("-12" ≠ "12", "3.5" ≠ "35") and other symbols count ("x*2" ≠ "x**2").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { strictTokens } from "./strings.ts";
 * assert.ok(strictTokens("Los_Angeles, CA").join(" ") === "los angeles ca");
 * assert.ok(strictTokens("-12.5 C").join(" ") === "-12.5 c");
 * assert.ok(strictTokens("2024-01-15").join(" ") === "2024 01 15");
 * ```
 */
export function strictTokens(s: string): string[] {
  const t = s.normalize("NFKC").toLowerCase().replaceAll("'", '"');
  return Array.from(t.matchAll(TOKEN), (m) => m[0]);
}

/**
 * Strict string equality: the same tokens in the same order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { strictStringEqual } from "./strings.ts";
 * assert.ok(strictStringEqual("Queen.", "queen") && !strictStringEqual("-12", "12"));
 * ```
 */
export function strictStringEqual(a: string, b: string): boolean {
  const ta = strictTokens(a), tb = strictTokens(b);
  return ta.length === tb.length && ta.every((t, i) => t === tb[i]);
}
