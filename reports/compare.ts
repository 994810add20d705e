import { deriveSeed } from "../runners/rng.ts";
import { byTask } from "./metrics.ts";
import { bootstrapCI, mcnemarExact } from "./stats.ts";
import { formatPercent, formatPoints } from "./format.ts";
import type { EpisodeSummary, Report } from "./types.ts";

const pct = formatPercent;
const pts = formatPoints;

/**
 * Two reports side by side, per agent × protocol × variant. Where the runs share episodes (same
 * env, task, variant, protocol, seed, sample and agent name) the difference is paired: a bootstrap
 * interval resampling tasks, and an exact McNemar test.
 *
 * @example
 * ```ts
 * import { compareMarkdown } from "./compare.ts";
 * import type { Report } from "./types.ts";
 * const r = { run_id: "0", overall: [], episodes: [], provenance: { suite: { name: "s", sha256: "0" } } } as unknown as Report;
 * console.assert(compareMarkdown(r, r).includes("| agent |"));
 * ```
 */
export function compareMarkdown(
  a: Report,
  b: Report,
  labels: { a: string; b: string } = { a: "A", b: "B" },
): string {
  const key = (e: EpisodeSummary) =>
    [e.agent, e.protocol, e.variant, e.env, e.task, e.seed, e.sample].join("\u0000");
  const inB = new Map(b.episodes.map((e) => [key(e), e]));
  const rowsB = new Map(b.overall.map((r) => [`${r.agent}/${r.protocol}/${r.variant}`, r]));
  const lines = [
    `# tooltrial compare`,
    "",
    `- A: \`${labels.a}\` — run \`${a.run_id}\`, suite ${a.provenance.suite.name}, ${a.episodes.length} episodes`,
    `- B: \`${labels.b}\` — run \`${b.run_id}\`, suite ${b.provenance.suite.name}, ${b.episodes.length} episodes`,
    a.provenance.suite.sha256 === b.provenance.suite.sha256
      ? "- Same suite and specs: differences come from agents, seeds or code."
      : "- **Different suite or specs**: only episodes both ran are paired.",
    "",
    "| agent | protocol | variant | A | B | B − A | paired n | 95% CI (paired) | McNemar p |",
    "| :-- | :-- | :-- | --: | --: | --: | --: | :-: | --: |",
  ];
  for (const ra of a.overall) {
    const k = `${ra.agent}/${ra.protocol}/${ra.variant}`;
    const rb = rowsB.get(k);
    if (!rb) continue;
    const pairs = a.episodes
      .filter((e) => e.agent === ra.agent && e.protocol === ra.protocol && e.variant === ra.variant)
      .flatMap((e) => {
        const o = inB.get(key(e));
        return o ? [{ a: e, b: o }] : [];
      });
    let ci = "–", p = "–";
    if (pairs.length > 0) {
      const c = bootstrapCI(
        byTask(
          pairs,
          (x) => `${x.a.env}/${x.a.task}`,
          (x) => Number(x.b.success) - Number(x.a.success),
        ),
        { seed: deriveSeed("compare", k) },
      );
      if (c) ci = `${pts(c[0])} … ${pts(c[1])}`;
      const onlyA = pairs.filter((x) => x.a.success && !x.b.success).length;
      const onlyB = pairs.filter((x) => !x.a.success && x.b.success).length;
      const pv = mcnemarExact(onlyA, onlyB).p_value;
      p = pv < 0.05 ? `**${pv.toPrecision(2)}**` : pv.toPrecision(2);
    }
    lines.push(
      `| ${ra.agent} | ${ra.protocol} | ${ra.variant} | ${pct(ra.success_rate)} | ${
        pct(rb.success_rate)
      } | ${pts(rb.success_rate - ra.success_rate)} | ${pairs.length} | ${ci} | ${p} |`,
    );
  }
  lines.push(
    "",
    "B − A in percentage points. Paired: the same episode (env, task, variant, protocol, seed,",
    "sample, agent) in both runs; the interval resamples tasks; bold p-values are below 0.05.",
    "",
  );
  return lines.join("\n");
}
