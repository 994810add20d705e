/**
 * The HTML report's failure explorer: a table of failure kinds (static, read without JavaScript),
 * then every failed episode, filterable by agent, variant, protocol, split and kind, searchable,
 * each transcript rendered when opened. The data is one JSON blob (`FailureData`, short keys).
 * @module
 */
import { escapeHtml as esc } from "./escape.ts";
import { type Axes, distinct, table } from "./_html_parts.ts";
import { FAILURES_JS } from "./_html_failures_js.ts";
import { FAILURE_COLUMNS, type FailureColumn, type FailureData } from "./failures.ts";
import type { Report } from "./types.ts";
import { CHECK_KIND_NAMES } from "./metric_registry.ts";
import { FAILED_CHECKS_NOTE } from "./judge_notes.ts";

/** The filters offered, with the display order of their values. */
const FILTERS: {
  column: FailureColumn;
  label: string;
  order: (ax: Axes, kinds: string[]) => string[];
}[] = [
  { column: "agent", label: "agent", order: (ax) => ax.agents },
  { column: "variant", label: "variant", order: (ax) => ax.variants },
  { column: "protocol", label: "protocol", order: (ax) => ax.protocols },
  { column: "split", label: "split", order: (ax) => ax.splits },
  { column: "kind", label: "failure kind", order: (_, kinds) => kinds },
];

/** Each failure kind, the most frequent first. */
function kindsByCount(data: FailureData): string[] {
  const col = FAILURE_COLUMNS.indexOf("kind");
  const n = data.names.kind.map(() => 0);
  for (const r of data.rows) n[r[col]]++;
  return data.names.kind.map((k, i) => ({ k, n: n[i] }))
    .sort((a, b) => b.n - a.n || a.k.localeCompare(b.k)).map(({ k }) => k);
}

/** Where the run's folder is by default, or where its command put it (for `tooltrial show`). */
function runFolder(report: Report): string {
  const p = report.provenance;
  if (p.shards) return "SHARD_DIR";
  const at = p.command.indexOf("--out");
  return at >= 0 && p.command[at + 1] ? p.command[at + 1] : `runs/${p.suite.name}-${report.run_id}`;
}

/** JSON that can sit inside a `<script>` element: no `<` that could close it. */
const scriptJson = (value: unknown) => JSON.stringify(value).replaceAll("<", "\\u003c");

/** Failures per kind (the most frequent first), with the agents that have them: read without a script. */
function kindTable(data: FailureData, kinds: string[]): string {
  const agentCol = FAILURE_COLUMNS.indexOf("agent"), kindCol = FAILURE_COLUMNS.indexOf("kind");
  const counts = data.names.kind.map(() => new Map<number, number>());
  for (const r of data.rows) {
    const m = counts[r[kindCol]];
    m.set(r[agentCol], (m.get(r[agentCol]) ?? 0) + 1);
  }
  const rows = kinds.map((k) => {
    const m = counts[data.names.kind.indexOf(k)];
    return [
      esc(k),
      [...m.values()].reduce((a, b) => a + b, 0).toLocaleString("en-US"),
      [...m].sort((a, b) => b[1] - a[1]).map(([a, c]) => `${esc(data.names.agent[a])} ${c}`)
        .join(", "),
    ];
  });
  return table(["failure kind", "episodes", "by agent"], rows, { numeric: [1] });
}

/**
 * Failed episodes per check kind for each agent × protocol × variant (report.json's
 * `failed_checks`): which kinds of check fail where. Empty when no episode failed a check.
 */
function checkKindTable(report: Report): string {
  const rows = report.overall.filter((r) => r.failed_checks !== undefined);
  if (rows.length === 0) return "";
  const kinds = CHECK_KIND_NAMES.filter((k) => rows.some((r) => r.failed_checks![k]));
  const body = rows.map((r) => [
    esc(r.agent ?? ""),
    esc(r.protocol ?? ""),
    esc(r.variant ?? ""),
    String(r.episodes - r.successes),
    ...kinds.map((k) => String(r.failed_checks![k] ?? "–")),
  ]);
  return `<h3>Failed checks by kind</h3>
<p class="muted">${esc(FAILED_CHECKS_NOTE)}</p>
${
    table(["agent", "protocol", "variant", "failed", ...kinds.map(esc)], body, {
      numeric: [3, ...kinds.map((_, i) => i + 4)],
    })
  }`;
}

/**
 * The section: `data` holds every failed episode of `report`; `runDir` is the run's folder, for
 * the `tooltrial show` command each transcript ends with (default: from the provenance).
 */
export function failuresSection(
  report: Report,
  ax: Axes,
  opts: { data: FailureData; runDir?: string },
): string {
  const data = opts.data;
  const n = data.rows.length;
  if (n === 0) {
    return `<section id="failures"><h2>Failures</h2><p>No episode failed.</p></section>`;
  }
  const kinds = kindsByCount(data);
  const selects = FILTERS.map(({ column, label, order }) => {
    const names = data.names[column];
    const options = distinct(names, order(ax, kinds)).map((v) =>
      `<option value="${names.indexOf(v)}">${esc(v)}</option>`
    );
    return `<label>${label} <select data-col="${
      FAILURE_COLUMNS.indexOf(column)
    }"><option value="">all</option>${options.join("")}</select></label>`;
  });
  const blob = {
    run: opts.runDir ?? runFolder(report),
    samples: report.episodes.some((e) => e.sample > 0),
    n: {
      e: data.names.env,
      t: data.names.task,
      a: data.names.agent,
      v: data.names.variant,
      p: data.names.protocol,
      s: data.names.split,
      k: data.names.kind,
    },
    r: data.rows,
    x: data.transcripts,
    l: data.texts,
  };
  const omitted = data.omitted === 0
    ? ""
    : ` ${
      data.omitted.toLocaleString("en-US")
    } of them without a transcript here (<code>tooltrial show</code> prints every one from the run's log).`;
  return `<section id="failures"><h2>Failures</h2>
<p class="lead">Every failed episode: ${n.toLocaleString("en-US")} of ${
    report.episodes.length.toLocaleString("en-US")
  }. The kind is how it ended (turn limit, agent error, no answer) or the first check that failed.${omitted}</p>
${kindTable(data, kinds)}
${checkKindTable(report)}
<div class="fx" id="fx-controls" hidden>${
    selects.join("")
  }<input type="search" placeholder="search names and transcripts" aria-label="search failures"><span class="fx-count muted" aria-live="polite"></span></div>
<div id="fx-list"></div>
<button type="button" id="fx-more" hidden>list more</button>
<noscript><p class="note">Listing, filtering and opening the failures needs JavaScript; the Tasks section below lists every episode.</p></noscript>
<script type="application/json" id="fx-data">${scriptJson(blob)}</script>
<script>${FAILURES_JS}</script>
</section>`;
}
