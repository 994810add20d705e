import assert from "node:assert/strict";
import { loadEnv } from "../../spec/mod.ts";
import { declarativeEnv } from "../../tools/mod.ts";
import { runEpisode } from "../../runners/episode.ts";
import { scriptedAgent } from "../../runners/agents/mod.ts";
import { calling } from "../../testdata/agents.ts";
import { checkTask } from "../checks.ts";

const env = await loadEnv("testdata/good/calls.yaml");
const direct = { name: "direct", kind: "direct" as const, trialBudget: 0, maxTurns: 12 };
const episode = { id: "e", seed: 1, sample: 0 };

Deno.test("calls check: normalized from YAML with the tools' schemas and the name map", () => {
  const c = env.tasks[0].check.calls!;
  assert.equal(c.mode, "strict");
  assert.deepEqual(c.names, { math_factorial: "math.factorial" });
  assert.deepEqual(Object.keys(c.functions), ["math.factorial"]);
  assert.equal(env.tasks[1].check.calls!.mode, "bfcl");
});

Deno.test("calls check: the oracle passes every task through the episode runner", async () => {
  for (const task of env.tasks) {
    const rec = await runEpisode(declarativeEnv(env), task, {
      agent: scriptedAgent({ name: "oracle", kind: "scripted", scripted: "oracle", options: {} }),
      protocol: direct,
      episode,
    });
    assert.ok(rec.success, JSON.stringify(rec.events.at(-1)));
  }
});

Deno.test("calls check: judges the calls that succeeded, so a corrected call counts once", async () => {
  const [fact] = env.tasks;
  const run = (calls: { name: string; args: Record<string, unknown> }[]) =>
    runEpisode(declarativeEnv(env), fact, { agent: calling(calls), protocol: direct, episode });
  // A schema violation first (rejected by the tool, not counted), then the right call.
  const fixed = await run([
    { name: "math_factorial", args: { number: "5" } },
    { name: "math_factorial", args: { number: 5 } },
  ]);
  assert.ok(fixed.success);
  const wrong = await run([{ name: "math_factorial", args: { number: 6 } }]);
  assert.equal(wrong.success, false);
  const result = wrong.events.at(-1) as { checks: { name: string; detail?: string }[] };
  assert.match(result.checks.find((c) => c.name === "calls")!.detail!, /^value_error: .*number/);
  const twice = await run([
    { name: "math_factorial", args: { number: 5 } },
    { name: "math_factorial", args: { number: 5 } },
  ]);
  assert.equal(twice.success, false, "one call per answer");
});

Deno.test("calls check: checkTask without calls judges an empty call list", async () => {
  const v = await checkTask(env.tasks[0], "120", env.state);
  assert.equal(v.passed, false);
  assert.match(v.checks[0].detail!, /wrong_count: expected 1 call, got 0/);
});
