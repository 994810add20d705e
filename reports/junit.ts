import type { EpisodeSummary, Report } from "./types.ts";

const xml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
    // XML 1.0 has no place for most control characters, even escaped.
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
const secs = (ms: number) => (ms / 1000).toFixed(3);

/**
 * Render a report as JUnit XML for CI systems: one test suite per agent × protocol × variant, one
 * test case per episode (class = environment, name = task and seed.sample); a failed episode is a
 * `<failure>` with its failed checks, an abnormal end an `<error>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderJunit } from "./junit.ts";
 * import type { Report } from "./types.ts";
 * const x = renderJunit({ run_id: "0", episodes: [], transcripts: [], provenance: { suite: { name: "s" } } } as unknown as Report);
 * assert.ok(x.startsWith("<?xml"));
 * ```
 */
export function renderJunit(report: Report): string {
  const checks = new Map(
    report.transcripts.map((t) => [
      t.id,
      t.lines.filter((l) => l.kind === "check" && l.text.startsWith("✗")).map((l) => l.text),
    ]),
  );
  const suites = new Map<string, EpisodeSummary[]>();
  for (const e of report.episodes) {
    const k = `${e.agent} · ${e.protocol} · ${e.variant}`;
    let g = suites.get(k);
    if (!g) suites.set(k, g = []);
    g.push(e);
  }
  const count = (es: EpisodeSummary[]) => ({
    tests: es.length,
    failures: es.filter((e) => !e.success && !e.error).length,
    errors: es.filter((e) => !e.success && e.error).length,
    time: secs(es.reduce((t, e) => t + e.ms, 0)),
  });
  const attrs = (o: Record<string, string | number>) =>
    Object.entries(o).map(([k, v]) => `${k}="${xml(String(v))}"`).join(" ");
  const all = count(report.episodes);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${attrs({ name: `tooltrial ${report.provenance.suite.name}`, ...all })}>`,
  ];
  for (const [name, es] of suites) {
    out.push(`  <testsuite ${attrs({ name, ...count(es) })}>`);
    out.push(
      `    <properties><property ${attrs({ name: "run_id", value: report.run_id })}/></properties>`,
    );
    for (const e of es) {
      const head = `    <testcase ${
        attrs({
          classname: e.env,
          name: `${e.task} [${e.split}, seed ${e.seed}.${e.sample}]`,
          time: secs(e.ms),
        })
      }`;
      if (e.success) {
        out.push(`${head}/>`);
        continue;
      }
      const failed = checks.get(e.id) ?? [];
      const body = [
        `episode ${e.id}`,
        `calls ${e.calls}, invalid ${e.invalid_calls}, trial calls ${e.trial_calls}`,
        ...failed,
      ].join("\n");
      const tag = e.error ? "error" : "failure";
      const message = e.error ?? (failed.length ? failed.join("; ") : "checks failed");
      out.push(
        `${head}>`,
        `      <${tag} ${attrs({ message, type: tag === "error" ? "episode" : "checks" })}>${
          xml(body)
        }</${tag}>`,
        "    </testcase>",
      );
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>", "");
  return out.join("\n");
}
