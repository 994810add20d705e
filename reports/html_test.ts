import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { renderHtml } from "./html.ts";
import { FailureCollector } from "./failures.ts";
import type { Report } from "./types.ts";
import type { EpisodeEvent } from "../runners/events.ts";
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

Deno.test("html: self-contained — one inline script, allowed by its hash; no external URL", () => {
  const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.deepEqual(scripts.map((m) => m[1]), [` type="application/json" id="fx-data"`, ""]);
  const hash = createHash("sha256").update(scripts[1][2]).digest("base64");
  const csp = html.match(/http-equiv="Content-Security-Policy" content="([^"]*)"/)![1];
  assert.ok(csp.includes(`default-src 'none'`) && csp.includes(`script-src 'sha256-${hash}'`), csp);
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

/** The failure explorer's data blob of a page. */
function failureBlob(
  page: string,
): { r: number[][]; x: number[][]; l: string[]; n: Record<string, string[]> } {
  const m = page.match(/<script type="application\/json" id="fx-data">([\s\S]*?)<\/script>/);
  assert.ok(m, "no failure data");
  return JSON.parse(m[1]);
}

Deno.test("html: the failures section lists every failed episode, with filters and a search", () => {
  const failures = section(html, "failures");
  const failed = reportFixture.episodes.filter((e) => !e.success);
  assert.ok(failed.length > 10);
  const blob = failureBlob(html);
  assert.equal(blob.r.length, failed.length);
  assert.match(
    failures,
    new RegExp(`Every failed episode: ${failed.length.toLocaleString("en-US")} of`),
  );
  for (const col of [2, 3, 4, 5, 6]) {
    assert.match(failures, new RegExp(`<select data-col="${col}">`));
  }
  for (const label of ["agent", "variant", "protocol", "split", "failure kind"]) {
    assert.ok(failures.includes(`<label>${label} <select`), label);
  }
  assert.match(failures, /<input type="search"/);
  // Without a script the section still says what failed: a table of failure kinds.
  assert.match(failures, /<th scope="col">failure kind<\/th>/);
  assert.match(failures, /<noscript>/);
  assert.ok(html.indexOf(`<section id="failures">`) < html.indexOf(`<section id="tasks">`));
  // From the report alone, the kept transcripts (one failure per task × agent × protocol) are there.
  const kept = new Set(reportFixture.transcripts.map((t) => t.id));
  assert.equal(
    blob.r.filter((r) => r[10] >= 0).length,
    failed.filter((e) => kept.has(e.id)).length,
  );
});

Deno.test("html: failure data from the log has every transcript, stored once, inside the size budget", () => {
  const id = (n: number) => `e/clean/t${n}/a/direct/0.0`;
  const episode = (n: number, text: string) =>
    [
      {
        v: 1,
        type: "episode",
        episode: id(n),
        index: n,
        env: "e",
        task: `t${n}`,
        variant: "clean",
        split: "seen",
        agent: "a",
        protocol: "direct",
        run_seed: 0,
        seed: n,
        sample: 0,
      },
      {
        v: 1,
        type: "message",
        episode: id(n),
        phase: "execute",
        message: { role: "user", content: text },
      },
      {
        v: 1,
        type: "result",
        episode: id(n),
        success: false,
        answer: "</script><img src=x>",
        error: null,
        ms: 1,
        checks: [{ name: "contains", passed: false, detail: "missing 42" }],
        metrics: {
          calls: 0,
          trial_calls: 0,
          invalid_calls: 0,
          trial_invalid_calls: 0,
          failed_calls: 0,
          backend_failures: 0,
          self_corrections: 0,
          turns: 1,
          ast_match: false,
        },
      },
    ] as EpisodeEvent[];
  const c = new FailureCollector({ textBudget: 400 });
  c.add(episode(1, "same query"));
  c.add(episode(2, "same query"));
  c.add(episode(3, "x".repeat(3000)));
  const data = c.data();
  assert.deepEqual(data.rows.map((r) => r[10]), [0, 0, -1], "two alike share one transcript");
  assert.equal(data.omitted, 1);
  assert.deepEqual(data.names.kind, ["contains check"]);
  const page = renderHtml(reportFixture, { failures: data });
  assert.equal(failureBlob(page).r.length, 3);
  assert.equal(page.match(/<\/script>/g)?.length, 2, "an answer cannot close the data's script");
  assert.ok(!page.includes("<img"));
  assert.match(section(page, "failures"), /1 of them without a transcript here/);
});
