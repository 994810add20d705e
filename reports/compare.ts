import { deriveSeed } from "../runners/rng.ts";
import { byTask } from "./metrics.ts";
import { bootstrapCI, mcnemarExact } from "./stats.ts";
import { formatPercent, formatPoints } from "./format.ts";
import type { EpisodeSummary, Report } from "./types.ts";

const pct = formatPercent;
const pts = formatPoints;

/** How `compare` pairs the episodes of two runs. */
export interface CompareOptions {
  /**
   * `episode` (default): the same agent name, env, task, variant, protocol, seed and sample.
   * `task`: any agent of A against any agent of B on the same env, task, variant, protocol, seed
   * and sample — two models run separately, each under its own name.
   */
  pair?: "episode" | "task";
  /** Agent names of A read as these names of B (`--by a=b`), for `episode` pairing. */
  by?: ReadonlyMap<string, string>;
}

/** Why two reports share no episode to pair, in words a user can act on; undefined when some pair. */
export function whyNothingPairs(
  a: Report,
  b: Report,
  opts: CompareOptions = {},
): string | undefined {
  const rows = compareRows(a, b, opts);
  if (rows.some((r) => r.pairs.length > 0)) return undefined;
  const names = (r: Report) => [...new Set(r.episodes.map((e) => e.agent))].join(", ") || "none";
  const seeds = (r: Report) => [...new Set(r.episodes.map((e) => e.seed))].join(", ");
  const why: string[] = [];
  const pair = opts.pair ?? "episode";
  if (pair === "episode" && rows.length === 0) {
    why.push(
      `A's agents (${names(a)}) and B's (${
        names(b)
      }) share no name: compare different agents with --pair task, or map names with --by ${
        a.episodes[0]?.agent ?? "a"
      }=${b.episodes[0]?.agent ?? "b"}`,
    );
  }
  if (seeds(a) !== seeds(b)) {
    why.push(
      `A ran seeds ${seeds(a)} and B seeds ${seeds(b)}: episodes pair only on the same seed`,
    );
  }
  const tasks = (r: Report) => new Set(r.episodes.map((e) => `${e.env}/${e.task}`));
  const tb = tasks(b);
  if (![...tasks(a)].some((t) => tb.has(t))) why.push("the runs share no task");
  const variants = (r: Report) => new Set(r.episodes.map((e) => `${e.variant}/${e.protocol}`));
  const vb = variants(b);
  if (![...variants(a)].some((v) => vb.has(v))) {
    why.push("the runs share no (variant, protocol)");
  }
  return why.length > 0 ? why.join("; ") : "no episode of A has a counterpart in B";
}

interface Row {
  agentA: string;
  agentB: string;
  protocol: string;
  variant: string;
  rateA: number;
  rateB: number;
  pairs: { a: EpisodeSummary; b: EpisodeSummary }[];
}

/** The rows of a comparison: which groups of A meet which of B, and their paired episodes. */
function compareRows(a: Report, b: Report, opts: CompareOptions): Row[] {
  const pair = opts.pair ?? "episode";
  const nameInB = (agent: string) => opts.by?.get(agent) ?? agent;
  const where = (e: EpisodeSummary) =>
    [e.protocol, e.variant, e.env, e.task, e.seed, e.sample].join("\u0000");
  const inB = new Map(b.episodes.map((e) => [`${e.agent}\u0000${where(e)}`, e]));
  const rows: Row[] = [];
  for (const ra of a.overall) {
    const agent = ra.agent;
    if (agent === undefined) continue;
    const partners = b.overall.filter((rb) =>
      rb.protocol === ra.protocol && rb.variant === ra.variant &&
      (pair === "task" || rb.agent === nameInB(agent))
    );
    for (const rb of partners) {
      const pairs = a.episodes
        .filter((e) =>
          e.agent === ra.agent && e.protocol === ra.protocol && e.variant === ra.variant
        )
        .flatMap((e) => {
          const o = inB.get(`${rb.agent}\u0000${where(e)}`);
          return o ? [{ a: e, b: o }] : [];
        });
      rows.push({
        agentA: agent,
        agentB: rb.agent ?? "",
        protocol: ra.protocol ?? "",
        variant: ra.variant ?? "",
        rateA: ra.success_rate,
        rateB: rb.success_rate,
        pairs,
      });
    }
  }
  return rows;
}

