import { deriveSeed } from "../runners/rng.ts";
import { byTask, computeMetrics, wilson } from "./metric_registry.ts";
import { bootstrapCI, bootstrapDiffCI, mcnemarExact, type SharedDraws } from "./stats.ts";
import type {
  ComparisonRow,
  EpisodeSummary,
  GapRow,
  GroupKey,
  RobustnessRow,
  SummaryRow,
} from "./types.ts";

export type { GroupKey, RobustnessRow, SummaryRow };
export { byTask, wilson };

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
const roundCI = (ci: [number, number] | null): [number, number] | null =>
  ci && [round4(ci[0]), round4(ci[1])];
const taskKey = (e: EpisodeSummary) => `${e.env}\u0000${e.task}`;
/** Where a bootstrap's generator starts: a function of what it measures, so reports are reproducible. */
const seedOf = (...parts: (string | number)[]) => deriveSeed("bootstrap", ...parts);

/** Group items by the values of some keys, in first-seen order. */
function groupBy<T>(items: readonly T[], key: (t: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    let g = groups.get(k);
    if (!g) groups.set(k, g = []);
    g.push(it);
  }
  return [...groups.values()];
}

/**
 * Where the bootstrap of every row of one agent starts, when the rows share their resamples: the
 * same generator for each, so rows over the same tasks resample them alike.
 */
export const agentSeed = (agent: string): string => `agent/${agent}`;

/**
 * Aggregate one group of episodes: success with a bootstrap interval over tasks, pass@k and
 * pass^k over each task's repeated episodes, and the call-level means. With `draws`, the interval
 * resamples as every row of the group's agent does (`agentSeed`), from draws kept between rows.
 */
export function summarize(
  episodes: readonly EpisodeSummary[],
  opts: { seed?: string; draws?: SharedDraws } = {},
): Omit<SummaryRow, GroupKey> {
  const agent = episodes[0]?.agent;
  return computeMetrics({
    episodes,
    seed: opts.seed ?? "",
    ...(opts.draws && agent !== undefined
      ? { resample: { seed: agentSeed(agent), draws: opts.draws } }
      : {}),
  });
}

/**
 * Group episodes by the given keys (in first-seen order) and summarize each group.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { groupSummary } from "./metrics.ts";
 * assert.ok(groupSummary([], ["agent"]).length === 0);
 * ```
 */
export function groupSummary(
  episodes: readonly EpisodeSummary[],
  keys: readonly GroupKey[],
  opts: { draws?: SharedDraws } = {},
): SummaryRow[] {
  return groupBy(episodes, (e) => keys.map((k) => e[k]).join("\u0000")).map((g) => {
    const row: Partial<Record<GroupKey, string>> = {};
    for (const key of keys) row[key] = g[0][key];
    return {
      ...row,
      ...summarize(g, { seed: keys.map((k) => g[0][k]).join("/"), draws: opts.draws }),
    };
  });
}

const pairKey = (e: EpisodeSummary) => [e.env, e.task, e.seed, e.sample].join("\u0000");

/**
 * Robustness drop per agent × protocol × variant, paired by task: only episodes that ran both
 * clean and under the variant count; the interval resamples tasks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { robustness } from "./metrics.ts";
 * assert.ok(robustness([]).length === 0);
 * ```
 */
export function robustness(
  episodes: readonly EpisodeSummary[],
  opts: { draws?: SharedDraws } = {},
): RobustnessRow[] {
  const clean = new Map<string, boolean>();
  for (const e of episodes) {
    if (e.variant === "clean") {
      clean.set(`${e.agent}\u0000${e.protocol}\u0000${pairKey(e)}`, e.success);
    }
  }
  const varied = episodes.filter((e) => e.variant !== "clean");
  return groupBy(varied, (e) => [e.agent, e.protocol, e.variant].join("\u0000")).flatMap((g) => {
    const pairs = g.flatMap((e) => {
      const base = clean.get(`${e.agent}\u0000${e.protocol}\u0000${pairKey(e)}`);
      return base === undefined ? [] : [{ e, diff: Number(base) - Number(e.success), base }];
    });
    if (pairs.length === 0) return [];
    const { agent, protocol, variant } = g[0];
    const c = pairs.filter((p) => p.base).length, v = pairs.filter((p) => p.e.success).length;
    return [{
      agent,
      protocol,
      variant,
      pairs: pairs.length,
      clean_rate: round4(c / pairs.length),
      variant_rate: round4(v / pairs.length),
      drop: round4((c - v) / pairs.length),
      ci95: roundCI(
        bootstrapCI(
          byTask(pairs, (p) => taskKey(p.e), (p) => p.diff),
          opts.draws
            ? { seed: seedOf(agentSeed(agent)), draws: opts.draws }
            : { seed: seedOf("drop", agent, protocol, variant) },
        ),
      ),
    }];
  });
}

