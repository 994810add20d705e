import assert from "node:assert/strict";
import { loadEnv } from "../spec/mod.ts";
import type { ProtocolSpec } from "../spec/types.ts";
import { declarativeEnv } from "../tools/mod.ts";
import type { Agent, TurnInfo } from "./agent.ts";
import { runEpisode } from "./episode.ts";
import { type AssistantMessage, callTools, type Message, say } from "../core/messages.ts";

const spec = await loadEnv("testdata/good/mini.yaml");
const env = declarativeEnv(spec);
const task = spec.tasks[1]; // add 3 units to w2 → 10
const direct: ProtocolSpec = { name: "direct", kind: "direct", trialBudget: 0, maxTurns: 6 };
const trial: ProtocolSpec = { name: "trial", kind: "trial", trialBudget: 2, maxTurns: 6 };

/** An agent from a function of (messages, turn). */
function agentOf(
  act: (
    m: readonly Message[],
    turn: TurnInfo,
    n: number,
  ) => AssistantMessage | Promise<AssistantMessage>,
): Agent {
  return {
    name: "test",
    start: () => {
      let n = 0;
      return { act: async (m, _t, turn) => await act(m, turn, n++) };
    },
  };
}
const run = (agent: Agent, protocol = trial) =>
  runEpisode(env, task, { agent, protocol, episode: { id: "e", seed: 1, sample: 0 } });

Deno.test("trial calls run on a scratch copy: the execution phase starts from the untouched state", async () => {
  let seenInExecute: unknown;
  const rec = await run(agentOf((m, turn) => {
    if (turn.phase === "trial") {
      return m.at(-1)?.role === "tool"
        ? say("learned add_stock")
        : callTools([{ name: "add_stock", args: { id: "w2", units: 50 } }]);
    }
    const last = m.at(-1)!;
    if (last.role === "user") return callTools([{ name: "get_item", args: { id: "w2" } }]);
    if (last.role === "tool" && seenInExecute === undefined) {
      seenInExecute = JSON.parse(last.content).stock;
      return callTools([{ name: "add_stock", args: { id: "w2", units: 3 } }]);
    }
    return say("w2 now has 10 units");
  }));
  assert.equal(seenInExecute, 7);
  assert.equal(rec.success, true);
  assert.deepEqual([rec.metrics.trial_calls, rec.metrics.calls], [1, 2]);
  const phases = rec.events.filter((e) => e.type === "tool").map((e) => e.phase);
  assert.deepEqual(phases, ["trial", "execute", "execute"]);
});

Deno.test("the trial budget is enforced and ends the phase", async () => {
  const rec = await run(
    agentOf((_m, turn) =>
      turn.phase === "trial"
        ? callTools([{ name: "get_item", args: { id: "w1" } }, {
          name: "get_item",
          args: { id: "w2" },
        }, { name: "get_item", args: { id: "w3" } }])
        : say("gave up")
    ),
  );
  assert.equal(rec.metrics.trial_calls, 2);
  const over = rec.events.find((e) =>
    e.type === "tool" && !e.observation.ok && /budget exhausted/.test(e.observation.error.message)
  );
  assert.ok(over, "the third call is answered with a budget message");
  assert.equal(rec.success, false);
});

Deno.test("invalid calls and self-corrections are counted", async () => {
  const rec = await run(
    agentOf((_m, _t, n) =>
      [
        callTools([{ name: "add_stok", args: { id: "w2", units: 3 } }]),
        callTools([{ name: "add_stock", args: { id: "w2", units: "3" } }]),
        callTools([{ name: "add_stock", args: { id: "w2", units: 3 } }]),
        say("w2 now has 10 units"),
      ][n]
    ),
    direct,
  );
  assert.deepEqual(rec.metrics, {
    calls: 3,
    trial_calls: 0,
    invalid_calls: 2,
    trial_invalid_calls: 0,
    failed_calls: 2,
    backend_failures: 0,
    self_corrections: 1,
    turns: 4,
    ast_match: true,
  });
  assert.equal(rec.success, true);
});

Deno.test("an agent that throws is recorded, not raised", async () => {
  const rec = await run(
    agentOf(() => {
      throw new Error("model server down");
    }),
    direct,
  );
  assert.equal(rec.success, false);
  assert.match(rec.error!, /agent failed: model server down/);
  const result = rec.events.at(-1)!;
  assert.equal(result.type, "result");
});

Deno.test("an agent that never answers hits max turns", async () => {
  const rec = await run(
    agentOf(() => callTools([{ name: "get_item", args: { id: "w1" } }])),
    direct,
  );
  assert.equal(rec.metrics.turns, 6);
  assert.match(rec.error!, /no final answer within 6 turns/);
  assert.equal(rec.success, false);
});

Deno.test("a tool crash inside an episode is data; the episode goes on", async () => {
  const spinSpec = await loadEnv("testdata/good/spin.yaml");
  const rec = await runEpisode(declarativeEnv(spinSpec), spinSpec.tasks[0], {
    agent: agentOf((_m, _t, n) =>
      [callTools([{ name: "spin", args: {} }]), callTools([{ name: "ok", args: {} }]), say("42")][n]
    ),
    protocol: direct,
    episode: { id: "e", seed: 1, sample: 0 },
  });
  const crash = rec.events.find((e) => e.type === "tool" && !e.observation.ok);
  assert.ok(
    crash && crash.type === "tool" && !crash.observation.ok &&
      crash.observation.error.kind === "tool_crash",
  );
  assert.equal(rec.success, true);
});
