import assert from "node:assert/strict";
import { formatChange, formatChangeCI, formatPercent, formatPoints, MINUS } from "./format.ts";
import { overallMarkdown } from "./markdown.ts";
import type { Report } from "./types.ts";
import { reportFixture } from "../testdata/report_fixture.ts";
import { runCli } from "../testdata/cli.ts";

Deno.test("format: halves round away from zero, on the rounded value's sign", () => {
  assert.equal(formatPoints(-0.8125), `${MINUS}81.3`);
  assert.equal(formatPoints(0.8125), "+81.3");
  assert.equal(formatChange(0.8125), `${MINUS}81.3`);
  // Binary noise: 0.1235 × 1000 is 123.49999999999999, still a half.
  assert.equal(formatPoints(0.1235), "+12.4");
  assert.equal(formatPoints(-0.0004), "±0.0");
  assert.equal(formatPoints(0), "±0.0");
  assert.equal(formatPercent(0.8125), "81.3%");
  assert.equal(formatPercent(0), "0.0%");
  assert.equal(formatPercent(1), "100.0%");
  assert.equal(formatChangeCI([0.7125, 0.9]), `${MINUS}90.0 to ${MINUS}71.3`);
});

/** The fixture with the figure of issue 22: a drop of exactly 81.25 points. */
function reportWithHalf(): Report {
  const report = structuredClone(reportFixture);
  const row = report.robustness.find((r) =>
    r.agent === "memorizer" && r.protocol === "direct" && r.variant === "renamed"
  )!;
  Object.assign(row, { clean_rate: 1, variant_rate: 0.1875, drop: 0.8125, ci95: [0.7125, 0.9] });
  const cell = report.overall.find((r) =>
    r.agent === "memorizer" && r.protocol === "direct" && r.variant === "renamed"
  )!;
  cell.success_rate = 0.1875;
  return report;
}

Deno.test("format: one drop prints the same in the console table, Markdown and HTML", async () => {
  const report = reportWithHalf();
  const dir = await Deno.makeTempDir({ prefix: "tooltrial_format_" });
  try {
    const file = `${dir}/report.json`;
    await Deno.writeTextFile(file, JSON.stringify(report));
    const md = await runCli("report", file, "--format", "md");
    const html = await runCli("report", file, "--format", "html");
    assert.equal(md.code, 0, md.err);
    assert.equal(html.code, 0, html.err);
    const want = `${MINUS}81.3`;
    // What `bench` prints: the success table with each drop in brackets.
    assert.match(overallMarkdown(report), new RegExp(`\\| 18\\.8% \\(${want}\\) \\|`));
    // report.md: the success table, the change table and the headline's biggest drop.
    assert.match(md.out, new RegExp(`\\| 18\\.8% \\(${want}\\) \\|`));
    assert.match(
      md.out,
      new RegExp(`\\| renamed \\| \\d+ \\| 100\\.0% \\| 18\\.8% \\| ${want} \\|`),
    );
    assert.match(
      md.out,
      new RegExp(`\\| ${want} under renamed \\(${MINUS}90\\.0 … ${MINUS}71\\.3\\)`),
    );
    // report.html: the heat map's cell and the headline's biggest drop.
    assert.match(html.out, new RegExp(`<text[^>]*>${want}<title>memorizer · direct · renamed`));
    assert.match(html.out, new RegExp(`<span class="big">${want} <span class="where">renamed`));
    for (const out of [md.out, html.out]) {
      assert.ok(!/81\.2|\+81\.3/.test(out), "no other rounding or sign of the same figure");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
