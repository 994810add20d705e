/**
 * The HTML report: one self-contained page (inline CSS, static SVG charts drawn by Observable Plot
 * on a linkedom document, `<details>` drill-downs, no external resource). Its one script, the
 * failure explorer's, is allowed by its hash; everything else reads without it.
 * @module
 */
import { brokenCells, oracleAgents } from "./broken.ts";
import { escapeHtml as esc } from "./escape.ts";
import { metricsTable } from "./_html_metrics.ts";
import { bfclHtml } from "./_html_bfcl.ts";
import { formatChange, formatChangeCI, formatPercent, formatPoints, MINUS } from "./format.ts";
import { headlineHtml } from "./headline.ts";
import { CSS } from "./_html_css.ts";
import { type Axes, code, distinct, key, table } from "./_html_parts.ts";
import { provenanceSection } from "./_html_provenance.ts";
import { judgeErrorsLine, notScoredLine } from "./judge_notes.ts";
import { tasksSectionParts } from "./_html_tasks.ts";
import { failuresSection } from "./_html_failures.ts";
import { FAILURES_JS_CSP } from "./_html_failures_js.ts";
import { type FailureData, failuresFromReport } from "./failures.ts";
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { sawRows } from "./saw.ts";
import type { Report, VariantSummary } from "./types.ts";

const pct = formatPercent;
const points = formatPoints;
const ciPct = (ci: [number, number] | null) =>
  ci ? `${pct(ci[0]).slice(0, -1)}–${pct(ci[1])}` : "–";
const ciPoints = (ci: [number, number] | null) => ci ? `${points(ci[0])} to ${points(ci[1])}` : "–";
const pValue = (p: number) => p < 0.001 ? "&lt;0.001" : p.toFixed(3);

const SPLIT_ORDER = ["seen", "unseen_task", "unseen_tool", "unseen_env"];
// Ten distinct hues (Tableau 10), so suites with many variants do not repeat colours.
const VARIANT_COLOURS = [
  "#4c78a8",
  "#f58518",
  "#e45756",
  "#72b7b2",
  "#54a24b",
  "#eeca3b",
  "#b279a2",
  "#ff9da6",
  "#9d755d",
  "#bab0ac",
];
const SPLIT_COLOURS = ["#4c78a8", "#f58518", "#e45756", "#54a24b", "#b279a2"];
/** Success change from clean in points: large losses dark red, gains blue. */
const CHANGE_THRESHOLDS = [-50, -25, -10, -2, 2];
const CHANGE_COLOURS = ["#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#92c5de"];

function axesOf(report: Report): Axes {
  const p = report.provenance;
  const rows = [...report.overall, ...report.by_split];
  return {
    agents: distinct(rows.map((r) => r.agent), p.agents.map((a) => a.name)),
    protocols: distinct(rows.map((r) => r.protocol), p.protocols.map((x) => x.name)),
    variants: distinct(rows.map((r) => r.variant), ["clean"]),
    splits: distinct(report.by_split.map((r) => r.split), SPLIT_ORDER),
  };
}

/** A fresh DOM per chart keeps the output independent of earlier renders. */
function svg(options: Plot.PlotOptions): string {
  const { document } = parseHTML("<!doctype html><html><body></body></html>") as unknown as {
    document: unknown;
  };
  const el = Plot.plot({ ...options, document } as Plot.PlotOptions) as unknown as {
    outerHTML: string;
  };
  return el.outerHTML;
}

const PLOT_STYLE = { fontSize: "12px", fontFamily: "inherit", background: "transparent" };