/**
 * Two reports side by side, per agent × protocol × variant. Where the runs share episodes the
 * difference is paired (see CompareOptions): a bootstrap interval resampling tasks, and an exact
 * McNemar test.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareMarkdown } from "./compare.ts";
 * import type { Report } from "./types.ts";
 * const r = { run_id: "0", overall: [], episodes: [], provenance: { suite: { name: "s", sha256: "0" } } } as unknown as Report;
 * assert.ok(compareMarkdown(r, r).includes("| agent |"));
 * ```
 */
export function compareMarkdown(
  a: Report,
  b: Report,
  labels: { a: string; b: string } = { a: "A", b: "B" },
  opts: CompareOptions = {},
): string {
  const pair = opts.pair ?? "episode";
  const lines = [
    `# tooltrial compare`,
    "",
    `- A: \`${labels.a}\` — run \`${a.run_id}\`, suite ${a.provenance.suite.name}, ${a.episodes.length} episodes`,
    `- B: \`${labels.b}\` — run \`${b.run_id}\`, suite ${b.provenance.suite.name}, ${b.episodes.length} episodes`,
    a.provenance.suite.sha256 === b.provenance.suite.sha256
      ? "- Same suite and specs: differences come from agents, seeds or code."
      : "- **Different suite or specs**: only episodes both ran are paired.",
    "",
    pair === "task"
      ? "| agent (A) | agent (B) | protocol | variant | A | B | B − A | paired n | 95% CI (paired) | McNemar p |"
      : "| agent | protocol | variant | A | B | B − A | paired n | 95% CI (paired) | McNemar p |",
    pair === "task"
      ? "| :-- | :-- | :-- | :-- | --: | --: | --: | --: | :-: | --: |"
      : "| :-- | :-- | :-- | --: | --: | --: | --: | :-: | --: |",
  ];
  for (const r of compareRows(a, b, opts)) {
    const k = `${r.agentA}/${r.agentB}/${r.protocol}/${r.variant}`;
    let ci = "–", p = "–";
    if (r.pairs.length > 0) {
      const c = bootstrapCI(
        byTask(
          r.pairs,
          (x) => `${x.a.env}/${x.a.task}`,
          (x) => Number(x.b.success) - Number(x.a.success),
        ),
        { seed: deriveSeed("compare", k) },
      );
      if (c) ci = `${pts(c[0])} … ${pts(c[1])}`;
      const onlyA = r.pairs.filter((x) => x.a.success && !x.b.success).length;
      const onlyB = r.pairs.filter((x) => !x.a.success && x.b.success).length;
      const pv = mcnemarExact(onlyA, onlyB).p_value;
      p = pv < 0.05 ? `**${pv.toPrecision(2)}**` : pv.toPrecision(2);
    }
    const agents = pair === "task"
      ? `${r.agentA} | ${r.agentB}`
      : r.agentA === r.agentB
      ? r.agentA
      : `${r.agentA} → ${r.agentB}`;
    lines.push(
      `| ${agents} | ${r.protocol} | ${r.variant} | ${pct(r.rateA)} | ${pct(r.rateB)} | ${
        pts(r.rateB - r.rateA)
      } | ${r.pairs.length} | ${ci} | ${p} |`,
    );
  }
  lines.push(
    "",
    pair === "task"
      ? "B − A in percentage points. Paired: the same env, task, variant, protocol, seed and sample, whichever agent; the interval resamples tasks; bold p-values are below 0.05."
      : "B − A in percentage points. Paired: the same episode (env, task, variant, protocol, seed,\nsample, agent) in both runs; the interval resamples tasks; bold p-values are below 0.05.",
    "",
  );
  return lines.join("\n");
}
