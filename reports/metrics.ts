import type { EpisodeRecord } from "../runners/events.ts";

/** Keys episodes can be grouped by. */
export type GroupKey = "agent" | "protocol" | "variant" | "env" | "split";

/** Aggregate over a group of episodes. */
export interface SummaryRow {
  agent?: string;
  protocol?: string;
  variant?: string;
  env?: string;
  split?: string;
  episodes: number;
  successes: number;
  success_rate: number;
  /** Wilson score 95% interval for the success rate. */
  ci95: [number, number];
  mean_calls: number;
  mean_trial_calls: number;
  /** Invalid execution-phase calls / execution-phase calls (0 when no calls). */
  invalid_call_rate: number;
  mean_self_corrections: number;
  /** Share of episodes whose gold calls all appear, mapped back to canonical names. */
  ast_match_rate: number;
  /** Episodes that ended abnormally (no answer, agent crash). */
  errors: number;
}

/**
 * Wilson score interval at 95% for k successes in n trials.
 *
 * @example
 * ```ts
 * import { wilson } from "./metrics.ts";
 * const [lo, hi] = wilson(8, 10);
 * console.assert(lo < 0.8 && hi > 0.8);
 * ```
 */
export function wilson(k: number, n: number, z = 1.959963984540054): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** Aggregate one group of episodes. */
export function summarize(episodes: readonly EpisodeRecord[]): Omit<SummaryRow, GroupKey> {
  const n = episodes.length;
  let successes = 0, calls = 0, trial = 0, invalid = 0, corrections = 0, errors = 0, ast = 0;
  for (const e of episodes) {
    if (e.success) successes++;
    if (e.error) errors++;
    if (e.metrics.ast_match) ast++;
    calls += e.metrics.calls;
    trial += e.metrics.trial_calls;
    invalid += e.metrics.invalid_calls;
    corrections += e.metrics.self_corrections;
  }
  const [lo, hi] = wilson(successes, n);
  return {
    episodes: n,
    successes,
    success_rate: n ? round4(successes / n) : 0,
    ci95: [round4(lo), round4(hi)],
    mean_calls: n ? round4(calls / n) : 0,
    mean_trial_calls: n ? round4(trial / n) : 0,
    invalid_call_rate: calls ? round4(invalid / calls) : 0,
    mean_self_corrections: n ? round4(corrections / n) : 0,
    ast_match_rate: n ? round4(ast / n) : 0,
    errors,
  };
}

/**
 * Group episodes by the given keys (in first-seen order) and summarize each group.
 *
 * @example
 * ```ts
 * import { groupSummary } from "./metrics.ts";
 * console.assert(groupSummary([], ["agent"]).length === 0);
 * ```
 */
export function groupSummary(
  episodes: readonly EpisodeRecord[],
  keys: readonly GroupKey[],
): SummaryRow[] {
  const groups = new Map<string, EpisodeRecord[]>();
  for (const e of episodes) {
    const k = keys.map((key) => e[key]).join("\u0000");
    let g = groups.get(k);
    if (!g) groups.set(k, g = []);
    g.push(e);
  }
  return [...groups.values()].map((g) => {
    const row: Partial<Record<GroupKey, string>> = {};
    for (const key of keys) row[key] = g[0][key];
    return { ...row, ...summarize(g) };
  });
}

/** A variant's effect on one agent × protocol: clean vs varied success over the same episodes. */
export interface RobustnessRow {
  agent: string;
  protocol: string;
  variant: string;
  /** Pairs: the same (env, task, seed, sample) run clean and under the variant. */
  pairs: number;
  clean_rate: number;
  variant_rate: number;
  /** clean_rate − variant_rate over the pairs: what the variant costs. */
  drop: number;
}

/**
 * Robustness drop per agent × protocol × variant, paired by task: only episodes that ran both
 * clean and under the variant count.
 *
 * @example
 * ```ts
 * import { robustness } from "./metrics.ts";
 * console.assert(robustness([]).length === 0);
 * ```
 */
export function robustness(episodes: readonly EpisodeRecord[]): RobustnessRow[] {
  const pairKey = (e: EpisodeRecord) =>
    [e.agent, e.protocol, e.env, e.task, e.seed, e.sample].join("\u0000");
  const clean = new Map<string, boolean>();
  for (const e of episodes) if (e.variant === "clean") clean.set(pairKey(e), e.success);
  const rows = new Map<string, RobustnessRow & { c: number; v: number }>();
  for (const e of episodes) {
    if (e.variant === "clean") continue;
    const base = clean.get(pairKey(e));
    if (base === undefined) continue;
    const k = [e.agent, e.protocol, e.variant].join("\u0000");
    let r = rows.get(k);
    if (!r) {
      r = {
        agent: e.agent,
        protocol: e.protocol,
        variant: e.variant,
        pairs: 0,
        clean_rate: 0,
        variant_rate: 0,
        drop: 0,
        c: 0,
        v: 0,
      };
      rows.set(k, r);
    }
    r.pairs++;
    if (base) r.c++;
    if (e.success) r.v++;
  }
  return [...rows.values()].map(({ c, v, ...r }) => ({
    ...r,
    clean_rate: round4(c / r.pairs),
    variant_rate: round4(v / r.pairs),
    drop: round4((c - v) / r.pairs),
  }));
}
