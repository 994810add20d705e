import assert from "node:assert/strict";
import { renderHtml } from "./html.ts";
import type { Report } from "./types.ts";
import { MALICIOUS_TITLE, reportFixture } from "../testdata/report_fixture.ts";

const html = renderHtml(reportFixture);

/** The HTML of one `<section id=…>`. */
function section(page: string, id: string): string {
  const start = page.indexOf(`<section id="${id}">`);
  assert.ok(start >= 0, `no section #${id}`);
  return page.slice(start, page.indexOf("</section>", start));
}

Deno.test("html: one page with a static SVG chart in each chart section", () => {
  assert.ok(html.startsWith("<!doctype html>"));
  for (const id of ["success", "robustness", "splits"]) {
    assert.match(section(html, id), /<svg[\s>]/, `#${id} has no chart`);
  }
  for (const id of ["comparisons", "saw", "tasks", "provenance"]) section(html, id);
});

Deno.test("html: self-contained — no script, no external URL", () => {
  assert.ok(!/<script/i.test(html));
  assert.ok(!/<[^>]*\s(src|href)=(?!"#)/i.test(html), "no src, no href other than #anchors");
  const namespaces = html.replaceAll(/xmlns(:\w+)?="http:\/\/www\.w3\.org\/[^"]*"/g, "");
  assert.deepEqual(namespaces.match(/https?:\/\/[^\s"'<]*/g) ?? [], []);
});

Deno.test("html: transcript text is escaped", () => {
  assert.ok(!html.includes("<img"), "markup in a transcript must not become a tag");
  const escaped = MALICIOUS_TITLE.replaceAll("&", "&amp;").replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;").replaceAll('"', "&quot;");
  assert.equal(escaped, "The &lt;img src=x onerror=alert(1)&gt; &amp; &quot;Quoted&quot; Cookbook");
  assert.ok(html.includes(escaped));
});

Deno.test("html: names with markup are escaped in tables and charts", () => {
  const hostile = `r<xss>&'x`;
  const report = JSON.parse(
    JSON.stringify(reportFixture).replaceAll(`"random"`, JSON.stringify(hostile)),
  ) as Report;
  const page = renderHtml(report);
  assert.ok(!page.includes("<xss"));
  assert.ok(page.includes("r&lt;xss&gt;&amp;"));
});

Deno.test("html: names every agent, variant, environment and split", () => {
  const names = [
    ...["oracle", "memorizer", "explorer", "random"],
    ...["clean", "renamed", "deprecated", "noisy"],
    ...["library", "calendar"],
    ...["seen", "unseen_task", "unseen_tool", "unseen_env"],
  ];
  for (const name of names) assert.ok(html.includes(`>${name}<`), name);
  for (const t of reportFixture.transcripts) assert.ok(html.includes(t.id), t.id);
  assert.ok(html.includes("<code>koob_teg</code>"), "what the agent saw");
  assert.ok(html.includes("<strong>&lt;0.001</strong>"), "significant p-values in bold");
});

Deno.test("html: deterministic", () => {
  assert.equal(renderHtml(reportFixture), html);
});

Deno.test("html: a report with only clean results and no episodes still renders", () => {
  const clean = (r: { variant?: string }) => r.variant === "clean";
  const page = renderHtml({
    ...reportFixture,
    overall: reportFixture.overall.filter(clean),
    by_split: [],
    breakdown: [],
    robustness: [],
    gaps: [],
    comparisons: [],
    variants: [],
    episodes: [],
    transcripts: [],
  });
  assert.match(section(page, "success"), /<svg/);
  assert.match(section(page, "robustness"), /No variant besides clean/);
});

Deno.test("html: the headline comes first, one row per agent × protocol", () => {
  const headline = section(html, "headline");
  assert.ok(html.indexOf(`<section id="headline">`) < html.indexOf(`<section id="success">`));
  assert.equal(headline.match(/<tr><th scope="row">/g)?.length, 8);
  // memorizer · direct: clean 100%, worst under renamed (fixture: 6.3% there).
  assert.match(
    headline,
    /memorizer <span class="muted">· direct<\/span><\/th><td class="n"><span class="big">100\.0%<\/span>.*?<span class="big">−93\.8 <span class="where">renamed<\/span>/,
  );
  assert.match(headline, /<span class="where">none<\/span>/, "the oracle loses nothing");
  // Seeds are provenance, not a headline figure.
  assert.ok(!/<dt>seeds<\/dt>/.test(html));
  assert.match(section(html, "provenance"), /seeds: 0, 1; samples: 1/);
});

Deno.test("html: 0% is drawn, and an agent that skipped a protocol says so", () => {
  const report = structuredClone(reportFixture);
  for (const r of report.overall) if (r.agent === "random") r.success_rate = 0;
  report.overall = report.overall.filter((r) => !(r.agent === "oracle" && r.protocol === "trial"));
  const chart = section(renderHtml(report), "success");
  // Four variants × two protocols of random: a thick tick in the variant's colour and a "0" each.
  const ticks = [...chart.matchAll(/<g [^>]*stroke-width="4"[^>]*>([\s\S]*?)<\/g>/g)]
    .flatMap((m) => m[1].match(/<line /g) ?? []);
  assert.equal(ticks.length, 8);
  const labels = [...chart.matchAll(/<g [^>]*class="zero"[^>]*>([\s\S]*?)<\/g>/g)]
    .flatMap((m) => m[1].match(/>0<\/text>/g) ?? []);
  assert.equal(labels.length, 8);
  // One y-axis per protocol row, both in the leftmost column (not beside the first bar drawn).
  const axis = chart.slice(chart.indexOf(`aria-label="y-axis tick label"`));
  const facets =
    axis.slice(0, axis.indexOf("aria-label", 20)).match(/<g transform="translate\([^)]*\)"/g) ?? [];
  assert.deepEqual(facets.slice(0, 2), [
    `<g transform="translate(1,0)"`,
    `<g transform="translate(1,200)"`,
  ]);
  assert.equal(chart.match(/>not run<\/text>/g)?.length, 1);
});
