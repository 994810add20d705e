/**
 * The report's headline: per agent × protocol, clean success, the mean change under the
 * variants with a paired interval, and the variant that costs the most. Pure; the HTML and
 * Markdown renderers print it first.
 * @module
 */
import { deriveSeed } from "../runners/rng.ts";
import { escapeHtml as esc } from "./escape.ts";
import { formatChange, formatChangeCI, formatPercent } from "./format.ts";
import { byTask } from "./metrics.ts";
import { bootstrapCI } from "./stats.ts";
import type { Report } from "./types.ts";

/** One agent × protocol in the headline. */
export interface HeadlineRow {
  /** Agent name. */
  agent: string;
  /** Protocol name. */
  protocol: string;
  /** Clean success and its 95% interval; null when the agent never ran clean. */
  clean: { rate: number; ci95: [number, number]; episodes: number } | null;
  /**
   * Mean drop (clean − variant success) over every (task, seed, sample, variant) pair of this
   * agent × protocol, with a bootstrap 95% interval resampling tasks (null when the report lacks
   * some of the pairs' episodes); null without variants.
   */
  mean: { drop: number; ci95: [number, number] | null; pairs: number; variants: number } | null;
  /**
   * The variant with the largest drop, from the report's robustness rows (its interval); `ties`
   * names the other variants with the same drop.
   */
  worst: { variant: string; ties: string[]; drop: number; ci95: [number, number] | null } | null;
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
const K = "\u0000";

/**
 * The headline rows, agents and protocols in the order the report lists them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { headlineRows } from "./headline.ts";
 * import { reportFixture } from "../testdata/report_fixture.ts";
 * const rows = headlineRows(reportFixture);
 * const memorizer = rows.find((r) => r.agent === "memorizer" && r.protocol === "direct")!;
 * assert.ok(memorizer.worst?.variant === "renamed");
 * ```
 */
export function headlineRows(report: Report): HeadlineRow[] {
  const order = [
    ...new Set(
      report.overall.filter((r) => r.agent && r.protocol).map((r) => r.agent + K + r.protocol),
    ),
  ];
  const cleanOf = new Map<string, boolean>();
  for (const e of report.episodes) {
    if (e.variant === "clean") {
      cleanOf.set([e.agent, e.protocol, e.env, e.task, e.seed, e.sample].join(K), e.success);
    }
  }
  return order.map((k) => {
    const [agent, protocol] = k.split(K);
    const c = report.overall.find((r) =>
      r.agent === agent && r.protocol === protocol && r.variant === "clean"
    );
    const rob = report.robustness.filter((r) => r.agent === agent && r.protocol === protocol);
    const pairs = report.episodes.flatMap((e) => {
      if (e.agent !== agent || e.protocol !== protocol || e.variant === "clean") return [];
      const base = cleanOf.get([agent, protocol, e.env, e.task, e.seed, e.sample].join(K));
      return base === undefined ? [] : [{ task: e.env + K + e.task, diff: +base - +e.success }];
    });
    const worst = rob.reduce<(typeof rob)[number] | null>(
      (w, r) => (w === null || r.drop > w.drop ? r : w),
      null,
    );
    // The mean over all pairs, from the robustness rows, so it always agrees with the heat map.
    const total = rob.reduce((n, r) => n + r.pairs, 0);
    const drop = rob.reduce((d, r) => d + r.drop * r.pairs, 0) / total;
    // The interval needs every pair; a report whose episode list was cut gets none.
    const ci = pairs.length === total
      ? bootstrapCI(byTask(pairs, (p) => p.task, (p) => p.diff), {
        seed: deriveSeed("bootstrap", "mean drop", agent, protocol),
      })
      : null;
    return {
      agent,
      protocol,
      clean: c ? { rate: c.success_rate, ci95: c.ci95, episodes: c.episodes } : null,
      mean: total === 0 ? null : {
        drop: round4(drop),
        ci95: ci && [round4(ci[0]), round4(ci[1])],
        pairs: total,
        variants: rob.length,
      },
      worst: worst && {
        variant: worst.variant,
        ties: rob.filter((r) => r !== worst && r.drop === worst.drop).map((r) => r.variant),
        drop: worst.drop,
        ci95: worst.ci95,
      },
    };
  });
}

const pctCI = (ci: [number, number]) => `${formatPercent(ci[0])}–${formatPercent(ci[1])}`;

/**
 * The headline as an HTML section (`#headline`): one row per agent × protocol, figures large,
 * intervals small beneath them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { headlineHtml } from "./headline.ts";
 * import { reportFixture } from "../testdata/report_fixture.ts";
 * assert.ok(headlineHtml(reportFixture).startsWith('<section id="headline">'));
 * ```
 */
export function headlineHtml(report: Report): string {
  const rows = headlineRows(report);
  const variants = new Set(report.robustness.map((r) => r.variant)).size;
  const cell = (big: string, small: string, cls = "") =>
    `<td class="n${cls}"><span class="big">${big}</span><span class="ci">${small}</span></td>`;
  const body = rows.map((r) => {
    const tone = (drop: number) => drop >= 0.25 ? " t-bad" : drop >= 0.1 ? " t-warn" : "";
    return `<tr><th scope="row">${esc(r.agent)} <span class="muted">· ${
      esc(r.protocol)
    }</span></th>${
      r.clean
        ? cell(formatPercent(r.clean.rate), `95% CI ${pctCI(r.clean.ci95)} · n ${r.clean.episodes}`)
        : `<td class="n">–</td>`
    }${
      r.mean
        ? cell(
          formatChange(r.mean.drop),
          `${r.mean.ci95 ? `95% CI ${formatChangeCI(r.mean.ci95)} · ` : ""}${r.mean.pairs} pairs`,
          tone(r.mean.drop),
        )
        : `<td class="n">–</td>`
    }${
      r.worst && r.worst.drop <= 0
        ? cell(`<span class="where">none</span>`, "no variant lowered success")
        : r.worst
        ? cell(
          `${formatChange(r.worst.drop)} <span class="where">${esc(r.worst.variant)}</span>`,
          [
            ...(r.worst.ci95 ? [`95% CI ${formatChangeCI(r.worst.ci95)}`] : []),
            ...(r.worst.ties.length ? [`also ${esc(r.worst.ties.join(", "))}`] : []),
          ].join(" · "),
          tone(r.worst.drop),
        )
        : `<td class="n">–</td>`
    }</tr>`;
  });
  const lead = variants === 0
    ? "Only clean was run: no change under variants to show."
    : `Clean success, and the change in success (percentage points, ${"\u2212"} is worse) under the ${variants} variant${
      variants > 1 ? "s" : ""
    } over the same tasks: the mean over all of them and the single worst.`;
  return `<section id="headline"><h2>Headline</h2><p class="lead">${lead}</p><div class="scroll"><table class="headline"><thead><tr><th scope="col">agent · protocol</th><th scope="col" class="n">clean success</th><th scope="col" class="n">mean change under variants</th><th scope="col" class="n">biggest drop, and where</th></tr></thead><tbody>${
    body.join("")
  }</tbody></table></div></section>`;
}

/**
 * The headline as a Markdown table, for `report.md`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { headlineMarkdown } from "./headline.ts";
 * import { reportFixture } from "../testdata/report_fixture.ts";
 * assert.ok(headlineMarkdown(reportFixture).startsWith("| agent | protocol |"));
 * ```
 */
export function headlineMarkdown(report: Report): string {
  const rows = headlineRows(report).map((r) => [
    r.agent,
    r.protocol,
    r.clean ? formatPercent(r.clean.rate) : "–",
    r.mean ? `${formatChange(r.mean.drop)} (${formatChangeCI(r.mean.ci95, " … ")})` : "–",
    r.worst && r.worst.drop <= 0
      ? "none"
      : r.worst
      ? `${formatChange(r.worst.drop)} under ${[r.worst.variant, ...r.worst.ties].join(", ")} (${
        formatChangeCI(r.worst.ci95, " … ")
      })`
      : "–",
  ]);
  return [
    ["agent", "protocol", "clean", "mean change (95% CI)", "biggest drop (95% CI)"],
    [":--", ":--", "--:", "--:", "--:"],
    ...rows,
  ].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}
