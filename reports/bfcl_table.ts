/**
 * BFCL's per-category accuracy table, for runs of imported BFCL entries: episodes are grouped by
 * the BFCL category their task id names (`tooltrial import bfcl` keeps BFCL's ids:
 * `live_simple_3-2-0` → live_simple), and BFCL's summary columns are computed as its
 * leaderboard does (bfcl_eval/eval_checker/eval_runner_helper.py).
 * @module
 */
import { formatPercent } from "./format.ts";
import type { BfclRow, EpisodeSummary } from "./types.ts";

/** BFCL v4's single-turn categories, in its table's order. */
export const BFCL_CATEGORIES = [
  "simple_python",
  "simple_java",
  "simple_javascript",
  "multiple",
  "parallel",
  "parallel_multiple",
  "irrelevance",
  "live_simple",
  "live_multiple",
  "live_parallel",
  "live_parallel_multiple",
  "live_irrelevance",
  "live_relevance",
] as const;

const ID = new RegExp(`^(${BFCL_CATEGORIES.join("|")})_\\d+(?:-\\d+)*$`);

/** The BFCL category a task id names (`parallel_3` → parallel), or undefined for other ids. */
export function bfclCategoryOf(task: string): string | undefined {
  // import bfcl writes a repeated id as `id-2`, `id-3`: the id still names the category.
  return task.match(ID)?.[1] ?? task.replace(/-\d+$/, "").match(ID)?.[1];
}

const round4 = (x: number) => Math.round(x * 10000) / 10000;

type Scores = BfclRow["categories"];

/** BFCL's unweighted mean (each category counts once); null when one is missing (its N/A). */
function unweighted(s: Scores, cats: string[]): number | null {
  if (cats.some((c) => !s[c])) return null;
  return round4(cats.reduce((n, c) => n + s[c].accuracy, 0) / cats.length);
}

/** BFCL's weighted mean (by entries); null when one is missing. */
function weighted(s: Scores, cats: string[]): number | null {
  if (cats.some((c) => !s[c])) return null;
  const n = cats.reduce((k, c) => k + s[c].episodes, 0);
  return round4(cats.reduce((k, c) => k + s[c].accuracy * s[c].episodes, 0) / n);
}

/**
 * Per agent × protocol × variant: each BFCL category's accuracy (success rate over its
 * episodes) and BFCL's summaries — Non-Live simple (unweighted mean of simple_python, _java,
 * _javascript), Non-Live AST (unweighted mean of simple, multiple, parallel, parallel_multiple),
 * Live AST (the four live categories weighted by entries). A summary is null where one of its
 * categories did not run (BFCL shows N/A). Empty when no episode's task is a BFCL id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bfclTable } from "./bfcl_table.ts";
 * const ep = (task: string, success: boolean) => ({ agent: "a", protocol: "direct", variant: "clean", task, success });
 * const [row] = bfclTable([ep("multiple_0", true), ep("multiple_1", false), ep("parallel_0", true)] as never);
 * assert.ok(row.categories.multiple.accuracy === 0.5 && row.non_live_ast === null);
 * ```
 */
export function bfclTable(episodes: readonly EpisodeSummary[]): BfclRow[] {
  const groups = new Map<string, { key: EpisodeSummary; counts: Map<string, [number, number]> }>();
  for (const e of episodes) {
    const cat = bfclCategoryOf(e.task);
    if (cat === undefined) continue;
    const k = [e.agent, e.protocol, e.variant].join("\u0000");
    const g = groups.get(k) ?? { key: e, counts: new Map() };
    groups.set(k, g);
    const c = g.counts.get(cat) ?? [0, 0];
    c[0]++;
    if (e.success) c[1]++;
    g.counts.set(cat, c);
  }
  return [...groups.values()].map(({ key, counts }) => {
    const categories: Scores = {};
    for (const cat of BFCL_CATEGORIES) {
      const c = counts.get(cat);
      if (c) categories[cat] = { episodes: c[0], accuracy: round4(c[1] / c[0]) };
    }
    const simple = unweighted(categories, ["simple_python", "simple_java", "simple_javascript"]);
    const withSimple: Scores = simple === null ? categories : {
      ...categories,
      simple: { episodes: 0, accuracy: simple },
    };
    return {
      agent: key.agent,
      protocol: key.protocol,
      variant: key.variant,
      categories,
      non_live_simple: simple,
      non_live_ast: unweighted(withSimple, ["simple", "multiple", "parallel", "parallel_multiple"]),
      live_ast: weighted(categories, [
        "live_simple",
        "live_multiple",
        "live_parallel",
        "live_parallel_multiple",
      ]),
    };
  });
}

/**
 * The BFCL table as text cells, the same for every output format: agent, protocol, variant, the
 * leaderboard's summaries that have all their categories, then each category that ran, as
 * "accuracy (episodes)". Null when no task is an imported BFCL entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bfclCells, bfclTable } from "./bfcl_table.ts";
 * const ep = (task: string, success: boolean) =>
 *   ({ task, success, agent: "a", protocol: "direct", variant: "clean" });
 * const t = bfclCells(bfclTable([ep("multiple_0", true), ep("multiple_1", false)] as never))!;
 * assert.deepEqual(t.head, ["agent", "protocol", "variant", "multiple"]);
 * assert.deepEqual(t.body[0], ["a", "direct", "clean", "50.0% (2)"]);
 * ```
 */
export function bfclCells(rows: readonly BfclRow[]): { head: string[]; body: string[][] } | null {
  if (rows.length === 0) return null;
  const ran = BFCL_CATEGORIES.filter((c) => rows.some((r) => r.categories[c]));
  const summaries: [keyof BfclRow, string][] = [
    ["non_live_ast", "Non-Live AST"],
    ["non_live_simple", "Non-Live simple"],
    ["live_ast", "Live AST"],
  ];
  const shown = summaries.filter(([k]) => rows.some((r) => r[k] !== null));
  const cell = (x: number | null) => (x === null ? "N/A" : formatPercent(x));
  return {
    head: ["agent", "protocol", "variant", ...shown.map(([, h]) => h), ...ran],
    body: rows.map((r) => [
      r.agent,
      r.protocol,
      r.variant,
      ...shown.map(([k]) => cell(r[k] as number | null)),
      ...ran.map((c) =>
        r.categories[c]
          ? `${formatPercent(r.categories[c].accuracy)} (${r.categories[c].episodes})`
          : "—"
      ),
    ]),
  };
}

/** What the BFCL table's summaries are, for the text under it (lines of Markdown's width). */
export const BFCL_TABLE_NOTE: readonly string[] = [
  "Tasks grouped by the BFCL category their id names (episodes in brackets). Summaries as BFCL's",
  "leaderboard computes them: Non-Live simple = mean of simple_python, simple_java, simple_javascript;",
  "Non-Live AST = mean of simple, multiple, parallel, parallel_multiple; Live AST = the four live",
  "categories weighted by entries; N/A where one of their categories did not run. Entries the",
  "import skipped are not counted.",
];
