/**
 * Declarative tool-call overhead: the runner's path vs. a bare loop of (ajv validate + JSONata
 * evaluate) over the same calls, side by side in one run. `deno task perf` prints the ratio.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import jsonata from "jsonata";
import { loadSuite } from "../spec/mod.ts";
import type { Row, State } from "../spec/types.ts";
import { declarativeEnv } from "../tools/mod.ts";
import { runEpisode } from "../runners/episode.ts";
import { replayAgent } from "../runners/agents/replay.ts";

const suite = await loadSuite("suite.yaml");
const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });

// The floor: the same compiled validators and expressions, no runner around them.
const bare = suite.envs.map((env) => ({
  env,
  tools: new Map(env.tools.map((t) => [t.name, {
    validate: ajv.compile(t.parameters),
    errors: t.errors.map((e) => jsonata(e.when.source)),
    effect: t.effect.map(([table, e]) => [table, jsonata(e.source)] as const),
    result: t.result ? jsonata(t.result.source) : undefined,
  }])),
}));
const envs = suite.envs.map((e) => ({ spec: e, env: declarativeEnv(e) }));
const calls = suite.envs.reduce((n, e) => n + e.tasks.reduce((m, t) => m + t.gold.length, 0), 0);

async function bareLoop() {
  for (const { env, tools } of bare) {
    for (const task of env.tasks) {
      let state: State = env.state;
      for (const g of task.gold) {
        const t = tools.get(g.tool)!;
        if (!t.validate(g.args)) continue;
        const input = { state };
        let failed = false;
        for (const e of t.errors) if (await e.evaluate(input, { args: g.args })) { failed = true; break; }
        if (failed) continue;
        if (t.effect.length) {
          const next: Record<string, readonly Row[]> = { ...state };
          for (const [table, e] of t.effect) next[table] = await e.evaluate(input, { args: g.args }) as Row[];
          state = next;
        }
        if (t.result) await t.result.evaluate({ state }, { args: g.args });
      }
    }
  }
}

async function envStep() {
  for (const { spec, env } of envs) {
    for (const task of spec.tasks) {
      let state = env.initialState;
      for (const [i, g] of task.gold.entries()) {
        state = (await env.step(state, { id: `c${i}`, name: g.tool, arguments: JSON.stringify(g.args) })).state;
      }
    }
  }
}

const oracle = replayAgent("oracle");
const direct = { name: "direct", kind: "direct" as const, trialBudget: 0, maxTurns: 64 };
async function fullEpisodes() {
  for (const { spec, env } of envs) {
    for (const task of spec.tasks) {
      await runEpisode(env, task, { agent: oracle, protocol: direct, episode: { id: task.id, seed: 0, sample: 0 } });
    }
  }
}

console.error(`tool-call overhead: ${calls} gold calls over ${suite.envs.map((e) => e.tasks.length).reduce((a, b) => a + b)} tasks per iteration`);
Deno.bench({ name: "bare ajv + JSONata loop", group: "tool-call", baseline: true, fn: bareLoop });
Deno.bench({ name: "Env.step (runner's tool path)", group: "tool-call", fn: envStep });
Deno.bench({ name: "whole episodes (oracle, direct, with checks)", group: "tool-call", fn: fullEpisodes });
