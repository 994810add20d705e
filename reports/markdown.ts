import type { SummaryRow } from "./metrics.ts";
import type { Report } from "./report.ts";

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
  ];
  const align = [...keys.map(() => ":--"), "--:", ":-:", "--:", "--:", "--:", "--:", "--:"];
  const lines = rows.map((r) => [
    ...keys.map((k) => String(r[k] ?? "")),
    pct(r.success_rate),
    `${pct(r.ci95[0])} – ${pct(r.ci95[1])}`,
    String(r.episodes),
    num(r.mean_calls),
    num(r.mean_trial_calls),
    pct(r.invalid_call_rate),
    num(r.mean_self_corrections),
  ]);
  return [head, align, ...lines].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/** The overall table only: what `bench` prints. */
export function overallMarkdown(report: Report): string {
  return table(report.overall, ["agent", "protocol"]);
}

/**
 * Render a report as Markdown: tables a paper can paste, plus provenance.
 *
 * @example
 * ```ts
 * import { renderMarkdown } from "./markdown.ts";
 * import type { Report } from "./report.ts";
 * const md = renderMarkdown({ run_id: "0", overall: [], breakdown: [], episodes: [], provenance: { suite: { name: "s" } } } as unknown as Report);
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
    "## Success by agent and protocol",
    "",
    table(report.overall, ["agent", "protocol"]),
    "",
    "Success: share of episodes whose checks all hold (Wilson 95% interval). Calls: execution-phase tool calls per",
    "episode; trial calls: calls on the sandbox copy; invalid rate: unknown tool, bad JSON or schema violation per",
    "execution call; self-corr.: failed calls followed by a successful one.",
    "",
    "## By environment and split",
    "",
    table(report.breakdown, ["agent", "protocol", "env", "split"]),
    "",
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
