import { brokenMarkdown, oracleAgents } from "./broken.ts";
import { formatChange, formatChangeCI, formatPercent, formatPoints } from "./format.ts";
import { backendLines } from "./backend_text.ts";
import { headlineMarkdown } from "./headline.ts";
import { FAILED_CHECKS_NOTE, judgeErrorsLine, judgeLine, notScoredLine } from "./judge_notes.ts";
import { metricColumns } from "./metric_registry.ts";
import { sawRows } from "./saw.ts";
import type { Report, SummaryRow, VariantSummary } from "./types.ts";
import { BFCL_TABLE_NOTE, bfclCells } from "./bfcl_table.ts";
import { recordedKind } from "../runners/mod.ts";

const pct = formatPercent;

function table(rows: SummaryRow[], keys: (keyof SummaryRow)[]): string {
  // Optional columns (tokens for model agents, cost for priced endpoints) show only when in use.
  const columns = metricColumns().filter((m) => m.column.shown?.(rows) ?? true);
  const head = [...keys.map(String), ...columns.map((m) => m.column.label)];
  const align = [...keys.map(() => ":--"), ...columns.map((m) => m.column.align)];
  const lines = rows.map((r) => [
    ...keys.map((k) => String(r[k] ?? "")),
    ...columns.map((m) => m.column.cell(r)),
  ]);
  return [head, align, ...lines].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/**
 * Success per agent × protocol (rows) and variant (columns): clean first, each variant with its
 * paired drop from clean in points. What `bench` prints.
 */
export function overallMarkdown(report: Report): string {
  const variants = [...new Set(report.overall.map((r) => r.variant ?? "clean"))];
  const rows = [...new Set(report.overall.map((r) => `${r.agent}\u0000${r.protocol}`))];
  const cell = new Map(
    report.overall.map((r) => [`${r.agent}\u0000${r.protocol}\u0000${r.variant}`, r]),
  );
  const drop = new Map(
    report.robustness.map((r) => [`${r.agent}\u0000${r.protocol}\u0000${r.variant}`, r.drop]),
  );
  const oracles = oracleAgents(report);
  const head = ["agent", "protocol", ...variants];
  const align = [":--", ":--", ...variants.map(() => "--:")];
  const lines = rows.map((k) => {
    const [agent, protocol] = k.split("\u0000");
    return [
      agent,
      protocol,
      ...variants.map((v) => {
        const r = cell.get(`${k}\u0000${v}`);
        if (!r) return "–";
        const d = drop.get(`${k}\u0000${v}`);
        // An oracle below 100% means a broken task there, not a weak agent.
        const warn = oracles.includes(agent) && r.success_rate < 1 ? " ⚠" : "";
        return d === undefined
          ? `${pct(r.success_rate)}${warn}`
          : `${pct(r.success_rate)}${warn} (${formatChange(d)})`;
      }),
    ];
  });
  return [head, align, ...lines].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/** One variant's visible interface, tool by tool, where it differs from the canonical one. */
function sawTable(v: VariantSummary): string[] {
  const rows = sawRows(v, { code: (x) => `\`${x}\``, text: (x) => x }).map((r) => [
    `\`${r.name}\``,
    r.canonical === null ? "—" : r.canonical === r.name ? "same" : `\`${r.canonical}\``,
    r.params.join(", ") || "—",
    r.notes.join("; ") || "—",
  ]);
  if (rows.length === 0) return ["No visible change to the tool list or parameters."];
  return [
    "| tool the agent saw | canonical tool | parameters (seen ← canonical) | notes |",
    "| :-- | :-- | :-- | :-- |",
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ];
}

const ci = (c: [number, number] | null, f: (x: number) => string) =>
  c ? `${f(c[0])} … ${f(c[1])}` : "–";
const signed = formatPoints;

function robustnessSection(report: Report): string[] {
  if (report.robustness.length === 0) return [];
  return [
    "## Robustness drop",
    "",
    "| agent | protocol | variant | pairs | clean | variant | change (points) | 95% CI |",
    "| :-- | :-- | :-- | --: | --: | --: | --: | :-: |",
    ...report.robustness.map((r) =>
      `| ${r.agent} | ${r.protocol} | ${r.variant} | ${r.pairs} | ${pct(r.clean_rate)} | ${
        pct(r.variant_rate)
      } | ${formatChange(r.drop)} | ${formatChangeCI(r.ci95, " … ")} |`
    ),
    "",
    "Change: variant − clean success over the same (env, task, seed, sample), − is worse than clean;",
    "the interval resamples tasks. report.json keeps the drop (clean − variant) as a fraction.",
    "",
  ];
}

/**
 * pass^k (τ-bench's reliability: all of k trials succeed) for k = 1 … samples, then pass@k (some
 * of k succeeds), per agent × protocol × variant; only when tasks ran several times per seed.
 */
function reliabilitySection(report: Report): string[] {
  const rows = report.overall;
  const ks = Object.keys(rows[0]?.pass_hat_k ?? {}).map(Number).sort((a, b) => a - b);
  if (ks.length < 2) return [];
  const more = ks.filter((k) => k > 1);
  return [
    "## Reliability over repeated trials (pass^k)",
    "",
    `| agent | protocol | variant | ${ks.map((k) => `pass^${k}`).join(" | ")} | ${
      more.map((k) => `pass@${k}`).join(" | ")
    } |`,
    `| :-- | :-- | :-- | ${[...ks, ...more].map(() => "--:").join(" | ")} |`,
    ...rows.map((r) =>
      `| ${r.agent} | ${r.protocol} | ${r.variant} | ${
        ks.map((k) => pct(r.pass_hat_k[k] ?? 0)).join(" | ")
      } | ${more.map((k) => pct(r.pass_at_k[k] ?? 0)).join(" | ")} |`
    ),
    "",
    "pass^k (τ-bench): the chance that k trials of a task all succeed, C(c, k)/C(n, k) from its n",
    "samples under one seed with c successes, averaged over tasks and seeds; it falls with k as far",
    "as the agent is unreliable (pass^1 is the success rate). pass@k: the chance that at least one",
    "of k succeeds. k runs to the samples per task (at most 10).",
    "",
  ];
}

/** BFCL's per-category accuracy table, where tasks are imported BFCL entries. */
function bfclSection(report: Report): string[] {
  const t = bfclCells(report.bfcl ?? []);
  if (!t) return [];
  return [
    "## BFCL categories",
    "",
    `| ${t.head.join(" | ")} |`,
    `| ${t.head.map((_, i) => (i < 3 ? ":--" : "--:")).join(" | ")} |`,
    ...t.body.map((cells) => `| ${cells.join(" | ")} |`),
    "",
    ...BFCL_TABLE_NOTE,
    "",
  ];
}

/** RoTBench's three scores, where some tasks judge only the first action. */
function firstActionSection(report: Report): string[] {
  const rows = report.overall.filter((r) => r.first_action);
  if (rows.length === 0) return [];
  return [
    "## First action (RoTBench scores)",
    "",
    "| agent | protocol | variant | episodes | tool selection | parameter identification | content filling |",
    "| :-- | :-- | :-- | --: | --: | --: | --: |",
    ...rows.map((r) => {
      const f = r.first_action!;
      return `| ${r.agent} | ${r.protocol} | ${r.variant} | ${f.episodes} | ${
        pct(f.tool_selection)
      } | ${pct(f.parameter_identification)} | ${pct(f.content_filling)} |`;
    }),
    "",
    "Over the episodes whose task has a `first_action_only` calls check: the share whose first action",
    "called an accepted tool, also gave exactly its parameter names, and also filled in accepted values.",
    "",
  ];
}

function gapSection(report: Report): string[] {
  const rows = report.gaps.filter((g) => g.variant === "clean");
  if (rows.length === 0) return [];
  return [
    "## Generalization gap (clean)",
    "",
    "| agent | protocol | unseen split | seen | unseen | gap (points) | 95% CI |",
    "| :-- | :-- | :-- | --: | --: | --: | :-: |",
    ...rows.map((g) =>
      `| ${g.agent} | ${g.protocol} | ${g.split} | ${pct(g.seen_rate)} (${g.seen_episodes}) | ${
        pct(g.unseen_rate)
      } (${g.unseen_episodes}) | ${signed(g.gap)} | ${ci(g.ci95, signed)} |`
    ),
    "",
    "Gap: seen − unseen success (episodes in brackets); the interval resamples each group's tasks.",
    "Every variant's gaps are in report.json.",
    "",
  ];
}

function comparisonSection(report: Report): string[] {
  const rows = report.comparisons.filter((c) => c.variant === "clean");
  if (rows.length === 0) return [];
  const p = (x: number) => (x < 0.05 ? `**${x.toPrecision(2)}**` : x.toPrecision(2));
  return [
    "## Paired comparisons (clean)",
    "",
    "| protocol | A | B | pairs | A | B | A − B | 95% CI | only A | only B | McNemar p |",
    "| :-- | :-- | :-- | --: | --: | --: | --: | :-: | --: | --: | --: |",
    ...rows.map((c) =>
      `| ${c.protocol} | ${c.a} | ${c.b} | ${c.pairs} | ${pct(c.a_rate)} | ${pct(c.b_rate)} | ${
        signed(c.diff)
      } | ${ci(c.ci95, signed)} | ${c.only_a} | ${c.only_b} | ${p(c.p_value)} |`
    ),
    "",
    "Pairs: the same episode (task, seed, sample) for both agents; bold p-values are below 0.05.",
    "Comparisons under every variant are in report.json.",
    "",
  ];
}

/** "What the agent saw": per variant and environment, the visible tools beside the canonical ones. */
function sawSection(report: Report): string[] {
  const out: string[] = [];
  const varied = report.variants.filter((v) => v.ops.length > 0);
  if (varied.length === 0) return out;
  out.push(
    "## What the agent saw",
    "",
    "Each variant's operators, applied in order, and the interface they produced (only tools that differ",
    "from the canonical ones are listed). Checks always run on the canonical state.",
    "",
  );
  for (const name of [...new Set(varied.map((v) => v.variant))]) {
    const of = varied.filter((v) => v.variant === name);
    const ops = of[0].ops.map((o) =>
      Object.keys(o.options).length > 0 ? `${o.op} ${JSON.stringify(o.options)}` : o.op
    );
    out.push(`### ${name}`, "", `Operators: ${ops.map((o) => `\`${o}\``).join(" → ")}`, "");
    for (const v of of) {
      out.push(
        "<details>",
        `<summary>${v.env} (seed ${v.seed})</summary>`,
        "",
        ...sawTable(v),
        "",
        "</details>",
        "",
      );
    }
  }
  return out;
}

/**
 * Render a report as Markdown: tables a paper can paste, plus provenance.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderMarkdown } from "./markdown.ts";
 * import type { Report } from "./report.ts";
 * const md = renderMarkdown({ run_id: "0", overall: [], breakdown: [], robustness: [], gaps: [], comparisons: [], variants: [], episodes: [], provenance: { suite: { name: "s" } } } as unknown as Report);
 * assert.ok(md.startsWith("# tooltrial report"));
 * ```
 */
export function renderMarkdown(report: Report): string {
  const p = report.provenance;
  const failures = report.episodes.filter((e) => e.error);
  const out = [
    `# tooltrial report: ${p.suite.name}`,
    "",
    `Run \`${report.run_id}\` · ${report.episodes.length} episodes · seeds: ${
      p.seeds?.join(", ")
    } · samples: ${p.samples}`,
    "",
    ...(report.overall.length > 0
      ? [
        "## Headline",
        "",
        headlineMarkdown(report),
        "",
        "Clean success; the mean change in points under the variants over the same tasks (95% CI, resampling",
        "tasks); the variant that costs the most.",
        "",
      ]
      : []),
    "## Success by variant",
    "",
    overallMarkdown(report),
    "",
    "Each cell: share of episodes whose checks all hold; in brackets, the drop from clean in percentage",
    "points over the same tasks (− is worse than clean).",
    "",
    ...(notScoredLine(report) ? [`**${notScoredLine(report)}**`, ""] : []),
    ...(judgeErrorsLine(report) ? [`**${judgeErrorsLine(report)}**`, ""] : []),
    ...brokenMarkdown(report),
    "## Success by agent, protocol and variant",
    "",
    table(report.overall, ["agent", "protocol", "variant"]),
    "",
    "Success: share of episodes whose checks all hold; 95% CI: bootstrap over tasks (seeded; samples of a task",
    "count once). Calls: execution-phase tool calls per episode; trial calls: calls on the sandbox copy; invalid",
    "rate: unknown tool, bad JSON, schema violation or deprecated name per execution call; self-corr.: failed",
    "calls followed by a successful one; AST: gold calls made (mapped back to canonical names).",
    ...(report.overall.some((r) => r.mean_tokens !== null)
      ? ["Tokens (model agents): tokens generated per episode."]
      : []),
    ...(report.overall.some((r) => r.mean_cost_usd !== undefined)
      ? [
        "USD/ep. (endpoint agents with `price:`): what an episode's prompt and completion tokens cost.",
      ]
      : []),
    ...(report.overall.some((r) => r.mean_user_turns !== undefined)
      ? [
        "User turns (conversations: tasks with `user:`): the simulated user's replies per episode, its",
        "stop message included.",
      ]
      : []),
    ...(report.overall.some((r) => r.failed_checks !== undefined) ? [FAILED_CHECKS_NOTE] : []),
    "",
    ...reliabilitySection(report),
    "## By environment and split (clean)",
    "",
    table(report.breakdown.filter((r) => r.variant === "clean"), [
      "agent",
      "protocol",
      "env",
      "split",
    ]),
    "",
    "Splits: seen; unseen_task (task marked unseen); unseen_tool (needs a held-out tool family); unseen_env",
    "(held-out environment). The full breakdown across variants is in report.json.",
    "",
    ...bfclSection(report),
    ...firstActionSection(report),
    ...robustnessSection(report),
    ...gapSection(report),
    ...comparisonSection(report),
    ...sawSection(report),
  ];
  const backendFailures = report.overall.reduce((n, r) => n + (r.backend_failures ?? 0), 0);
  if (backendFailures > 0) {
    out.push(
      "## Backend failures",
      "",
      `${backendFailures} tool call(s) failed in a handler, MCP server or HTTP API rather than in the tool's logic (timeouts, crashes, dead servers, answers missing from a cassette); each is in the episode log with \`details.backend\`.`,
      "",
    );
  }
  if (failures.length > 0) {
    out.push("## Episodes that ended abnormally", "");
    for (const e of failures.slice(0, 20)) out.push(`- \`${e.id}\`: ${e.error}`);
    if (failures.length > 20) out.push(`- … and ${failures.length - 20} more (see report.json)`);
    out.push("");
  }
  out.push(
    "## Provenance",
    "",
    `- tooltrial ${p.tooltrial_version}, git ${p.git_commit ?? "unknown"}${
      p.git_dirty ? " (uncommitted changes)" : ""
    }`,
    `- Deno ${p.deno}, V8 ${p.v8}, ${p.os}/${p.arch}, ${p.machine?.cpus} CPUs, ${p.machine?.memory_gb} GiB`,
    `- suite \`${p.suite.file}\` sha256 \`${p.suite.sha256?.slice(0, 16)}…\``,
    ...backendLines(p.backends).map((l) => `- tool backends: ${l}`),
    ...(judgeLine(report) ? [`- judge (grades judge: checks): ${judgeLine(report)}`] : []),
    ...(p.agents ?? []).filter((a) => a.onnx).map((a) =>
      `- model agent ${a.name}: \`${a.onnx!.path}\` sha256 \`${
        a.onnx!.model_hash.slice(0, 16)
      }…\`, ran on ${p.execution_providers[a.name] ?? "?"} (${p.onnxruntime ?? "onnxruntime"})${
        a.onnx!.grammar ? ", grammar-constrained tool calls" : ""
      }`
    ),
    ...(p.user
      ? [
        `- the user played by ${
          p.user.ref ?? recordedKind(p.user).recorded(p.user, p.user.name).text
        }${p.user.max_turns !== undefined ? `, at most ${p.user.max_turns} replies` : ""}`,
      ]
      : []),
    `- started ${p.started_at}, finished ${p.finished_at}${
      p.shards ? ` (merged from shards ${p.shards.join(", ")})` : ""
    }`,
    `- reproduce: \`deno task reproduce <this run>/report.json\``,
    "",
  );
  return out.join("\n");
}