function header(report: Report): string {
  const p = report.provenance;
  const started = p.started_at.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC");
  const seconds = (Date.parse(p.finished_at) - Date.parse(p.started_at)) / 1000;
  const commit = p.git_commit
    ? `${code(p.git_commit.slice(0, 12))}${p.git_dirty ? " (uncommitted changes)" : ""}`
    : "unknown";
  const facts = [
    ["run", code(report.run_id)],
    ["episodes", esc(report.episodes.length.toLocaleString("en-US"))],
    ["date", `${esc(started)}${Number.isFinite(seconds) ? ` (${esc(seconds.toFixed(1))} s)` : ""}`],
    ["git", commit],
  ];
  return `<header><p class="kicker">tooltrial report</p><h1>${
    esc(p.suite.name)
  }</h1><dl class="facts">${
    facts.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join("")
  }</dl><nav><a href="#headline">Headline</a><a href="#success">Success</a><a href="#robustness">Robustness</a><a href="#splits">Seen vs unseen</a><a href="#comparisons">Comparisons</a><a href="#saw">What the agent saw</a><a href="#failures">Failures</a><a href="#tasks">Tasks</a><a href="#provenance">Provenance</a></nav></header>`;
}

function successSection(report: Report, ax: Axes): string {
  const rows = report.overall.filter((r) => r.agent && r.protocol && r.variant);
  const data = rows.map((r) => ({
    agent: r.agent!,
    protocol: r.protocol!,
    variant: r.variant!,
    rate: r.success_rate * 100,
    lo: r.ci95[0] * 100,
    hi: r.ci95[1] * 100,
    title: `${r.agent} · ${r.protocol} · ${r.variant}\n${pct(r.success_rate)} (95% CI ${
      ciPct(r.ci95)
    }), ${r.successes}/${r.episodes} episodes`,
  }));
  const zeros = data.filter((d) => d.rate === 0);
  const notRun = ax.agents.flatMap((agent) =>
    ax.protocols.filter((protocol) =>
      !data.some((d) => d.agent === agent && d.protocol === protocol)
    )
      .map((protocol) => ({ agent, protocol }))
  );
  const chart = svg({
    width: 960,
    height: 90 + 170 * ax.protocols.length,
    marginLeft: 48,
    marginRight: 64,
    marginTop: 28,
    style: PLOT_STYLE,
    fx: { domain: ax.agents, label: null, padding: 0.12 },
    fy: { domain: ax.protocols, label: null, padding: 0.14, axis: "right" },
    x: { domain: ax.variants, axis: null, paddingInner: 0.15, paddingOuter: 0.1 },
    y: { domain: [0, 100], axis: null },
    color: {
      domain: ax.variants,
      range: VARIANT_COLOURS,
      legend: true,
    } as Plot.ScaleOptions,
    marks: [
      Plot.gridY({ ticks: 5 }),
      // Anchored to the leftmost column: by default Plot draws the axis beside the first
      // non-empty facet, which lands mid-row when an agent skipped this protocol.
      Plot.axisY({ ticks: 5, label: "success (%)", facetAnchor: "left" }),
      Plot.text(notRun, {
        fx: "agent",
        fy: "protocol",
        text: () => "not run",
        frameAnchor: "middle",
        fill: "#59636e",
      }),
      Plot.barY(data, {
        fx: "agent",
        fy: "protocol",
        x: "variant",
        y: "rate",
        fill: "variant",
        title: "title",
      }),
      Plot.ruleX(data, {
        fx: "agent",
        fy: "protocol",
        x: "variant",
        y1: "lo",
        y2: "hi",
        stroke: "#1f2328",
        strokeWidth: 1.5,
      }),
      Plot.tickY(data, {
        fx: "agent",
        fy: "protocol",
        x: "variant",
        y: "lo",
        stroke: "#1f2328",
        inset: 8,
      }),
      Plot.tickY(data, {
        fx: "agent",
        fy: "protocol",
        x: "variant",
        y: "hi",
        stroke: "#1f2328",
        inset: 8,
      }),
      Plot.ruleY([0], { stroke: "#57606a" }),
      // A 0% bar has no height: a thick tick in the variant's colour and a label say "measured, 0".
      Plot.tickY(zeros, {
        fx: "agent",
        fy: "protocol",
        x: "variant",
        y: 0,
        stroke: "variant",
        strokeWidth: 4,
        title: "title",
      }),
      Plot.text(zeros, {
        fx: "agent",
        fy: "protocol",
        x: "variant",
        y: 0,
        text: () => "0",
        dy: -9,
        fontSize: 9,
        className: "zero",
        fill: "#1f2328",
      }),
    ],
  });
  const cell = new Map(rows.map((r) => [key(r.agent, r.protocol, r.variant), r]));
  const oracles = oracleAgents(report);
  const broken = brokenCells(report.episodes, oracles);
  const body = ax.agents.flatMap((a) =>
    ax.protocols.filter((p) => ax.variants.some((v) => cell.has(key(a, p, v)))).map((p) => [
      esc(a),
      esc(p),
      ...ax.variants.map((v) => {
        const r = cell.get(key(a, p, v));
        const warn = r && oracles.includes(a) && r.success_rate < 1
          ? ` <span title="the oracle failed here: a broken task">⚠</span>`
          : "";
        return r
          ? `${pct(r.success_rate)}${warn}<span class="ci">${
            ciPct(r.ci95)
          } · n ${r.episodes}</span>`
          : "–";
      }),
    ])
  );
  const unscored = [notScoredLine(report), judgeErrorsLine(report)].filter((l) => l !== null)
    .join(" ");
  return `<section id="success"><h2>Success by agent × variant</h2>
<p class="lead">Share of episodes whose checks all hold, per agent (columns), protocol (rows) and variant (colour). Bars show the 95% bootstrap interval over tasks; hover a bar for the numbers.</p>${
    unscored ? `\n<p class="note">${esc(unscored)}</p>` : ""
  }
<figure class="chart">${chart}</figure>
${
    table(["agent", "protocol", ...ax.variants.map(esc)], body, {
      numeric: ax.variants.map((_, i) => i + 2),
    })
  }${metricsTable(report)}${bfclHtml(report)}${
    broken.length === 0
      ? ""
      : `<p class="lead">⚠ Broken tasks: the oracle failed ${broken.length} (task, variant) cell${
        broken.length > 1 ? "s" : ""
      } — a gold call or a check is wrong there (<code>tooltrial validate</code> locates it): ${
        broken.slice(0, 20).map((c) =>
          `<code>${esc(`${c.env}/${c.task}`)}</code> under ${esc(c.variant)}`
        )
          .join(", ")
      }${broken.length > 20 ? ", …" : ""}.</p>`
  }</section>`;
}

