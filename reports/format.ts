/**
 * One rounding rule for every figure a report prints (CLI, Markdown, HTML): a rate as a
 * percentage and a difference in percentage points, both to one decimal, halves away from zero,
 * with a real minus sign. The sign comes from the rounded value, so −0.04 points prints ±0.0.
 * @module
 */

/** The minus sign every renderer prints (U+2212), never a hyphen. */
export const MINUS = "\u2212";

/**
 * Tenths of a percentage point of a fraction, halves away from zero. Rounding the magnitude of
 * a value first cut to 12 significant digits keeps binary noise (0.8125 × 1000 = 812.4999…)
 * from deciding which way a half goes.
 */
function tenths(x: number): number {
  const scaled = Number((Math.abs(x) * 1000).toPrecision(12));
  return Math.sign(x) * Math.round(scaled);
}

/**
 * A fraction as a percentage with one decimal: `0.8125` → `"81.3%"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPercent } from "./format.ts";
 * assert.ok(formatPercent(0.8125) === "81.3%");
 * assert.ok(formatPercent(0) === "0.0%");
 * ```
 */
export function formatPercent(x: number): string {
  const t = tenths(x);
  return `${t < 0 ? MINUS : ""}${(Math.abs(t) / 10).toFixed(1)}%`;
}

/**
 * A signed difference of two fractions in percentage points: `-0.8125` → `"−81.3"`, `0.02` →
 * `"+2.0"`, `0` → `"±0.0"`. Every drop, gap and paired difference in every report goes through it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPoints } from "./format.ts";
 * assert.ok(formatPoints(-0.8125) === "\u221281.3");
 * assert.ok(formatPoints(0.8125) === "+81.3");
 * assert.ok(formatPoints(-0.0004) === "±0.0");
 * ```
 */
export function formatPoints(x: number): string {
  const t = tenths(x);
  return `${t > 0 ? "+" : t < 0 ? MINUS : "±"}${(Math.abs(t) / 10).toFixed(1)}`;
}

/**
 * What a variant did to success, from a robustness drop (clean − variant): the change from clean
 * in points, negative when the variant hurts. `0.8125` → `"−81.3"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatChange } from "./format.ts";
 * assert.ok(formatChange(0.8125) === "\u221281.3");
 * ```
 */
export function formatChange(drop: number): string {
  return formatPoints(-drop);
}

/**
 * The 95% interval of a robustness drop as an interval of the change from clean, low end first:
 * `[0.7, 0.9]` → `"−90.0 to −70.0"`; `"–"` without one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatChangeCI } from "./format.ts";
 * assert.ok(formatChangeCI([0.7, 0.9]) === "\u221290.0 to \u221270.0");
 * assert.ok(formatChangeCI(null) === "–");
 * ```
 */
export function formatChangeCI(ci: [number, number] | null, sep = " to "): string {
  return ci ? `${formatPoints(-ci[1])}${sep}${formatPoints(-ci[0])}` : "–";
}
