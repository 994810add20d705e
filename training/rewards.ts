import type { EpisodeRecord } from "../runners/events.ts";
import type { GrpoStage } from "./spec.ts";

/**
 * How an episode scores: task check, format validity, a cost per call, and — so that a policy that
 * rarely succeeds still has something to climb — credit for calls that parse (`parsable`: share of
 * calls whose JSON parsed) and for reaching the right tools (`tool`: share of the task's gold tools
 * some execution call reached, given `gold`, the task's canonical tool names).
 */
export function episodeReward(
  rec: EpisodeRecord,
  w: GrpoStage["reward"],
  opts: { gold?: readonly string[] } = {},
): number {
  const m = rec.metrics;
  const toolEvents = rec.events.filter((e) => e.type === "tool");
  const parsed =
    toolEvents.filter((e) =>
      e.type === "tool" && (e.observation.ok || e.observation.error.kind !== "invalid_json")
    ).length;
  const parsable = toolEvents.length === 0 ? 0 : parsed / toolEvents.length;
  const gold = [...new Set(opts.gold ?? [])];
  const reached = new Set(
    toolEvents.flatMap((e) =>
      e.type === "tool" && e.phase !== "trial" && e.canonical ? [e.canonical.tool] : []
    ),
  );
  const tool = gold.length === 0 ? 0 : gold.filter((g) => reached.has(g)).length / gold.length;
  const extra = (w.parsable ?? 0) * parsable + (w.tool ?? 0) * tool;
  const calls = m.calls + m.trial_calls;
  const invalid = m.invalid_calls + m.trial_invalid_calls;
  // Format: the share of calls that were well formed (known tool, valid arguments); `no_call_format`
  // for an episode that made no call (0 by default: silence is not good form — with 1, GRPO learned
  // to end every phase at once); 0 when the episode never produced a final answer.
  const format = rec.answer === null ? 0 : calls === 0 ? w.no_call_format : 1 - invalid / calls;
  return w.task * (rec.success ? 1 : 0) + w.format * format - w.call_penalty * calls + extra;
}

/**
 * Group-normalised advantages: within each group, (r − mean) / std; a group whose rewards are all
 * equal teaches nothing and gets zeros.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { groupAdvantages } from "./rewards.ts";
 * const a = groupAdvantages([[1, 0], [0.5, 0.5]]);
 * assert.ok(a[0][0] > 0 && a[0][1] < 0 && a[1][0] === 0);
 * ```
 */
export function groupAdvantages(groups: readonly (readonly number[])[]): number[][] {
  return groups.map((g) => {
    const mean = g.reduce((a, b) => a + b, 0) / g.length;
    const std = Math.sqrt(g.reduce((a, b) => a + (b - mean) ** 2, 0) / g.length);
    return g.map((r) => (std < 1e-6 ? 0 : (r - mean) / std));
  });
}
