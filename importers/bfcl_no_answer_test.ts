import assert from "node:assert/strict";
import { join } from "node:path";
import { loadEnv } from "../spec/mod.ts";
import { runCli } from "../testdata/cli.ts";

const DIR = "testdata/bfcl/no_answer";

interface Result {
  type: string;
  episode: string;
  success: boolean;
  checks: { name: string; passed: boolean; detail?: string }[];
  metrics: { calls: number };
}

for (
  const [file, ids] of [
    ["BFCL_v4_irrelevance.json", ["irrelevance_0", "irrelevance_1", "irrelevance_2"]],
    [
      "BFCL_v4_live_irrelevance.json",
      ["live_irrelevance_0-0-0", "live_irrelevance_1-0-1", "live_irrelevance_2-1-0"],
    ],
  ] as const
) {
  Deno.test(`import bfcl ${file} without answers: no call is right, a call is wrong`, async () => {
    const dir = await Deno.makeTempDir();
    const out = join(dir, "env");
    const r = await runCli("import", "bfcl", join(DIR, file), "--out", out);
    assert.equal(r.code, 0, r.err);
    assert.equal((await runCli("validate", out)).code, 0);
    const env = await loadEnv(out);
    assert.deepEqual(env.tasks.map((t) => t.id), ids);
    const category = file.replace(/^BFCL_v4_|\.json$/g, "");
    for (const t of env.tasks) {
      assert.deepEqual(t.tags, ["bfcl", category]);
      assert.deepEqual(t.gold, []);
      assert.deepEqual(t.check.calls!.answers, []);
    }
    assert.match(await Deno.readTextFile(join(out, "env.yaml")), /expects no call/);
    // An entry with no function offers no tool at all.
    for (const t of env.tasks.filter((t) => t.id === "live_irrelevance_2-1-0")) {
      assert.deepEqual(t.tools, []);
    }

    const bench = await runCli("bench", join(out, "suite.yaml"), "--out", join(dir, "run"));
    assert.equal(bench.code, 0, bench.err);
    const results = (await Deno.readTextFile(join(dir, "run", "episodes.jsonl"))).trim()
      .split("\n").map((l) => JSON.parse(l) as Result).filter((x) => x.type === "result");
    const by = (agent: string) => results.filter((x) => x.episode.includes(`/${agent}/`));
    assert.equal(by("oracle").length, ids.length);
    assert.ok(by("oracle").every((x) => x.success && x.metrics.calls === 0));
    // The random agent makes schema-valid calls: each episode with a call fails its calls check.
    const calling = by("random").filter((x) => x.metrics.calls > 0);
    assert.ok(calling.length > 0, "the random agent called a tool somewhere");
    for (const x of by("random")) assert.equal(x.success, x.metrics.calls === 0, x.episode);
    for (const x of calling) {
      assert.match(
        x.checks.find((c) => c.name === "calls")!.detail!,
        /irrelevance:made_calls: expected no call, got \d/,
      );
    }
  });
}

Deno.test("import bfcl: an entry of another category still needs its answer", async () => {
  const dir = await Deno.makeTempDir();
  const q = join(dir, "BFCL_v4_simple_python.json");
  const line = (await Deno.readTextFile(join(DIR, "BFCL_v4_irrelevance.json"))).split("\n")[0];
  await Deno.writeTextFile(q, line.replace('"irrelevance_0"', '"simple_python_7"') + "\n");
  const r = await runCli("import", "bfcl", q, "--out", join(dir, "env"));
  assert.equal(r.code, 2);
  assert.match(r.err, /no possible answer for simple_python_7\n\s+hint: pass --answers/);
});

Deno.test("import bfcl live_relevance without answers: any call is right, no call is wrong", async () => {
  const dir = await Deno.makeTempDir();
  const out = join(dir, "env");
  const file = join(DIR, "BFCL_v4_live_relevance.json");
  const r = await runCli("import", "bfcl", file, "--out", out);
  assert.equal(r.code, 0, r.err);
  assert.equal((await runCli("validate", out)).code, 0);
  const env = await loadEnv(out);
  assert.deepEqual(env.tasks.map((t) => [t.id, t.tags[1], t.gold.map((g) => g.tool)]), [
    ["live_relevance_0-0-0", "live_relevance", ["get_current_weather"]],
    ["live_relevance_1-1-0", "live_relevance", ["uber_ride"]],
  ]);
  assert.ok(env.tasks.every((t) => t.check.state?.source === "$count(state.calls) > 0"));
  // The oracle calls; the random agent with no calls to make (max_random_calls: 0) only talks.
  await Deno.writeTextFile(
    join(out, "suite.yaml"),
    (await Deno.readTextFile(join(out, "suite.yaml"))).replace(
      /random: \{ scripted: random \}/,
      "random: { scripted: random }\n  silent: { scripted: random, max_random_calls: 0 }",
    ),
  );
  const bench = await runCli("bench", join(out, "suite.yaml"), "--out", join(dir, "run"));
  assert.equal(bench.code, 0, bench.err);
  const results = (await Deno.readTextFile(join(dir, "run", "episodes.jsonl"))).trim()
    .split("\n").map((l) => JSON.parse(l) as Result).filter((x) => x.type === "result");
  const by = (agent: string) => results.filter((x) => x.episode.includes(`/${agent}/`));
  assert.equal(by("oracle").length, 2);
  assert.ok(by("oracle").every((x) => x.success && x.metrics.calls === 1));
  assert.equal(by("silent").length, 2);
  for (const x of by("silent")) {
    assert.equal(x.metrics.calls, 0);
    assert.equal(x.success, false);
    assert.match(x.checks.find((c) => c.name === "state")!.detail!, /state check gave false/);
  }
  for (const x of by("random")) assert.equal(x.success, x.metrics.calls > 0, x.episode);
});
