import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli as cli } from "./testdata/cli.ts";

const tmp = await Deno.makeTempDir({ prefix: "tooltrial_judge_" });

Deno.test("judge: recorded calls scored by the tasks' own checks; a failure says which check and why", async () => {
  const out = join(tmp, "run");
  const r = await cli("judge", "testdata/recorded/calls.jsonl", "--out", out);
  assert.equal(r.code, 1, r.err); // lib-002 fails
  const lines = r.out.trim().split("\n");
  assert.deepEqual(lines.filter((l) => l.startsWith("FAIL")).map((l) => l.split(":")[0]), [
    "FAIL library/lib-002",
  ]);
  assert.match(r.out, /^2 of 3 tasks passed \(66\.7%\)$/m);
  // A normal run folder: the report has one agent, named after the file, direct and clean only.
  const report = JSON.parse(await Deno.readTextFile(join(out, "report.json")));
  assert.deepEqual(
    report.episodes.map((
      e: Record<string, unknown>,
    ) => [e.task, e.agent, e.protocol, e.variant, e.success]),
    [
      ["lib-001", "calls", "direct", "clean", true],
      ["lib-002", "calls", "direct", "clean", false],
      ["lib-004", "calls", "direct", "clean", true],
    ],
  );
  const rec = report.provenance.agents[0].recorded;
  assert.match(rec.path, /testdata\/recorded\/calls\.jsonl$/);
  assert.match(rec.sha256, /^[0-9a-f]{64}$/);
  // lib-002 made one of its two gold calls: the log shows it went through the environment.
  // reproduce reruns suites; a judged run says to run its own command again.
  const again = await cli("reproduce", out);
  assert.equal(again.code, 2);
  assert.match(
    again.err,
    /scored recorded calls \(tooltrial judge testdata\/recorded\/calls\.jsonl/,
  );
  const log = (await Deno.readTextFile(join(out, "episodes.jsonl"))).split("\n");
  assert.ok(log.some((l) => l.includes('"type":"tool"') && l.includes("The Sunken Library")));
});

Deno.test("judge: a task the suite lacks, or a broken line, is a located error (exit 2)", async () => {
  const bad = join(tmp, "bad.jsonl");
  await Deno.writeTextFile(
    bad,
    '{"task": "library/lib-001", "calls": []}\n{"task": "lib-9999", "calls": []}\n',
  );
  let r = await cli("judge", bad, "--out", join(tmp, "bad"));
  assert.equal(r.code, 2);
  assert.match(r.err, /bad\.jsonl:2:1: task lib-9999 is not in suite default/);
  await Deno.writeTextFile(bad, '{"task": "library/lib-001", "calls": [{"name": 3}]}\n{oops\n');
  r = await cli("judge", bad, "--out", join(tmp, "bad"));
  assert.equal(r.code, 2);
  assert.match(r.err, /bad\.jsonl:1:1: library\/lib-001, call 1: a call is/);
  assert.match(r.err, /bad\.jsonl:2:1: not JSON/);
  await Deno.writeTextFile(bad, "\n");
  r = await cli("judge", bad);
  assert.equal(r.code, 2);
  assert.match(r.err, /bad\.jsonl records no task/);
  r = await cli("judge");
  assert.equal(r.code, 2);
  assert.match(r.err, /judge takes one file of recorded calls, got 0/);
});

Deno.test("judge: a suite without a direct protocol is judged under the default one", async () => {
  const suite = join(tmp, "trial-only.yaml");
  await Deno.writeTextFile(
    suite,
    `tooltrial: 1
suite: trial-only
envs: [${join(Deno.cwd(), "envs/library")}]
agents: { oracle: { scripted: oracle } }
protocols: { trial: { trial_budget: 2 } }
`,
  );
  const r = await cli(
    "judge",
    "testdata/recorded/calls.jsonl",
    "--suite",
    suite,
    "--out",
    join(tmp, "t"),
  );
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /^2 of 3 tasks passed/m);
});

Deno.test("a recorded: agent runs in a suite beside the others", async () => {
  const suite = join(tmp, "suite.yaml");
  await Deno.writeTextFile(
    suite,
    `tooltrial: 1
suite: with-recorded
envs: [${join(Deno.cwd(), "envs/library")}]
agents:
  oracle: { scripted: oracle }
  external: { recorded: ${join(Deno.cwd(), "testdata/recorded/calls.jsonl")} }
protocols: { direct: {} }
`,
  );
  const out = join(tmp, "suite-run");
  const r = await cli("bench", suite, "--out", out, "--quiet");
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(await Deno.readTextFile(join(out, "report.json")));
  const ext = report.episodes.filter((e: { agent: string }) => e.agent === "external");
  const oracle = report.episodes.filter((e: { agent: string }) => e.agent === "oracle");
  assert.equal(ext.length, oracle.length); // every task: those not recorded fail
  assert.deepEqual(
    ext.filter((e: { success: boolean }) => e.success).map((e: { task: string }) => e.task),
    ["lib-001", "lib-004"],
  );
});

globalThis.addEventListener("unload", () => Deno.removeSync(tmp, { recursive: true }));
