import type { EpisodeSummary } from "./report.ts";
import type { Report } from "./types.ts";

/** A (task, variant) the reference agent failed: the task or the variant is broken there. */
export interface BrokenCell {
  /** The environment. */
  env: string;
  /** The task's id. */
  task: string;
  /** The variant (`clean` included). */
  variant: string;
  /** Protocols it failed under. */
  protocols: string[];
  /** The oracle's failed episodes in this cell. */
  failed: number;
  /** The oracle's episodes in this cell. */
  episodes: number;
}

/**
 * Whether an episode failed on `judge:` checks alone: a model graded it, so an oracle that fails
 * only there says the judge (or the assertion) disagrees with the reference, not that the task is
 * broken.
 */
export const failedOnlyByJudge = (e: Pick<EpisodeSummary, "success" | "failed_checks">): boolean =>
  !e.success && (e.failed_checks ?? []).length > 0 &&
  (e.failed_checks ?? []).every((k) => k === "judge");

/**
 * The (task, variant) cells where an agent that knows the answer (the `oracle`) failed at least
 * once, in episode order. The oracle replays the gold calls through the variant's mapping and
 * gives the reference answer, so each cell is a wrong gold call or check, not a weak agent. An
 * episode that failed on `judge:` checks alone does not count: the judge is a model (see
 * {@linkcode failedOnlyByJudge}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { brokenCells } from "./broken.ts";
 * const ep = { env: "e", task: "t1", variant: "clean", agent: "oracle", protocol: "direct", success: false };
 * const cells = brokenCells([ep, { ...ep, task: "t2", success: true }] as never, ["oracle"]);
 * assert.ok(cells.length === 1 && cells[0].task === "t1");
 * ```
 */
export function brokenCells(
  episodes: readonly EpisodeSummary[],
  agents: readonly string[],
): BrokenCell[] {
  const cells = new Map<string, BrokenCell>();
  for (const e of episodes) {
    if (!agents.includes(e.agent)) continue;
    const key = `${e.env}\u0000${e.task}\u0000${e.variant}`;
    let c = cells.get(key);
    if (!c) {
      cells.set(
        key,
        c = { env: e.env, task: e.task, variant: e.variant, protocols: [], failed: 0, episodes: 0 },
      );
    }
    c.episodes++;
    if (!e.success && !failedOnlyByJudge(e)) {
      c.failed++;
      if (!c.protocols.includes(e.protocol)) c.protocols.push(e.protocol);
    }
  }
  return [...cells.values()].filter((c) => c.failed > 0);
}

/** The report's reference agents: those that ran as `scripted: oracle`. */
export function oracleAgents(report: Pick<Report, "provenance">): string[] {
  return (report.provenance.agents ?? []).filter((a) => a.scripted === "oracle").map((a) => a.name);
}

/**
 * The (task, variant) cells a report's oracle failed (see `brokenCells`), as Markdown lines: a
 * heading, one bullet per cell (at most `max`), and what to do. Empty when there are none.
 */
export function brokenMarkdown(report: Report, max = 20): string[] {
  const cells = brokenCells(report.episodes, oracleAgents(report));
  if (cells.length === 0) return [];
  return [
    "## Broken tasks",
    "",
    `The oracle (gold calls through the variant's mapping, then the reference answer) failed ${cells.length} (task, variant) cell${
      cells.length > 1 ? "s" : ""
    }: a gold call or a check is wrong there, or the variant breaks the task. Cells marked ⚠ above include them; \`tooltrial validate\` locates the problems.`,
    "",
    ...cells.slice(0, max).map((c) =>
      `- \`${c.env}/${c.task}\` under \`${c.variant}\` (${
        c.protocols.join(", ")
      }: ${c.failed} of ${c.episodes} failed)`
    ),
    ...(cells.length > max ? [`- … and ${cells.length - max} more`] : []),
    "",
  ];
}
