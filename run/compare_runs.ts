import { compareMarkdown, type CompareOptions, whyNothingPairs } from "../reports/mod.ts";
import { loadReport } from "./load_report.ts";
import { UsageError } from "./usage_error.ts";

/**
 * Two runs side by side: a Markdown table per agent × protocol × variant with both success rates,
 * the difference and, on the episodes both share, a paired bootstrap interval and an exact McNemar
 * test. `a` and `b` are run folders or report.json files; when no episode pairs, a
 * {@linkcode UsageError} says why.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareRuns } from "./compare_runs.ts";
 * const err = await compareRuns("no/such/a", "no/such/b").catch((e) => e);
 * assert.ok(err.message.includes("not found"));
 * ```
 */
export async function compareRuns(
  a: string,
  b: string,
  opts: CompareOptions = {},
): Promise<string> {
  const [x, y] = await Promise.all([a, b].map(loadReport));
  const why = whyNothingPairs(x, y, opts);
  if (why) throw new UsageError(`nothing to compare: ${why}`);
  return compareMarkdown(x, y, { a, b }, opts);
}
