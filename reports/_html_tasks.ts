/**
 * The HTML report's per-task drill-down, with each kept transcript.
 * @module
 */
import { escapeHtml as esc } from "./escape.ts";
import { type Axes, code, distinct, key } from "./_html_parts.ts";
import type { EpisodeSummary, Report, Transcript, TranscriptLine } from "./types.ts";

function transcriptHtml(t: Transcript): string {
  let phase: TranscriptLine["phase"] | undefined;
  const lines: string[] = [];
  for (const l of t.lines) {
    if (l.phase !== phase) {
      phase = l.phase;
      lines.push(
        `<li class="phase">${
          phase === "trial" ? "trial phase · sandbox copy" : "execution phase · real environment"
        }</li>`,
      );
    }
    lines.push(
      `<li class="k-${esc(l.kind)}"><span class="kind">${esc(l.kind)}</span><span class="text">${
        esc(l.text)
      }</span></li>`,
    );
  }
  return `<ol class="tx">${lines.join("")}</ol>`;
}

/** Every episode of every task, a `<details>` per task. */
export function tasksSection(report: Report, ax: Axes): string {
  return [...tasksSectionParts(report, ax)].join("");
}

/**
 * {@linkcode tasksSection} a task at a time: with many episodes it is most of the page (12 MB of
 * the full suite's), and a writer that writes each piece as it comes never holds it whole.
 */
export function* tasksSectionParts(report: Report, ax: Axes): Generator<string> {
  if (report.episodes.length === 0) return;
  const transcripts = new Map(report.transcripts.map((t) => [t.id, t]));
  const byTask = new Map<string, EpisodeSummary[]>();
  for (const e of report.episodes) {
    const k = key(e.env, e.task);
    const list = byTask.get(k);
    if (list) list.push(e);
    else byTask.set(k, [e]);
  }
  const rank = (
    e: EpisodeSummary,
  ) => [
    ax.agents.indexOf(e.agent),
    ax.protocols.indexOf(e.protocol),
    ax.variants.indexOf(e.variant),
  ];
  const compare = (a: EpisodeSummary, b: EpisodeSummary) => {
    const ra = rank(a), rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i];
    return a.seed - b.seed || a.sample - b.sample;
  };
  const envs = distinct(report.episodes.map((e) => e.env));
  const head = [
    "agent",
    "protocol",
    "variant",
    "seed",
    "outcome",
    "calls",
    "trial calls",
    "invalid",
  ];
  const samples = report.episodes.some((e) => e.sample > 0);
  yield `<section id="tasks"><h2>Tasks</h2>
<p class="lead">Every episode of every task. Open a task for its episodes; episodes with a kept transcript can be expanded.</p>`;
  for (const env of envs) {
    yield `\n<h3>${esc(env)}</h3>`;
    for (const [k, list] of byTask) {
      if (!k.startsWith(env + "\u0000")) continue;
      const episodes = [...list].sort(compare);
      const ok = episodes.filter((e) => e.success).length;
      const rows = episodes.map((e) => {
        const t = transcripts.get(e.id);
        const outcome = e.success
          ? `<span class="ok" title="success">✓</span>`
          : `<span class="bad" title="${esc(e.error ?? "failed")}">✗</span>`;
        const row = `<tr${t ? ` class="has-tx"` : ""}><td>${esc(e.agent)}</td><td>${
          esc(e.protocol)
        }</td><td>${esc(e.variant)}</td><td class="n">${
          esc(samples ? `${e.seed} #${e.sample}` : e.seed)
        }</td><td class="c">${outcome}${
          e.error ? ` <span class="muted">${esc(e.error)}</span>` : ""
        }</td><td class="n">${e.calls}</td><td class="n">${e.trial_calls}</td><td class="n">${e.invalid_calls}</td></tr>`;
        return t
          ? `${row}<tr class="tx-row"><td colspan="${head.length}"><details><summary>transcript <code>${
            esc(e.id)
          }</code></summary>${transcriptHtml(t)}</details></td></tr>`
          : row;
      });
      const numeric = new Set([3, 5, 6, 7]);
      yield `\n<details class="task"><summary>${code(episodes[0].task)} <span class="badge">${
        esc(episodes[0].split)
      }</span> <span class="muted">${ok}/${episodes.length} succeeded</span></summary><div class="scroll"><table><thead><tr>${
        head.map((h, i) => `<th scope="col"${numeric.has(i) ? ` class="n"` : ""}>${h}</th>`)
          .join("")
      }</tr></thead><tbody>${rows.join("")}</tbody></table></div></details>`;
    }
  }
  yield "\n</section>";
}
