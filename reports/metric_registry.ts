/**
 * The registry of report metrics: one entry per field of a report row (`SummaryRow`), in the
 * order report.json writes them. Each entry computes its value from a group of episodes and,
 * when it is a table column, says how its cell reads. `summarize` builds every row through it,
 * and the Markdown and HTML metric tables iterate its columns; its meta-test
 * (metric_registry_test.ts) checks that every metric reaches report.json, report.md and
 * report.html, and `deno task schemas` writes each one's `schema` into report.v1.json's row.
 * Adding a metric: one entry here and its field in `SummaryRow` (reports/types.ts), plus where it
 * is measured if it is a new per-episode count.
 * @module
 */
import { deriveSeed } from "../runners/rng.ts";
import { CHECK_KINDS } from "../tasks/mod.ts";
import { formatPercent as pct } from "./format.ts";
import { bootstrapCI, meanPassAtK, meanPassHatK, type SharedDraws } from "./stats.ts";
import type { EpisodeSummary, GroupKey, SummaryRow } from "./types.ts";

/** A report row's metrics: everything but the grouping keys. */
export type RowMetrics = Omit<SummaryRow, GroupKey>;

/** What every metric of one group is computed from. */
export interface MetricGroup {
  /** The group's episodes. */
  episodes: readonly EpisodeSummary[];
  /** The group's name, where a bootstrap's generator starts (so reports are reproducible). */
  seed: string;
  /**
   * Groups that resample alike (the rows of one agent): where their bootstrap starts instead of
   * `seed`, and the draws kept between them.
   */
  resample?: { seed: string; draws: SharedDraws };
}

/** How a metric reads as a table column (Markdown, HTML). */
export interface MetricColumn {
  /** Header text. */
  label: string;
  /** Place among the columns, left to right. */
  order: number;
  /** Markdown alignment. */
  align: "--:" | ":-:";
  /** The cell of one row. */
  cell(row: SummaryRow): string;
  /** Whether the column is shown for these rows (default: always). */
  shown?(rows: readonly SummaryRow[]): boolean;
}

