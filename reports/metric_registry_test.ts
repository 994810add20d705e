// The metric registry's meta-test: a bench run through the CLI, then every registered metric is
// looked for in every format `tooltrial report` renders — its field in report.json's rows, and, for
// a table column, its label and each row's cell in the Markdown and the HTML — so a new metric
// cannot escape the tests.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { runCli } from "../testdata/cli.ts";
import { computeMetrics, metricColumns, METRICS } from "./metric_registry.ts";
import { escapeHtml } from "./escape.ts";
import type { Report } from "./types.ts";
import reportSchema from "./schema/report.v1.json" with { type: "json" };

Deno.test("metrics: the report schema's row has every registered metric, and no other", () => {
  const row = reportSchema.$defs.row.properties as Record<string, unknown>;
  const groups = ["agent", "protocol", "variant", "env", "split"];
  assert.deepEqual(
    Object.keys(row).filter((k) => !groups.includes(k)).sort(),
    METRICS.map((m) => m.key).sort(),
  );
});

/** A small run through `tooltrial bench`: the mini env, two agents, clean and renamed. */
async function benchRun(dir: string): Promise<string> {
  const suite = join(dir, "suite.yaml");
  await Deno.writeTextFile(
    suite,
    stringify({
      tooltrial: 1,
      suite: "metrics",
      envs: [resolve("testdata/good/mini.yaml")],
      variants: { renamed: [{ rename_tools: { level: "heavy" } }] },
      agents: { oracle: { scripted: "oracle" }, memorizer: { scripted: "memorizer" } },
      protocols: { direct: {} },
      samples: 2,
      seeds: [0],
    }),
  );
  const out = join(dir, "run");
  const r = await runCli("bench", suite, "--out", out, "--quiet");
  assert.ok(r.code === 0 || r.code === 1, r.err);
  return out;
}

Deno.test("metrics: every metric is in report.json, and every column in the Markdown and HTML", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tooltrial-metrics-" });
  try {
    const run = await benchRun(dir);
    const json = await runCli("report", run, "--format", "json");
    assert.equal(json.code, 0, json.err);
    const report: Report = JSON.parse(json.out);
    // Optional columns (tokens, cost, user turns, failed checks) show only when some row has
    // them: give every row all four.
    for (const row of report.overall) {
      Object.assign(row, {
        mean_tokens: 123,
        mean_cost_usd: 0.0123,
        mean_user_turns: 1.5,
        failed_checks: { state: 2, judge: 1 },
      });
    }
    const edited = join(dir, "report.json");
    await Deno.writeTextFile(edited, JSON.stringify(report));
    const md = await runCli("report", edited, "--format", "md");
    const html = await runCli("report", edited, "--format", "html");
    assert.equal(md.code, 0, md.err);
    assert.equal(html.code, 0, html.err);
    const optional = new Set(["mean_cost_usd", "mean_user_turns", "first_action", "failed_checks"]);
    for (const m of METRICS) {
      for (const row of [...report.overall, ...report.breakdown]) {
        if (!optional.has(m.key)) assert.ok(m.key in row, `${m.key} in report.json's rows`);
      }
      if (!m.column) continue;
      const { label, cell } = m.column;
      assert.ok(md.out.includes(` ${label} |`), `${m.key}: column "${label}" in the Markdown`);
      assert.ok(html.out.includes(`>${escapeHtml(label)}</th>`), `${m.key}: column in the HTML`);
      for (const row of report.overall) {
        assert.ok(md.out.includes(`| ${cell(row)} |`), `${m.key}: ${cell(row)} in the Markdown`);
        assert.ok(html.out.includes(`>${escapeHtml(cell(row))}</td>`), `${m.key}: in the HTML`);
      }
    }
    assert.equal(metricColumns().length, METRICS.filter((m) => m.column).length);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("metrics: the optional ones are computed when their episodes carry them, in report.json's order", () => {
  const episode = {
    env: "e",
    task: "t",
    variant: "clean",
    split: "seen",
    agent: "a",
    protocol: "direct",
    seed: 0,
    sample: 0,
    success: true,
    error: null,
    calls: 2,
    trial_calls: 0,
    invalid_calls: 1,
    failed_calls: 1,
    backend_failures: 0,
    self_corrections: 1,
    ast_match: true,
    ms: 10,
    tokens: 40,
    cost_usd: 0.002,
    user_turns: 3,
    first_action: { tool_selection: true, parameter_identification: true, content_filling: false },
    failed_checks: ["db", "judge"],
  };
  const row = computeMetrics({
    episodes: [episode, { ...episode, sample: 1, failed_checks: ["judge"] }] as never,
    seed: "x",
  });
  assert.deepEqual(row.failed_checks, { db: 1, judge: 2 });
  assert.deepEqual(Object.keys(row), METRICS.map((m) => m.key));
  assert.equal(row.mean_cost_usd, 0.002);
  assert.equal(row.mean_user_turns, 3);
  assert.deepEqual(row.first_action, {
    episodes: 2,
    tool_selection: 1,
    parameter_identification: 1,
    content_filling: 0,
  });
  assert.equal(row.invalid_call_rate, 0.5);
  assert.equal(row.mean_tokens, 40);
});
