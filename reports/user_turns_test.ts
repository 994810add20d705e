// User turns through the CLI: the to-do assistant's suite (conversations with a scripted user) is
// benched, and report.json's mean_user_turns per agent × protocol × variant is recomputed from the
// user messages its own log holds; report.md shows them as a column. A suite without conversations
// has neither (testdata/golden/mini_report.md holds its Markdown).
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "../testdata/cli.ts";

interface Row {
  agent: string;
  protocol: string;
  variant: string;
  mean_user_turns?: number;
}

Deno.test("user turns in report.json and report.md: per agent × protocol × variant, as the log's user messages say", async () => {
  const out = await Deno.makeTempDir();
  const r = await runCli("bench", "envs/todo/suite.yaml", "--out", out, "--quiet");
  assert.equal(r.code, 0, r.err);
  // Count, per episode, the user messages that are replies of the simulated user.
  const replies = new Map<string, number>();
  const head = new Map<string, { agent: string; protocol: string; variant: string }>();
  const log = await Deno.readTextFile(join(out, "episodes.jsonl"));
  for (const line of log.split("\n").filter(Boolean)) {
    const e = JSON.parse(line);
    if (e.type === "episode") {
      head.set(e.episode, e);
      replies.set(e.episode, 0);
    }
    if (e.type === "message" && e.message.role === "user" && e.user) {
      replies.set(e.episode, (replies.get(e.episode) ?? 0) + 1);
    }
  }
  const report = JSON.parse(await Deno.readTextFile(join(out, "report.json")));
  const md = await Deno.readTextFile(join(out, "report.md"));
  const cells = (l: string) => l.split("|").slice(1, -1).map((c) => c.trim());
  const header = md.split("\n").find((l) => l.startsWith("| agent | protocol | variant |"))!;
  const column = cells(header).indexOf("user turns");
  assert.ok(column > 0, header);
  assert.ok(report.overall.length >= 6);
  const means = [];
  for (const row of report.overall as Row[]) {
    const counts = [...head].filter(([, h]) =>
      h.agent === row.agent && h.protocol === row.protocol && h.variant === row.variant
    ).map(([id]) => replies.get(id)!);
    const want = counts.reduce((a, b) => a + b, 0) / counts.length;
    assert.ok(row.mean_user_turns !== undefined, `${row.agent} ${row.variant}: no user turns`);
    assert.ok(Math.abs(row.mean_user_turns - want) < 1e-4, `${row.agent} ${row.variant}`);
    means.push(row.mean_user_turns);
    const line = md.split("\n").find((l) =>
      l.startsWith(`| ${row.agent} | ${row.protocol} | ${row.variant} |`)
    );
    assert.equal(cells(line ?? "")[column], row.mean_user_turns.toFixed(2), line ?? "no row");
  }
  // Every conversation has at least the user's stop message, and they are not all alike.
  assert.ok(means.every((m) => m >= 1), `${means}`);
  assert.ok(new Set(means).size > 1, `${means}`);
  assert.match(md, /\| self-corr\. \| AST \| user turns \|/);
  assert.match(md, /User turns \(conversations: tasks with `user:`\)/);
  // Each episode's result carries its own count.
  const results = log.split("\n").filter(Boolean).map((l) => JSON.parse(l)).filter((e) =>
    e.type === "result"
  );
  for (const res of results) assert.equal(res.metrics.user_turns, replies.get(res.episode));
  await Deno.remove(out, { recursive: true });
});
