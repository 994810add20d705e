// A task's `tools:` subset, end to end: what the agent is shown, what a call outside it gets, and
// a bench through the CLI in which no call ever reaches a tool the task did not offer.
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadEnv } from "../spec/mod.ts";
import type { ProtocolSpec } from "../spec/types.ts";
import { runCli as cli } from "../testdata/cli.ts";
import { declarativeEnv } from "../tools/mod.ts";
import { applyVariant } from "../variants/mod.ts";
import type { Agent } from "./agent.ts";
import { runEpisode } from "./episode.ts";
import { callTools, say } from "../core/messages.ts";

const DIR = "testdata/good/task_tools";
const spec = await loadEnv(join(DIR, "env.yaml"));
const direct: ProtocolSpec = { name: "direct", kind: "direct", trialBudget: 0, maxTurns: 4 };

/** Calls `name` once, then answers; records the tool names it was shown. */
function caller(name: string, shown: string[][]): Agent {
  return {
    name: "caller",
    start: () => {
      let n = 0;
      return {
        act: (_m, tools) => {
          shown.push(tools.map((t) => t.name));
          return Promise.resolve(n++ === 0 ? callTools([{ name, args: { id: "w1" } }]) : say("4"));
        },
      };
    },
  };
}

Deno.test("task tools: the agent sees only the offered tools; another env tool is an unknown tool", async () => {
  const shown: string[][] = [];
  const rec = await runEpisode(declarativeEnv(spec), spec.tasks[0], {
    agent: caller("list_items", shown),
    protocol: direct,
    episode: { id: "e", seed: 0, sample: 0 },
  });
  assert.deepEqual(shown[0], ["get_item"]);
  const tool = rec.events.find((e) => e.type === "tool");
  assert.ok(tool && tool.type === "tool");
  assert.equal(tool.canonical, null, "the call never reached the environment");
  assert.ok(!tool.observation.ok);
  assert.equal(tool.observation.error.kind, "unknown_tool");
  // The hint names what the task offers, never the env's other tools.
  assert.match(tool.observation.error.message, /No tool named "list_items"/);
  assert.doesNotMatch(tool.observation.error.message, /count_items/);
  assert.equal(rec.metrics.invalid_calls, 1);
});

Deno.test("task tools: under a renamed variant the subset follows the tools' new names", async () => {
  const variant = {
    name: "renamed",
    ops: [{ op: "rename_tools", options: { level: "heavy", style: "reverse" } }],
  };
  const env = applyVariant(declarativeEnv(spec), variant, { seed: 0 });
  const offered = env.views.filter((v) =>
    v.canonical === "get_item" || v.canonical === "count_items"
  )
    .map((v) => v.name).sort();
  const shown: string[][] = [];
  // The visible name of list_items, which task s-2 does not offer.
  const hidden = env.views.find((v) => v.canonical === "list_items")!.name;
  const rec = await runEpisode(env, spec.tasks[1], {
    agent: caller(hidden, shown),
    protocol: direct,
    episode: { id: "e", seed: 0, sample: 0 },
  });
  assert.deepEqual([...shown[0]].sort(), offered);
  assert.ok(!shown[0].includes(hidden));
  const tool = rec.events.find((e) => e.type === "tool");
  assert.ok(tool && tool.type === "tool" && !tool.observation.ok);
  assert.equal(tool.observation.error.kind, "unknown_tool");
});

Deno.test("task tools: bench through the CLI — no call reaches a tool its task did not offer", async () => {
  const out = await Deno.makeTempDir();
  try {
    const r = await cli("bench", join(DIR, "suite.yaml"), "--out", out, "--quiet");
    assert.equal(r.code, 0, r.err);
    const lines = (await Deno.readTextFile(join(out, "episodes.jsonl"))).trim().split("\n")
      .map((l) => JSON.parse(l));
    const offered = new Map(spec.tasks.map((t) => [t.id, new Set(t.tools)]));
    const taskOf = new Map<string, string>();
    let reached = 0;
    for (const l of lines) {
      if (l.type === "episode") taskOf.set(l.episode, l.task);
      if (l.type !== "tool" || l.canonical === null) continue;
      reached++;
      const task = taskOf.get(l.episode)!;
      assert.ok(offered.get(task)!.has(l.canonical.tool), `${task}: ${l.canonical.tool} reached`);
    }
    assert.ok(reached > 0, "calls reached the environment");
    const report = await Deno.readTextFile(join(out, "report.md"));
    assert.match(report, /\| oracle \| direct \| 100\.0% \|/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("task tools: unknown, repeated and missing-gold names are located errors (validate, exit 2)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const text = await Deno.readTextFile(join(DIR, "env.yaml"));
    const file = join(dir, "env.yaml");
    await Deno.writeTextFile(
      file,
      text.replace("tools: [get_item]\n", "tools: [get_itm, count_items, count_items]\n"),
    );
    const r = await cli("validate", "--fast", file);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(
      r.err,
      /at \/tasks\/0\/tools\/0: the task offers unknown tool "get_itm"[^]*did you mean "get_item"\?/,
    );
    assert.match(r.err, /at \/tasks\/0\/tools\/2: "count_items" is listed twice/);
    assert.match(
      r.err,
      /at \/tasks\/0\/gold\/0\/tool: the gold call uses "get_item", which the task's tools: do not offer[^]*add "get_item" to the task's tools:/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