/** One report metric. */
export interface Metric<K extends keyof RowMetrics = keyof RowMetrics> {
  /** Its field in a report row (report.json). */
  key: K;
  /** What it measures, in a line. */
  describe: string;
  /** The JSON Schema of its field in a report row (report.v1.json is written from it). */
  schema: Readonly<Record<string, unknown>>;
  /** Reports may lack it (it came later, or it exists only for some agents or checks). */
  optional?: true;
  /** Its value over a group; undefined leaves the (optional) field out. */
  compute(g: MetricGroup): RowMetrics[K] | undefined;
  /** Its table column, if it has one. */
  column?: MetricColumn;
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
const num = (x: number) => x.toFixed(2);
const taskKey = (e: EpisodeSummary) => `${e.env}\u0000${e.task}`;
const count = (es: readonly EpisodeSummary[], f: (e: EpisodeSummary) => unknown) => {
  let n = 0;
  for (const e of es) if (f(e)) n++;
  return n;
};
const sum = (es: readonly EpisodeSummary[], f: (e: EpisodeSummary) => number) => {
  let s = 0;
  for (const e of es) s += f(e);
  return s;
};
/** `a / b` rounded to four places, or 0 when `b` is 0. */
const ratio = (a: number, b: number) => b ? round4(a / b) : 0;

/** The mean of a per-episode figure over the episodes that have it; undefined when none does. */
function meanWhere(
  es: readonly EpisodeSummary[],
  f: (e: EpisodeSummary) => number | undefined,
): number | undefined {
  let n = 0, total = 0;
  for (const e of es) {
    const v = f(e);
    if (v !== undefined) n++, total += v;
  }
  return n ? total / n : undefined;
}

/** The column of an optional metric: shown when some row has it, "–" in the rows without. */
function optionalColumn(
  key: "mean_cost_usd" | "mean_user_turns",
  label: string,
  order: number,
  text: (v: number) => string,
): MetricColumn {
  return {
    label,
    order,
    align: "--:",
    cell: (r) => r[key] === undefined ? "–" : text(r[key]!),
    shown: (rows) => rows.some((r) => r[key] !== undefined),
  };
}

/**
 * Group values by a key, in first-seen order: by task, the clusters a bootstrap resamples
 * (samples of one task count once).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { byTask } from "./metric_registry.ts";
 * assert.deepEqual(byTask(["a1", "b1", "a0"], (s) => s[0], (s) => Number(s[1])), [[1, 0], [1]]);
 * ```
 */
export function byTask<T>(
  items: readonly T[],
  key: (t: T) => string,
  value: (t: T) => number,
): number[][] {
  const groups = new Map<string, number[]>();
  for (const it of items) {
    const k = key(it);
    let g = groups.get(k);
    if (!g) groups.set(k, g = []);
    g.push(value(it));
  }
  return [...groups.values()];
}

const successClusters = (es: readonly EpisodeSummary[]) =>
  byTask(es, taskKey, (e) => (e.success ? 1 : 0));

/**
 * pass@k and pass^k count i.i.d. trials: the samples of a task under one seed (another seed may
 * change the variant's interface, so it is another condition, not another trial).
 */
function passK(es: readonly EpisodeSummary[], mean: typeof meanPassAtK) {
  const perTask = byTask(es, (e) => `${taskKey(e)}\u0000${e.seed}`, (e) => e.success ? 1 : 0)
    .map((c) => ({ n: c.length, c: c.reduce((a, b) => a + b, 0) }));
  const kMax = Math.min(10, ...perTask.map((t) => t.n));
  const out: Record<string, number> = {};
  for (let k = 1; k <= kMax; k++) out[k] = round4(mean(perTask, k));
  return out;
}

/**
 * Wilson score interval at 95% for k successes in n trials.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wilson } from "./metric_registry.ts";
 * const [lo, hi] = wilson(8, 10);
 * assert.ok(lo < 0.8 && hi > 0.8);
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

const metric = <K extends keyof RowMetrics>(m: Metric<K>): Metric => m as unknown as Metric;

/** What a failed check is counted under: `answered` (no final answer), then each check kind. */
export const CHECK_KIND_NAMES: readonly string[] = ["answered", ...CHECK_KINDS.map((k) => k.key)];

/**
 * Failed episodes per check kind, in CHECK_KIND_NAMES order (an episode counts once under each
 * kind that failed it); undefined when no episode failed a check.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { failedChecks } from "./metric_registry.ts";
 * const es = [{ failed_checks: ["judge"] }, { failed_checks: ["db", "judge"] }, {}];
 * assert.deepEqual(failedChecks(es), { db: 1, judge: 2 });
 * ```
 */
export function failedChecks(
  es: readonly Pick<EpisodeSummary, "failed_checks">[],
): Record<string, number> | undefined {
  const n = new Map<string, number>();
  for (const e of es) for (const k of e.failed_checks ?? []) n.set(k, (n.get(k) ?? 0) + 1);
  if (n.size === 0) return undefined;
  const order = (k: string) => {
    const i = CHECK_KIND_NAMES.indexOf(k);
    return i < 0 ? CHECK_KIND_NAMES.length : i;
  };
  return Object.fromEntries([...n].sort((a, b) => order(a[0]) - order(b[0])));
}

/** Every report metric, in report.json's order. */
export const METRICS: readonly Metric[] = [
  metric({
    key: "episodes",
    schema: { type: "integer", minimum: 0 },
    describe: "episodes in the group",
    compute: (g) => g.episodes.length,
    column: { label: "n", order: 3, align: "--:", cell: (r) => String(r.episodes) },
  }),
  metric({
    key: "tasks",
    schema: { type: "integer", minimum: 0 },
    describe: "distinct tasks in the group",
    compute: (g) => successClusters(g.episodes).length,
  }),
  metric({
    key: "successes",
    schema: { type: "integer", minimum: 0 },
    describe: "episodes whose checks all hold",
    compute: (g) => count(g.episodes, (e) => e.success),
  }),
  metric({
    key: "success_rate",
    schema: { type: "number", minimum: 0, maximum: 1 },
    describe: "share of episodes whose checks all hold",
    compute: (g) => ratio(count(g.episodes, (e) => e.success), g.episodes.length),
    column: { label: "success", order: 1, align: "--:", cell: (r) => pct(r.success_rate) },
  }),
  metric({
    key: "ci95",
    schema: {
      type: "array",
      prefixItems: [
        { type: "number" },
        { type: "number" },
      ],
      minItems: 2,
      maxItems: 2,
    },
    describe: "bootstrap 95% interval of the success rate, resampling tasks (seeded)",
    compute: (g) => {
      const ci = bootstrapCI(
        successClusters(g.episodes),
        g.resample
          ? { seed: deriveSeed("bootstrap", g.resample.seed), draws: g.resample.draws }
          : { seed: deriveSeed("bootstrap", g.seed) },
      );
      return ci ? [round4(ci[0]), round4(ci[1])] : [0, 1];
    },
    column: {
      label: "95% CI",
      order: 2,
      align: ":-:",
      cell: (r) => `${pct(r.ci95[0])} – ${pct(r.ci95[1])}`,
    },
  }),
  metric({
    key: "wilson95",
    schema: {
      type: "array",
      prefixItems: [
        { type: "number" },
        { type: "number" },
      ],
      minItems: 2,
      maxItems: 2,
    },
    describe: "Wilson 95% interval of the success rate over episodes",
    compute: (g) => {
      const [lo, hi] = wilson(count(g.episodes, (e) => e.success), g.episodes.length);
      return [round4(lo), round4(hi)];
    },
  }),
  metric({
    key: "pass_at_k",
    schema: {
      type: "object",
      additionalProperties: { type: "number", minimum: 0, maximum: 1 },
    },
    describe: "pass@k over each task's samples under one seed",
    compute: (g) => passK(g.episodes, meanPassAtK),
  }),
  metric({
    key: "pass_hat_k",
    schema: {
      type: "object",
      additionalProperties: { type: "number", minimum: 0, maximum: 1 },
    },
    describe: "pass^k over each task's samples under one seed",
    compute: (g) => passK(g.episodes, meanPassHatK),
  }),
  metric({
    key: "mean_calls",
    schema: { type: "number" },
    describe: "execution-phase tool calls per episode",
    compute: (g) => ratio(sum(g.episodes, (e) => e.calls), g.episodes.length),
    column: { label: "calls", order: 4, align: "--:", cell: (r) => num(r.mean_calls) },
  }),
  metric({
    key: "mean_trial_calls",
    schema: { type: "number" },
    describe: "calls on the trial phase's sandbox copy per episode",
    compute: (g) => ratio(sum(g.episodes, (e) => e.trial_calls), g.episodes.length),
    column: { label: "trial calls", order: 5, align: "--:", cell: (r) => num(r.mean_trial_calls) },
  }),
  metric({
    key: "invalid_call_rate",
    schema: { type: "number" },
    describe: "unknown tool, bad JSON, schema violation or deprecated name per execution call",
    compute: (g) => ratio(sum(g.episodes, (e) => e.invalid_calls), sum(g.episodes, (e) => e.calls)),
    column: {
      label: "invalid rate",
      order: 6,
      align: "--:",
      cell: (r) => pct(r.invalid_call_rate),
    },
  }),
  metric({
    key: "mean_self_corrections",
    schema: { type: "number" },
    describe: "failed calls followed by a successful one, per episode",
    compute: (g) => ratio(sum(g.episodes, (e) => e.self_corrections), g.episodes.length),
    column: {
      label: "self-corr.",
      order: 7,
      align: "--:",
      cell: (r) => num(r.mean_self_corrections),
    },
  }),
  metric({
    key: "self_correction_rate",
    schema: { type: "number" },
    describe: "self-corrections per failed call",
    compute: (g) =>
      ratio(sum(g.episodes, (e) => e.self_corrections), sum(g.episodes, (e) => e.failed_calls)),
  }),
  metric({
    key: "ast_match_rate",
    schema: { type: "number", minimum: 0, maximum: 1 },
    describe: "share of episodes that made their gold calls (canonical names)",
    compute: (g) => ratio(count(g.episodes, (e) => e.ast_match), g.episodes.length),
    column: { label: "AST", order: 8, align: "--:", cell: (r) => pct(r.ast_match_rate) },
  }),
  metric({
    key: "mean_tokens",
    schema: {
      type: ["number", "null"],
    },
    describe: "tokens a model agent generated per episode (null for scripted agents)",
    compute: (g) => {
      const withTokens = g.episodes.filter((e) => e.tokens !== null);
      return withTokens.length ? ratio(sum(withTokens, (e) => e.tokens!), withTokens.length) : null;
    },
    column: {
      label: "tokens",
      order: 9,
      align: "--:",
      cell: (r) => r.mean_tokens === null ? "–" : r.mean_tokens.toFixed(0),
      shown: (rows) => rows.some((r) => r.mean_tokens !== null),
    },
  }),
  metric({
    key: "mean_cost_usd",
    schema: {
      type: "number",
      minimum: 0,
      description: "Mean USD per episode, where endpoint agents have prices.",
    },
    optional: true,
    describe: "what an endpoint agent's episode cost, where the suite gives its price",
    compute: (g) => {
      const m = meanWhere(g.episodes, (e) => e.cost_usd);
      return m === undefined ? undefined : Math.round(m * 1e8) / 1e8;
    },
    column: optionalColumn("mean_cost_usd", "USD/ep.", 10, (v) => `$${v.toFixed(4)}`),
  }),
  metric({
    key: "mean_user_turns",
    schema: {
      type: "number",
      minimum: 0,
      description:
        "Mean replies of the simulated user per episode, over the group's conversations (tasks with user:); absent when it has none.",
    },
    optional: true,
    describe: "how many times the simulated user replied, per conversation",
    compute: (g) => {
      const m = meanWhere(g.episodes, (e) => e.user_turns);
      return m === undefined ? undefined : round4(m);
    },
    column: optionalColumn("mean_user_turns", "user turns", 11, (v) => v.toFixed(2)),
  }),
  metric({
    key: "first_action",
    schema: {
      type: "object",
      additionalProperties: false,
      required: [
        "episodes",
        "tool_selection",
        "parameter_identification",
        "content_filling",
      ],
      description:
        "RoTBench's three scores over the episodes whose task has a first_action_only calls check: the share whose first action picked an accepted tool, gave its parameter names, and filled in its values.",
      properties: {
        episodes: { type: "integer", minimum: 1 },
        tool_selection: { type: "number", minimum: 0, maximum: 1 },
        parameter_identification: { type: "number", minimum: 0, maximum: 1 },
        content_filling: { type: "number", minimum: 0, maximum: 1 },
      },
    },
    optional: true,
    describe: "RoTBench's staged first-action scores, over episodes with a first-action check",
    compute: (g) => {
      const staged = g.episodes.flatMap((e) => e.first_action ? [e.first_action] : []);
      if (staged.length === 0) return undefined;
      const share = (f: (s: (typeof staged)[number]) => boolean) =>
        round4(staged.filter(f).length / staged.length);
      return {
        episodes: staged.length,
        tool_selection: share((s) => s.tool_selection),
        parameter_identification: share((s) => s.parameter_identification),
        content_filling: share((s) => s.content_filling),
      };
    },
  }),
  metric({
    key: "failed_checks",
    schema: {
      type: "object",
      propertyNames: { enum: [...CHECK_KIND_NAMES] },
      additionalProperties: { type: "integer", minimum: 1 },
      description:
        "Failed episodes per kind of check that failed them (answered: no final answer; an episode counts once under each kind; advisory checks aside); absent when no episode failed a check.",
    },
    optional: true,
    describe: "failed episodes by the kind of check that failed (state, db, judge, …)",
    compute: (g) => failedChecks(g.episodes),
    column: {
      label: "failed checks",
      order: 12,
      align: ":-:",
      cell: (r) =>
        r.failed_checks === undefined
          ? "–"
          : Object.entries(r.failed_checks).map(([k, n]) => `${k} ${n}`).join(", "),
      shown: (rows) => rows.some((r) => r.failed_checks !== undefined),
    },
  }),
  metric({
    key: "mean_ms",
    schema: { type: "number" },
    describe: "wall time per episode in milliseconds",
    compute: (g) => ratio(sum(g.episodes, (e) => e.ms), g.episodes.length),
  }),
  metric({
    key: "errors",
    schema: { type: "integer" },
    describe: "episodes that ended abnormally",
    compute: (g) => count(g.episodes, (e) => e.error),
  }),
  metric({
    key: "backend_failures",
    schema: {
      type: "integer",
      minimum: 0,
      description: "Calls that failed in a handler, MCP or HTTP backend.",
    },
    optional: true,
    describe: "calls that failed in a handler, MCP server or HTTP API rather than in the tool",
    compute: (g) => sum(g.episodes, (e) => e.backend_failures ?? 0),
  }),
];

/** The metrics that are table columns, left to right. */
export const metricColumns = (): (Metric & { column: MetricColumn })[] =>
  METRICS.filter((m): m is Metric & { column: MetricColumn } => m.column !== undefined)
    .sort((a, b) => a.column.order - b.column.order);

/**
 * Every metric of one group (at least one episode), in report.json's order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { computeMetrics } from "./metric_registry.ts";
 * import type { EpisodeSummary } from "./types.ts";
 * const e = { env: "e", task: "t", seed: 0, success: true, error: null, calls: 2, trial_calls: 0,
 *   invalid_calls: 1, failed_calls: 1, self_corrections: 1, ast_match: true, ms: 5, tokens: null };
 * const row = computeMetrics({ episodes: [e as unknown as EpisodeSummary], seed: "" });
 * assert.equal(row.episodes, 1);
 * assert.equal(row.invalid_call_rate, 0.5);
 * assert.deepEqual(row.pass_at_k, { 1: 1 });
 * ```
 */
export function computeMetrics(g: MetricGroup): RowMetrics {
  const row: Record<string, unknown> = {};
  for (const m of METRICS) {
    const v = m.compute(g);
    if (v !== undefined) row[m.key] = v;
  }
  return row as unknown as RowMetrics;
}
