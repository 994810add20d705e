import assert from "node:assert/strict";
import { join } from "node:path";
import { loadEnv } from "../../spec/mod.ts";
import { declarativeEnv } from "../../tools/mod.ts";
import { runEpisode } from "../../runners/episode.ts";
import { calling } from "../../testdata/agents.ts";
import { runCli } from "../../testdata/cli.ts";
import { checkCalls } from "./check_calls.ts";

const GOOD = "testdata/good/calls_any_of.yaml";
const env = await loadEnv(GOOD);
const task = (id: string) => env.tasks.find((t) => t.id === id)!;
const direct = { name: "direct", kind: "direct" as const, trialBudget: 0, maxTurns: 12 };

/** The calls check's outcome after an episode of `id` with these calls. */
async function outcome(id: string, calls: { name: string; args: Record<string, unknown> }[]) {
  const rec = await runEpisode(declarativeEnv(env), task(id), {
    agent: calling(calls),
    protocol: direct,
    episode: { id: "e", seed: 1, sample: 0 },
  });
  const result = rec.events.at(-1) as {
    checks: { name: string; passed: boolean; detail?: string; stages?: Record<string, boolean> }[];
  };
  return result.checks.find((c) => c.name === "calls")!;
}

Deno.test("any_of: normalized from YAML, the first alternative doubling as answers", () => {
  const c = task("second-alternative").check.calls!;
  assert.equal(c.anyOf?.length, 2);
  assert.deepEqual(c.answers, c.anyOf![0]);
  assert.equal(c.firstActionOnly, undefined);
  const f = task("first-action").check.calls!;
  assert.equal(f.firstActionOnly, true);
  assert.equal(f.wildcard, "None");
  assert.equal(f.mode, "rotbench");
});

Deno.test("any_of: calls to another tool pass when an alternative accepts them", async () => {
  assert.ok(
    (await outcome("second-alternative", [{
      name: "weather",
      args: { city: "Paris", units: "metric" },
    }])).passed,
  );
  assert.ok(
    (await outcome("second-alternative", [{ name: "web_search", args: { q: "weather in Paris" } }]))
      .passed,
  );
  const neither = await outcome("second-alternative", [{
    name: "web_search",
    args: { q: "Rome" },
  }]);
  assert.equal(neither.passed, false);
  assert.match(
    neither.detail!,
    /^no_alternative: alternative 0: wrong_func_name: .*; alternative 1: value_error/,
  );
});

Deno.test("wildcard: any value of a parameter passes, but the parameter must be given", async () => {
  for (const units of ["kelvin", "°F", "whatever"]) {
    assert.ok(
      (await outcome("wildcard", [{ name: "weather", args: { city: "Paris", units } }])).passed,
    );
  }
  const omitted = checkCalls(
    [{ tool: "weather", args: { city: "Paris" } }],
    task("wildcard").check.calls!,
  );
  assert.equal(omitted.valid, false);
  // Without the wildcard "None" is just a value.
  const check = { ...task("wildcard").check.calls!, wildcard: undefined };
  assert.equal(
    checkCalls([{ tool: "weather", args: { city: "Paris", units: "K" } }], check).valid,
    false,
  );
  assert.ok(checkCalls([{ tool: "weather", args: { city: "Paris", units: "None" } }], check).valid);
  assert.equal(
    (await outcome("wildcard", [{ name: "weather", args: { city: "Rome", units: "K" } }])).passed,
    false,
  );
});

Deno.test("first_action_only: only the first call counts, whether it succeeded or not", async () => {
  // The right first call, then anything: passes.
  const right = await outcome("first-action", [
    { name: "weather", args: { city: "Paris", units: "celsius" } },
    { name: "web_search", args: { q: "umbrellas" } },
    { name: "web_search", args: { q: "more umbrellas" } },
  ]);
  assert.ok(right.passed, right.detail ?? "");
  assert.deepEqual(right.stages, {
    tool_selection: true,
    parameter_identification: true,
    content_filling: true,
  });
  // A failed first call (a schema error) is the first action, even when the agent corrects it.
  const corrected = await outcome("first-action", [
    { name: "weather", args: { city: "Paris" } },
    { name: "weather", args: { city: "Paris", units: "celsius" } },
  ]);
  assert.equal(corrected.passed, false);
  assert.match(
    corrected.detail!,
    /^parameter_identification: first action: weather\(\{"city":"Paris"\}\)/,
  );
  assert.deepEqual(corrected.stages, {
    tool_selection: true,
    parameter_identification: false,
    content_filling: false,
  });
  // RoTBench compares values exactly: "paris" is not "Paris".
  const lower = await outcome("first-action", [{
    name: "weather",
    args: { city: "paris", units: "c" },
  }]);
  assert.equal(lower.passed, false);
  assert.deepEqual(lower.stages, {
    tool_selection: true,
    parameter_identification: true,
    content_filling: false,
  });
  // A tool that does not exist first: no stage reached.
  const unknown = await outcome("first-action", [{ name: "wether", args: { city: "Paris" } }]);
  assert.match(
    unknown.detail!,
    /^tool_selection: first action: wether\(\{"city":"Paris"\}\); accepted: weather, ask_user$/,
  );
  assert.deepEqual(unknown.stages, {
    tool_selection: false,
    parameter_identification: false,
    content_filling: false,
  });
  // The other alternative: asking the user, with any question.
  assert.ok(
    (await outcome("first-action", [{ name: "ask_user", args: { question: "Which Paris?" } }]))
      .passed,
  );
  // Answering straight away is not an accepted first action here.
  const answered = await outcome("first-action", []);
  assert.match(
    answered.detail!,
    /first action: a final answer without a call; accepted: weather, ask_user/,
  );
});