function robustnessSection(report: Report, ax: Axes): string {
  const rows = report.robustness;
  if (rows.length === 0) {
    return `<section id="robustness"><h2>Robustness drop</h2><p>No variant besides clean was run.</p></section>`;
  }
  const variants = ax.variants.filter((v) => rows.some((r) => r.variant === v));
  const label = (a: string, p: string) => `${a} · ${p}`;
  const order = ax.agents.flatMap((a) => ax.protocols.map((p) => label(a, p)))
    .filter((l) => rows.some((r) => label(r.agent, r.protocol) === l));
  const data = rows.map((r) => {
    const change = -r.drop * 100;
    return {
      row: label(r.agent, r.protocol),
      variant: r.variant,
      change,
      text: formatChange(r.drop),
      dark: change <= CHANGE_THRESHOLDS[1],
      title: `${r.agent} · ${r.protocol} · ${r.variant}\nchange from clean ${
        formatChange(r.drop)
      } points (95% CI ${formatChangeCI(r.ci95)})\nclean ${pct(r.clean_rate)} → ${
        pct(r.variant_rate)
      } over ${r.pairs} pairs`,
    };
  });
  const chart = svg({
    width: 170 + 120 * variants.length,
    height: 60 + 34 * order.length,
    marginLeft: 150,
    marginTop: 40,
    style: PLOT_STYLE,
    x: { domain: variants, axis: "top", label: null, padding: 0, tickSize: 0 },
    y: { domain: order, label: null, padding: 0, tickSize: 0 },
    color: {
      type: "threshold",
      domain: CHANGE_THRESHOLDS,
      range: CHANGE_COLOURS,
      legend: true,
      label: "success change from clean (points)",
      width: 420,
      tickFormat: (d: number) => d > 0 ? `+${d}` : d < 0 ? `${MINUS}${-d}` : "0",
    } as Plot.ScaleOptions,
    marks: [
      Plot.cell(data, { x: "variant", y: "row", fill: "change", inset: 1, title: "title" }),
      Plot.text(data.filter((d) => !d.dark), {
        x: "variant",
        y: "row",
        text: "text",
        fill: "#1f2328",
        title: "title",
      }),
      Plot.text(data.filter((d) => d.dark), {
        x: "variant",
        y: "row",
        text: "text",
        fill: "white",
        title: "title",
      }),
    ],
  });
  return `<section id="robustness"><h2>Robustness drop</h2>
<p class="lead">Success under each variant minus clean success, in percentage points over the same tasks (${MINUS} is worse than clean). Hover a cell for its 95% interval and the rates.</p>
<figure class="chart">${chart}</figure></section>`;
}

