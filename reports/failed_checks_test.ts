// Which check kinds failed, through the CLI: the to-do suite is benched, and report.json's
// failed_checks per agent × protocol × variant is recomputed from the check outcomes its own log
// holds; report.md shows them as a column, report.html in its failure explorer.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "../testdata/cli.ts";

/** An outcome's check kind, written out here rather than taken from tasks/checks.ts. */
const ANSWER_PARTS = ["equals", "contains", "excludes", "regex", "number", "jsonata"];
const kindOf = (name: string) => (ANSWER_PARTS.includes(name) ? "answer" : name);

interface Row {
  agent: string;
  protocol: string;
  variant: string;
  episodes: number;
  successes: number;
  failed_checks?: Record<string, number>;
}

Deno.test("failed checks by kind in report.json, report.md and report.html: per agent × protocol × variant, as the log's check outcomes say", async () => {
  const out = await Deno.makeTempDir();
  const r = await runCli("bench", "envs/todo/suite.yaml", "--out", out, "--quiet");
  assert.equal(r.code, 0, r.err);
  const want = new Map<string, Map<string, number>>();
  const head = new Map<string, string>();
  const log = await Deno.readTextFile(join(out, "episodes.jsonl"));
  for (const line of log.split("\n").filter(Boolean)) {
    const e = JSON.parse(line);
    if (e.type === "episode") head.set(e.episode, `${e.agent}/${e.protocol}/${e.variant}`);
    if (e.type !== "result") continue;
    const key = head.get(e.episode)!;
    const counts = want.get(key) ?? new Map<string, number>();
    want.set(key, counts);
    const kinds = new Set<string>(
      e.checks.filter((c: { passed: boolean; advisory?: boolean }) => !c.passed && !c.advisory)
        .map((c: { name: string }) => kindOf(c.name)),
    );
    for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const report = JSON.parse(await Deno.readTextFile(join(out, "report.json")));
  const md = await Deno.readTextFile(join(out, "report.md"));
  const cells = (l: string) => l.split("|").slice(1, -1).map((c) => c.trim());
  const header = md.split("\n").find((l) => l.startsWith("| agent | protocol | variant |"))!;
  const column = cells(header).indexOf("failed checks");
  assert.ok(column > 0, header);
  const seen = new Set<string>();
  for (const row of report.overall as Row[]) {
    const key = `${row.agent}/${row.protocol}/${row.variant}`;
    const expected = Object.fromEntries(want.get(key)!);
    assert.deepEqual(row.failed_checks ?? {}, expected, key);
    // Every failed episode failed some check, or ended without an answer.
    const failed = row.episodes - row.successes;
    assert.ok(failed === 0 || Object.values(expected).some((n) => n > 0), key);
    for (const k of Object.keys(expected)) seen.add(k);
    const line = md.split("\n").find((l) =>
      l.startsWith(`| ${row.agent} | ${row.protocol} | ${row.variant} |`)
    )!;
    const cell = cells(line)[column];
    assert.equal(
      cell,
      row.failed_checks
        ? Object.entries(row.failed_checks).map(([k, n]) => `${k} ${n}`).join(", ")
        : "–",
      key,
    );
  }
  // The memorizer under renamed tools fails the to-do tasks in more than one way.
  assert.ok(seen.size >= 2, [...seen].join());
  assert.match(md, /Failed checks: failed episodes by the kind of check that failed them/);
  const html = await Deno.readTextFile(join(out, "report.html"));
  const table = html.slice(html.indexOf("<h3>Failed checks by kind</h3>"));
  assert.ok(table.length > 0 && html.includes("<h3>Failed checks by kind</h3>"));
  for (const k of seen) assert.ok(table.includes(`<th`) && table.includes(`>${k}<`), k);
  await Deno.remove(out, { recursive: true });
});