/**
 * Generalization gap per agent × protocol × variant: seen − unseen success for each unseen split
 * present, with a bootstrap interval resampling each group's tasks independently.
 */
export function gaps(episodes: readonly EpisodeSummary[]): GapRow[] {
  const rows: GapRow[] = [];
  for (const g of groupBy(episodes, (e) => [e.agent, e.protocol, e.variant].join("\u0000"))) {
    const seen = g.filter((e) => e.split === "seen");
    if (seen.length === 0) continue;
    const { agent, protocol, variant } = g[0];
    for (const split of ["unseen_task", "unseen_tool", "unseen_env"] as const) {
      const unseen = g.filter((e) => e.split === split);
      if (unseen.length === 0) continue;
      const rate = (xs: EpisodeSummary[]) => xs.filter((e) => e.success).length / xs.length;
      const success = (e: EpisodeSummary) => (e.success ? 1 : 0);
      rows.push({
        agent,
        protocol,
        variant,
        split,
        seen_episodes: seen.length,
        unseen_episodes: unseen.length,
        seen_rate: round4(rate(seen)),
        unseen_rate: round4(rate(unseen)),
        gap: round4(rate(seen) - rate(unseen)),
        ci95: roundCI(
          bootstrapDiffCI(byTask(seen, taskKey, success), byTask(unseen, taskKey, success), {
            seed: seedOf("gap", agent, protocol, variant, split),
          }),
        ),
      });
    }
  }
  return rows;
}

/**
 * Every pair of agents under each protocol × variant, on the episodes both ran (same task, seed and
 * sample): difference in success with a paired bootstrap interval, and an exact McNemar test.
 */
export function comparisons(episodes: readonly EpisodeSummary[]): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  for (const g of groupBy(episodes, (e) => `${e.protocol}\u0000${e.variant}`)) {
    const agents = [...new Set(g.map((e) => e.agent))];
    const outcome = new Map(g.map((e) => [`${e.agent}\u0000${pairKey(e)}`, e]));
    for (let i = 0; i < agents.length; i++) {
      for (let j = i + 1; j < agents.length; j++) {
        const [a, b] = [agents[i], agents[j]];
        const pairs = g.filter((e) => e.agent === a).flatMap((ea) => {
          const eb = outcome.get(`${b}\u0000${pairKey(ea)}`);
          return eb ? [{ ea, eb }] : [];
        });
        if (pairs.length === 0) continue;
        const onlyA = pairs.filter((p) => p.ea.success && !p.eb.success).length;
        const onlyB = pairs.filter((p) => !p.ea.success && p.eb.success).length;
        const ra = pairs.filter((p) => p.ea.success).length / pairs.length;
        const rb = pairs.filter((p) => p.eb.success).length / pairs.length;
        const { protocol, variant } = g[0];
        rows.push({
          protocol,
          variant,
          a,
          b,
          pairs: pairs.length,
          a_rate: round4(ra),
          b_rate: round4(rb),
          diff: round4(ra - rb),
          ci95: roundCI(
            bootstrapCI(
              byTask(
                pairs,
                (p) => taskKey(p.ea),
                (p) => Number(p.ea.success) - Number(p.eb.success),
              ),
              { seed: seedOf("compare", protocol, variant, a, b) },
            ),
          ),
          only_a: onlyA,
          only_b: onlyB,
          p_value: mcnemarExact(onlyA, onlyB).p_value,
        });
      }
    }
  }
  return rows;
}