function splitsSection(report: Report, ax: Axes): string {
  const clean = report.by_split.filter((r) => r.variant === "clean" && r.agent && r.split);
  const data = clean.map((r) => ({
    agent: r.agent!,
    protocol: r.protocol ?? "",
    split: r.split!,
    rate: r.success_rate * 100,
    lo: r.ci95[0] * 100,
    hi: r.ci95[1] * 100,
    title: `${r.agent} · ${r.protocol} · ${r.split}\n${pct(r.success_rate)} (95% CI ${
      ciPct(r.ci95)
    }), ${r.successes}/${r.episodes} episodes`,
  }));
  const agents = ax.agents.filter((a) => data.some((d) => d.agent === a));
  const chart = data.length === 0 ? "" : svg({
    width: 960,
    height: 70 + agents.length * (ax.splits.length * 18 + 14),
    marginLeft: 96,
    marginRight: 90,
    marginTop: 28,
    style: PLOT_STYLE,
    fx: { domain: ax.protocols, label: null, padding: 0.08 },
    fy: { domain: agents, label: null, padding: 0.15 },
    y: { domain: ax.splits, label: null, tickSize: 0 },
    x: { domain: [0, 100], label: "success (%)", grid: true, ticks: 5, inset: 8 },
    color: { domain: ax.splits, range: SPLIT_COLOURS, legend: true } as Plot.ScaleOptions,
    marks: [
      Plot.frame({ stroke: "#d0d7de" }),
      Plot.ruleY(data, {
        fx: "protocol",
        fy: "agent",
        y: "split",
        x1: "lo",
        x2: "hi",
        stroke: "split",
        strokeWidth: 2,
      }),
      Plot.dot(data, {
        fx: "protocol",
        fy: "agent",
        y: "split",
        x: "rate",
        fill: "split",
        r: 4.5,
        stroke: "white",
        title: "title",
      }),
    ],
  });
  const gaps = report.gaps;
  const unseen = distinct(gaps.map((g) => g.split), SPLIT_ORDER);
  const gapCell = (g: (typeof gaps)[number] | undefined) =>
    g
      ? `<span title="${
        esc(
          `seen ${pct(g.seen_rate)} (n ${g.seen_episodes}) vs ${g.split} ${
            pct(g.unseen_rate)
          } (n ${g.unseen_episodes})`,
        )
      }">${points(g.gap)}</span><span class="ci">${ciPoints(g.ci95)}</span>`
      : "–";
  const gapTable = (variant: string) => {
    const of = new Map(
      gaps.filter((g) => g.variant === variant).map((g) => [key(g.agent, g.protocol, g.split), g]),
    );
    const body = ax.agents.flatMap((a) =>
      ax.protocols.filter((p) => unseen.some((s) => of.has(key(a, p, s)))).map((p) => [
        esc(a),
        esc(p),
        ...unseen.map((s) => gapCell(of.get(key(a, p, s)))),
      ])
    );
    return table(["agent", "protocol", ...unseen.map((s) => `gap vs ${esc(s)}`)], body, {
      numeric: unseen.map((_, i) => i + 2),
    });
  };
  const others = ax.variants.filter((v) => v !== "clean" && gaps.some((g) => g.variant === v));
  return `<section id="splits"><h2>Seen vs unseen</h2>
<p class="lead">Clean success per split with 95% intervals. Splits: <b>seen</b> (training may use it), <b>unseen_task</b> (task marked unseen), <b>unseen_tool</b> (needs a held-out tool family), <b>unseen_env</b> (held-out environment).</p>
${chart ? `<figure class="chart">${chart}</figure>` : ""}
<h3>Generalization gaps (clean)</h3>
<p class="note">Seen − unseen success in points (+ means worse on unseen), with the 95% interval below.</p>
${gaps.some((g) => g.variant === "clean") ? gapTable("clean") : "<p>No gaps computed.</p>"}
${
    others.map((v) => `<details><summary>Gaps under ${esc(v)}</summary>${gapTable(v)}</details>`)
      .join("\n")
  }</section>`;
}

