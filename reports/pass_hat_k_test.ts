// pass^k through the CLI, without a golden file: a tiny run whose random agent's samples disagree,
// its report.json recomputed from its own episodes by enumerating k-subsets, and its Markdown.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "../testdata/cli.ts";

const SUITE = "testdata/passk/suite.yaml";

interface Episode {
  env: string;
  task: string;
  seed: number;
  agent: string;
  protocol: string;
  variant: string;
  success: boolean;
}

/** The share of the k-subsets of `outcomes` whose members all succeeded, by enumeration. */
function allOfK(outcomes: boolean[], k: number): number {
  let all = 0, count = 0;
  const pick = (from: number, left: number, ok: boolean) => {
    if (left === 0) return void (count++, ok && all++);
    for (let i = from; i <= outcomes.length - left; i++) pick(i + 1, left - 1, ok && outcomes[i]);
  };
  pick(0, k, true);
  return all / count;
}

Deno.test("pass^k in report.json and report.md: per agent × variant, k = 1 … samples, as the episodes say", async () => {
  const out = await Deno.makeTempDir();
  const r = await runCli("bench", SUITE, "--out", out, "--quiet");
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(await Deno.readTextFile(join(out, "report.json")));
  const md = await Deno.readTextFile(join(out, "report.md"));
  for (const row of report.overall) {
    const mine = (report.episodes as Episode[]).filter((e) =>
      e.agent === row.agent && e.protocol === row.protocol && e.variant === row.variant
    );
    // The trials of one task under one seed.
    const trials = new Map<string, boolean[]>();
    for (const e of mine) {
      const key = `${e.env}/${e.task}/${e.seed}`;
      trials.set(key, [...trials.get(key) ?? [], e.success]);
    }
    assert.deepEqual([...trials.values()].map((t) => t.length), [4, 4, 4, 4, 4, 4]);
    assert.deepEqual(Object.keys(row.pass_hat_k), ["1", "2", "3", "4"]);
    const cells = [];
    for (let k = 1; k <= 4; k++) {
      const want = [...trials.values()].reduce((s, t) => s + allOfK(t, k), 0) / trials.size;
      assert.ok(Math.abs(row.pass_hat_k[k] - want) < 1e-4, `${row.agent} pass^${k}`);
      cells.push(`${(Math.round(row.pass_hat_k[k] * 1000) / 10).toFixed(1)}%`);
    }
    assert.equal(row.pass_hat_k[1], row.success_rate);
    assert.ok(
      md.includes(`| ${row.agent} | direct | clean | ${cells.join(" | ")} |`),
      `no pass^k row for ${row.agent}`,
    );
  }
  const random = report.overall.find((o: { agent: string }) => o.agent === "random");
  // Its samples disagree, so all-of-k falls with k, and some-of-k rises.
  const hat = [1, 2, 3, 4].map((k) => random.pass_hat_k[k]);
  assert.ok(hat[0] > 0 && hat[0] < 1 && hat.every((v, i) => i === 0 || v < hat[i - 1]), `${hat}`);
  assert.ok(random.pass_at_k[4] > random.pass_at_k[1]);
  assert.match(
    md,
    /## Reliability over repeated trials \(pass\^k\)\n\n\| agent \| protocol \| variant \| pass\^1 \| pass\^2 \| pass\^3 \| pass\^4 \| pass@2 \| pass@3 \| pass@4 \|/,
  );
  await Deno.remove(out, { recursive: true });
});

Deno.test("pass^k: one sample per task gives pass^1 only, and no reliability table", async () => {
  const out = await Deno.makeTempDir();
  const r = await runCli("bench", SUITE, "--samples", "1", "--out", out, "--quiet");
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(await Deno.readTextFile(join(out, "report.json")));
  for (const row of report.overall) {
    assert.deepEqual(Object.keys(row.pass_hat_k), ["1"]);
    assert.equal(row.pass_hat_k[1], row.success_rate);
  }
  const md = await Deno.readTextFile(join(out, "report.md"));
  assert.ok(!md.includes("pass^"), "no pass^k when each task ran once per seed");
  await Deno.remove(out, { recursive: true });
});
