/**
 * Pick episodes out of a run's log by exact names (agent, variant, task, env, protocol, split) and
 * outcome: what `tooltrial show` prints.
 * @module
 */
import { logEpisodes, type LoggedEpisode } from "./from_log.ts";

/** The names an episode can be picked by. */
export const EPISODE_FIELDS = ["agent", "variant", "task", "env", "protocol", "split"] as const;

/** One of the names an episode can be picked by. */
export type EpisodeField = typeof EPISODE_FIELDS[number];

/** Which episodes to pick: each field given must hold one of its names; `failed` keeps failures. */
export type EpisodeFilter = { [F in EpisodeField]?: readonly string[] } & { failed?: boolean };

/** What a pass over a log found. */
export interface EpisodeSelection {
  /** Finished episodes in the log. */
  episodes: number;
  /** Those the filter picked. */
  matched: number;
  /** Every name each field takes in the log, in first-seen order. */
  names: Record<EpisodeField, string[]>;
}

/**
 * Stream a run's log (checked as the report builder checks it), calling `onMatch` with each
 * episode the filter picks, in log order, and its number among them (1-based).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectEpisodes } from "./select_episodes.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/episodes.jsonl`, "");
 * const s = await selectEpisodes(`${dir}/episodes.jsonl`, { failed: true });
 * assert.ok(s.episodes === 0 && s.matched === 0 && s.names.agent.length === 0);
 * ```
 */
export async function selectEpisodes(
  path: string,
  filter: EpisodeFilter,
  opts: { onMatch?: (episode: LoggedEpisode, n: number) => void } = {},
): Promise<EpisodeSelection> {
  const seen = Object.fromEntries(EPISODE_FIELDS.map((f) => [f, new Set<string>()])) as Record<
    EpisodeField,
    Set<string>
  >;
  const want = EPISODE_FIELDS.flatMap((f) => filter[f] ? [[f, new Set(filter[f])] as const] : []);
  let episodes = 0, matched = 0;
  for await (const ep of logEpisodes(path)) {
    episodes++;
    for (const f of EPISODE_FIELDS) seen[f].add(ep.head[f]);
    if (filter.failed && ep.result.success) continue;
    if (!want.every(([f, names]) => names.has(ep.head[f]))) continue;
    matched++;
    opts.onMatch?.(ep, matched);
  }
  const names = Object.fromEntries(EPISODE_FIELDS.map((f) => [f, [...seen[f]]])) as Record<
    EpisodeField,
    string[]
  >;
  return { episodes, matched, names };
}