function comparisonsSection(report: Report, ax: Axes): string {
  const rows = report.comparisons;
  if (rows.length === 0) return "";
  const groups = distinct(rows.map((r) => key(r.protocol, r.variant)));
  const rank = (r: (typeof rows)[number]) =>
    ax.protocols.indexOf(r.protocol) * 1000 + ax.variants.indexOf(r.variant);
  groups.sort((a, b) =>
    rank(rows.find((r) => key(r.protocol, r.variant) === a)!) -
    rank(rows.find((r) => key(r.protocol, r.variant) === b)!)
  );
  const head = ["agent a", "agent b", "pairs", "a", "b", "a − b", "95% CI", "only a / only b", "p"];
  const bodies = groups.map((g) => {
    const of = rows.filter((r) => key(r.protocol, r.variant) === g);
    return `<tbody><tr class="group"><th colspan="${head.length}" scope="rowgroup">${
      esc(of[0].protocol)
    } · ${esc(of[0].variant)}</th></tr>${
      of.map((r) => {
        const p = r.p_value < 0.05 ? `<strong>${pValue(r.p_value)}</strong>` : pValue(r.p_value);
        return `<tr><td>${esc(r.a)}</td><td>${
          esc(r.b)
        }</td><td class="n">${r.pairs}</td><td class="n">${pct(r.a_rate)}</td><td class="n">${
          pct(r.b_rate)
        }</td><td class="n">${points(r.diff)}</td><td class="n">${
          ciPoints(r.ci95)
        }</td><td class="n">${r.only_a} / ${r.only_b}</td><td class="n">${p}</td></tr>`;
      }).join("")
    }</tbody>`;
  });
  const numeric = new Set([2, 3, 4, 5, 6, 7, 8]);
  return `<section id="comparisons"><h2>Paired comparisons</h2>
<p class="lead">Each pair of agents on the same episodes (protocol, variant, task, seed, sample). Differences in points; p from an exact McNemar test on the discordant pairs, <strong>bold</strong> when p &lt; 0.05.</p>
<div class="scroll"><table class="comparisons"><thead><tr>${
    head.map((h, i) => `<th scope="col"${numeric.has(i) ? ` class="n"` : ""}>${esc(h)}</th>`)
      .join("")
  }</tr></thead>${bodies.join("")}</table></div></section>`;
}

