import type { SummaryRow } from "./metrics.ts";
import type { Report, VariantSummary } from "./report.ts";

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const num = (x: number) => x.toFixed(2);

function table(rows: SummaryRow[], keys: (keyof SummaryRow)[]): string {
  const head = [
    ...keys.map(String),
    "success",
    "95% CI",
    "n",
    "calls",
    "trial calls",
    "invalid rate",
    "self-corr.",
    "AST",
  ];
  const align = [...keys.map(() => ":--"), "--:", ":-:", "--:", "--:", "--:", "--:", "--:", "--:"];
  const lines = rows.map((r) => [
    ...keys.map((k) => String(r[k] ?? "")),
    pct(r.success_rate),
    `${pct(r.ci95[0])} – ${pct(r.ci95[1])}`,
    String(r.episodes),
    num(r.mean_calls),
    num(r.mean_trial_calls),
    pct(r.invalid_call_rate),
    num(r.mean_self_corrections),
    pct(r.ast_match_rate),
  ]);
  return [head, align, ...lines].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

const points = (x: number) => `${x > 0 ? "−" : x < 0 ? "+" : "±"}${Math.abs(x * 100).toFixed(1)}`;

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
        return d === undefined ? pct(r.success_rate) : `${pct(r.success_rate)} (${points(d)})`;
      }),
    ];
  });
  return [head, align, ...lines].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/** One variant's visible interface, tool by tool, where it differs from the canonical one. */
function sawTable(v: VariantSummary): string[] {
  const notes = new Map<string, string[]>();
  const note = (tool: string, text: string) => {
    let n = notes.get(tool);
    if (!n) notes.set(tool, n = []);
    if (!n.includes(text)) n.push(text);
  };
  for (const op of v.ops) {
    for (const c of op.changes) {
      if (c.what === "deprecated") note(c.tool, `replaces \`${c.from}\` (deprecated; ${c.note})`);
      else if (c.what === "output format") note(c.tool, `results as ${c.to}`);
      else if (c.what === "faults") note(c.tool, `faults (${c.note})`);
      else if (c.what === "paraphrased") note(c.tool, "reworded docs");
      else if (c.what === "params reordered") note(c.tool, "params reordered");
      else if (c.what === "distractor") note(c.tool, `distractor: \`${c.from}\``);
      else if (c.what === "deprecated name") {
        note(c.tool, `deprecated name: every call answers "use ${c.to} instead"`);
      }
    }
  }
  const rows: string[][] = [];
  for (const t of v.tools) {
    const n = [...(notes.get(t.name) ?? [])];
    if (!t.described) n.push("no description");
    for (const a of t.added) n.push(`requires new \`${a}\``);
    for (const [p, f] of Object.entries(t.scaled)) n.push(`\`${p}\` × ${f}`);
    const params = Object.entries(t.params).map(([seen, canon]) => `\`${seen}\` ← \`${canon}\``);
    if (t.canonical === t.name && params.length === 0 && n.length === 0) continue;
    rows.push([
      `\`${t.name}\``,
      t.canonical === null ? "—" : t.canonical === t.name ? "same" : `\`${t.canonical}\``,
      params.join(", ") || "—",
      n.join("; ") || "—",
    ]);
  }
  if (rows.length === 0) return ["No visible change to the tool list or parameters."];
  return [
    "| tool the agent saw | canonical tool | parameters (seen ← canonical) | notes |",
    "| :-- | :-- | :-- | :-- |",
    ...rows.map((r) => `| ${r.join(" | ")} |`),
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
 * import { renderMarkdown } from "./markdown.ts";
 * import type { Report } from "./report.ts";
 * const md = renderMarkdown({ run_id: "0", overall: [], breakdown: [], robustness: [], variants: [], episodes: [], provenance: { suite: { name: "s" } } } as unknown as Report);
 * console.assert(md.startsWith("# tooltrial report"));
 * ```
 */
export function renderMarkdown(report: Report): string {
  const p = report.provenance;
  const failures = report.episodes.filter((e) => e.error);
  const out = [
    `# tooltrial report: ${p.suite.name}`,
    "",
    `Run \`${report.run_id}\` · ${report.episodes.length} episodes · seeds ${
      p.seeds?.join(", ")
    } · samples ${p.samples}`,
    "",
    "## Success by variant",
    "",
    overallMarkdown(report),
    "",
    "Each cell: share of episodes whose checks all hold; in brackets, the drop from clean in percentage",
    "points over the same tasks (− is worse than clean).",
    "",
    "## Success by agent, protocol and variant",
    "",
    table(report.overall, ["agent", "protocol", "variant"]),
    "",
    "Success: share of episodes whose checks all hold (Wilson 95% interval). Calls: execution-phase tool calls per",
    "episode; trial calls: calls on the sandbox copy; invalid rate: unknown tool, bad JSON, schema violation or",
    "deprecated name per execution call; self-corr.: failed calls followed by a successful one; AST: gold calls",
    "made (mapped back to canonical names).",
    "",
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
    ...sawSection(report),
  ];
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
    `- Deno ${p.deno}, V8 ${p.v8}, ${p.os}/${p.arch}`,
    `- suite \`${p.suite.file}\` sha256 \`${p.suite.sha256?.slice(0, 16)}…\``,
    `- started ${p.started_at}, finished ${p.finished_at}`,
    "",
  );
  return out.join("\n");
}
