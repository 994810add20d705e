/**
 * Why an episode failed, in one short word group: what `tooltrial show` prints and the HTML
 * report's failure explorer filters by.
 * @module
 */

/**
 * The kind of a failed episode: `turn limit`, `agent error`, `no answer` or `error` when it ended
 * abnormally, else the first failed check (`regex check`, `state check`, …); null for a success.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { failureKind } from "./failure_kind.ts";
 * const checks = [{ name: "excludes", passed: true }, { name: "regex", passed: false }];
 * assert.ok(failureKind({ success: false, error: null, checks }) === "regex check");
 * assert.ok(
 *   failureKind({ success: false, error: "no final answer within 12 turns", checks }) ===
 *     "turn limit",
 * );
 * ```
 */
export function failureKind(
  outcome: {
    success: boolean;
    error: string | null;
    checks: readonly { name: string; passed: boolean; advisory?: boolean }[];
  },
): string | null {
  if (outcome.success) return null;
  const error = outcome.error;
  if (error !== null) {
    // The runner's own wording (runners/episode.ts): an episode ends abnormally in these ways.
    if (error.startsWith("no final answer within")) return "turn limit";
    if (error.startsWith("agent failed")) return "agent error";
    if (error === "no final answer") return "no answer";
    return "error";
  }
  const failed = outcome.checks.find((c) => !c.passed && !c.advisory);
  return failed ? `${failed.name} check` : "failed";
}