/** One variant's visible interface, tool by tool, where it differs from the canonical one. */
function sawTable(v: VariantSummary): string {
  const rows = sawRows(v, { code, text: (x) => esc(x) }).map((r) => [
    code(r.name),
    r.canonical === null
      ? '— <span class="muted">(reaches no tool of this env)</span>'
      : r.canonical === r.name
      ? "same"
      : code(r.canonical),
    r.params.join("<br>") || "—",
    r.notes.join("; ") || "—",
  ]);
  if (rows.length === 0) return "<p>No visible change to the tool list or parameters.</p>";
  return table(
    ["tool the agent saw", "canonical tool", "parameters (seen ← canonical)", "notes"],
    rows,
  );
}

function sawSection(report: Report): string {
  const varied = report.variants.filter((v) => v.ops.length > 0);
  if (varied.length === 0) return "";
  const out = [
    `<section id="saw"><h2>What the agent saw</h2>
<p class="lead">Each variant's operators, applied in order, and the interface they produced (only tools that differ from the canonical ones are listed). Checks always run on the canonical state.</p>`,
  ];
  for (const name of distinct(varied.map((v) => v.variant))) {
    const of = varied.filter((v) => v.variant === name);
    const ops = of[0].ops.map((o) =>
      code(Object.keys(o.options).length > 0 ? `${o.op} ${JSON.stringify(o.options)}` : o.op)
    );
    out.push(`<h3>${esc(name)}</h3><p class="ops">Operators: ${ops.join(" → ")}</p>`);
    for (const v of of) {
      out.push(
        `<details><summary>${esc(v.env)} <span class="muted">(seed ${
          esc(v.seed)
        }, ${v.tools.length} tools)</span></summary>${sawTable(v)}</details>`,
      );
    }
  }
  out.push("</section>");
  return out.join("\n");
}

/**
 * Render a report as one self-contained HTML page: header, charts (static SVG), tables,
 * "what the agent saw", every failure with its transcript, per-task drill-downs, and provenance.
 * No external resource: the page works offline and from a mail attachment. `failures` are the
 * run's failed episodes as its log holds them (`FailureCollector`); without them the page lists
 * every failure from the report, with the transcripts the report kept. `runDir`: the run's folder,
 * named in the `tooltrial show` command under each failure's transcript.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderHtml } from "./html.ts";
 * import { reportFixture } from "../testdata/report_fixture.ts";
 * const html = renderHtml(reportFixture);
 * assert.ok(html.startsWith("<!doctype html>") && !/<script[^>]* src=/.test(html));
 * ```
 */
export function renderHtml(
  report: Report,
  opts: { failures?: FailureData; runDir?: string } = {},
): string {
  return [...renderHtmlParts(report, opts)].join("");
}

/**
 * {@linkcode renderHtml}'s page in pieces, each section made when it is asked for: a writer that
 * writes each one as it comes holds one section in memory, not the page.
 */
export function* renderHtmlParts(
  report: Report,
  opts: { failures?: FailureData; runDir?: string } = {},
): Generator<string> {
  const ax = axesOf(report);
  const failures = opts.failures ?? failuresFromReport(report);
  const p = report.provenance;
  yield `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src ${FAILURES_JS_CSP}">
<meta name="generator" content="tooltrial ${esc(p.tooltrial_version)}">
<title>tooltrial report: ${esc(p.suite.name)} (${esc(report.run_id)})</title>
<style>${CSS}</style>
</head>
<body>
<main>
`;
  yield `${header(report)}\n`;
  yield `${headlineHtml(report)}\n`;
  yield `${successSection(report, ax)}\n`;
  yield `${robustnessSection(report, ax)}\n`;
  yield `${splitsSection(report, ax)}\n`;
  yield `${comparisonsSection(report, ax)}\n`;
  yield `${sawSection(report)}\n`;
  yield `${failuresSection(report, ax, { data: failures, runDir: opts.runDir })}\n`;
  yield* tasksSectionParts(report, ax);
  yield "\n";
  yield `${provenanceSection(report)}\n`;
  yield `<footer>Generated by tooltrial ${esc(p.tooltrial_version)} from report format ${
    esc(report.format)
  } v${esc(report.version)}.</footer>
</main>
</body>
</html>
`;
}
