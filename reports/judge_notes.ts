/**
 * What a report says once about `judge:` checks and failed check kinds: who graded the judge:
 * checks, or that they were not scored (success then rests on the tasks' other checks); and how
 * the "failed checks" column counts. The Markdown and HTML reports print the same lines.
 * @module
 */
import { recordedKind } from "../runners/mod.ts";
import type { Report } from "./types.ts";

/**
 * The one line on unscored `judge:` checks: how many episodes (and tasks) had them skipped
 * because the suite configured no judge; null when none did.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { notScoredLine } from "./judge_notes.ts";
 * const e = { env: "e", task: "t", not_scored: ["judge"] };
 * const r = { episodes: [e, { ...e, task: "u" }, { env: "e", task: "v" }] } as never;
 * assert.match(notScoredLine(r)!, /^Not scored: the judge: checks of 2 episodes \(2 tasks\)/);
 * ```
 */
export function notScoredLine(report: Report): string | null {
  const skipped = report.episodes.filter((e) => e.not_scored?.includes("judge"));
  if (skipped.length === 0) return null;
  const tasks = new Set(skipped.map((e) => `${e.env}/${e.task}`)).size;
  const s = (n: number) => (n === 1 ? "" : "s");
  return `Not scored: the judge: checks of ${skipped.length} episode${s(skipped.length)} ` +
    `(${tasks} task${s(tasks)}) — the suite configures no judge, so those tasks' success rests ` +
    "on their other checks. Add judge: to the suite to grade them.";
}

/**
 * The one line on `judge:` grades that are errors (an unreadable answer, or none): how many
 * assertions in how many episodes; null when there were none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { judgeErrorsLine } from "./judge_notes.ts";
 * const r = { episodes: [{ judge_errors: 2 }, { judge_errors: 1 }, {}] } as never;
 * assert.match(judgeErrorsLine(r)!, /^Judge errors: 3 assertions in 2 episodes/);
 * ```
 */
export function judgeErrorsLine(report: Report): string | null {
  const hit = report.episodes.filter((e) => e.judge_errors);
  if (hit.length === 0) return null;
  const n = hit.reduce((k, e) => k + e.judge_errors!, 0);
  return `Judge errors: ${n} assertion${n === 1 ? "" : "s"} in ${hit.length} episode${
    hit.length === 1 ? "" : "s"
  } got no readable grade (the judge's answer was not {"met": …, "reason": …}, or it gave none); ` +
    "they count as failed. Each one's raw answer is in the episode log.";
}

/** The judge that graded `judge:` checks, in one line (`openai m @ http://…/v1`); null: none. */
export function judgeLine(report: Report): string | null {
  const j = report.provenance.judge;
  return j ? recordedKind(j).recorded(j, j.name).text : null;
}

/** How the "failed checks" column counts, for the line under a table that shows it. */
export const FAILED_CHECKS_NOTE: string =
  "Failed checks: failed episodes by the kind of check that failed them (answer, calls, actions, " +
  "state, db, communicate, judge; answered: no final answer); an episode counts under each kind " +
  "that failed it, advisory judge checks aside.";