Deno.test("first_action_only: an empty alternative accepts answering straight away", async () => {
  assert.ok((await outcome("answer-first", [])).passed);
  assert.ok(
    (await outcome("answer-first", [{ name: "ask_user", args: { question: "Hi?" } }])).passed,
  );
  const other = await outcome("answer-first", [{ name: "web_search", args: { q: "hello" } }]);
  assert.equal(other.passed, false);
});

Deno.test("any_of through the CLI: validate, and bench's first-action scores per agent and variant", async () => {
  const ok = await runCli("validate", GOOD);
  assert.equal(ok.code, 0, ok.err);
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    join(dir, "suite.yaml"),
    `tooltrial: 1\nsuite: alternatives\nenvs: [${Deno.cwd()}/${GOOD}]\n` +
      "variants:\n  renamed: [{ rename_tools: { level: medium } }]\n" +
      "  rotbench: [{ rename_tools: { level: heavy, style: rotbench } }, " +
      "{ rename_params: { level: slight, style: rotbench } }, " +
      "{ extra_required_param: { rate: 1, style: rotbench } }]\n" +
      "agents: { oracle: { scripted: oracle }, memorizer: { scripted: memorizer } }\n" +
      "protocols: { direct: {} }\n",
  );
  const r = await runCli("bench", join(dir, "suite.yaml"), "--out", join(dir, "run"));
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(await Deno.readTextFile(join(dir, "run", "report.json")));
  const row = (agent: string, variant: string) =>
    report.overall.find((o: { agent: string; variant: string }) =>
      o.agent === agent && o.variant === variant
    );
  assert.equal(row("oracle", "clean").success_rate, 1);
  assert.equal(row("oracle", "renamed").success_rate, 1);
  assert.equal(row("oracle", "rotbench").success_rate, 1);
  // Two tasks judge the first action; the memorizer calls the old names under renaming.
  assert.deepEqual(row("oracle", "renamed").first_action, {
    episodes: 2,
    tool_selection: 1,
    parameter_identification: 1,
    content_filling: 1,
  });
  const mem = row("memorizer", "renamed");
  assert.equal(mem.first_action.episodes, 2);
  assert.equal(mem.first_action.tool_selection, 0.5, "first-action fails, answer-first passes");
  const md = await Deno.readTextFile(join(dir, "run", "report.md"));
  assert.match(md, /## First action \(RoTBench scores\)/);
  assert.match(md, /\| memorizer \| direct \| renamed \| 2 \| 50\.0% \| 50\.0% \| 50\.0% \|/);
});

Deno.test("any_of: located errors for a malformed check, and for gold that no alternative accepts", async () => {
  const bad = await runCli("validate", "testdata/bad/calls_any_of.yaml");
  assert.equal(bad.code, 2);
  for (
    const [where, message] of [
      ["17:9 at /tasks/0/check/calls/any_of", "give answers: or any_of:, not both"],
      [
        "21:14 at /tasks/1/check/calls",
        "a calls check needs answers: (the expected calls) or any_of:",
      ],
      ["28:45 at /tasks/2/check/calls/any_of/0/1", "first_action_only judges one action"],
      ["32:38 at /tasks/3/check/calls/wildcard", "bfcl mode follows BFCL's checker exactly"],
      [
        "39:16 at /tasks/4/check/calls/any_of/1/0/wether",
        'answer expects a call to unknown function "wether"',
      ],
    ]
  ) {
    assert.ok(bad.err.includes(`testdata/bad/calls_any_of.yaml:${where}: ${message}`), bad.err);
  }
  const gold = await runCli("validate", "testdata/bad/tasks/calls_any_of_gold.yaml");
  assert.equal(gold.code, 2);
  assert.match(
    gold.err,
    /at \/tasks\/0\/check\/calls: .*calls check fails after the gold calls: content_filling: first action: weather\(\{"city":"Lyon"\}\); accepted: weather, web_search/,
  );
});
