/**
 * Declarative tool-call overhead: the runner's path vs. a bare loop of (ajv validate + JSONata
 * evaluate) over the same gold calls of the built-in suite, side by side in one run.
 * `deno task perf` prints medians and the ratio to the floor. (A script rather than Deno.bench:
 * interleaved rounds are steadier on a noisy machine, and Deno.bench's thousands of iterations of
 * a 150 ms body ran out of heap.)
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import jsonata from "jsonata";
import { exprLimits, FIXED_NOW, loadSuite } from "../spec/mod.ts";
import { compileExpr } from "../spec/expr.ts";
import type { Row, State } from "../spec/types.ts";
import { declarativeEnv } from "../tools/mod.ts";
import { runEpisode } from "../runners/episode.ts";
import { replayAgent } from "../runners/agents/replay.ts";
import { interleavedMedians } from "./rounds.ts";

const suite = await loadSuite("suite.yaml");
const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });

type JsonataOptions = Parameters<typeof jsonata>[1];

/** JSONata compiled directly, with the same fixed clock the runner uses (so both do the same work). */
function compile(source: string, options?: JsonataOptions) {
  const e = jsonata(source, options);
  e.assign("now", () => new Date(FIXED_NOW).toISOString());
  e.assign("millis", () => FIXED_NOW);
  return e;
}

type Evaluator = { evaluate(input: unknown, bindings?: Record<string, unknown>): Promise<unknown> };

/**
 * The floor: the same validators and expressions, compiled directly, no runner around them —
 * by jsonata alone, or (`fast`) by tooltrial's expression compiler (fast path, then jsonata).
 */
function compileBare(options?: JsonataOptions, fast = false) {
  const c = (src: string): Evaluator => fast ? compileExpr(src) : compile(src, options);
  return suite.envs.map((env) => ({
    env,
    tools: new Map(env.tools.map((t) => [t.name, {
      validate: ajv.compile(t.parameters),
      errors: t.errors.map((e) => c(e.when.source)),
      effect: t.effect.map(([table, e]) => [table, c(e.source)] as const),
      result: t.result ? c(t.result.source) : undefined,
    }])),
  }));
}
const envs = suite.envs.map((e) => ({ spec: e, env: declarativeEnv(e) }));
const calls = suite.envs.reduce((n, e) => n + e.tasks.reduce((m, t) => m + t.gold.length, 0), 0);

/** ajv validate + JSONata evaluate (errors, effect, result) over every gold call, threading state. */
async function bareLoop(bare: ReturnType<typeof compileBare>) {
  for (const { env, tools } of bare) {
    for (const task of env.tasks) {
      let state: State = env.state;
      for (const g of task.gold) {
        const t = tools.get(g.tool)!;
        if (!t.validate(g.args)) continue;
        const input = { state };
        let failed = false;
        for (const e of t.errors) {
          if (await e.evaluate(input, { args: g.args })) {
            failed = true;
            break;
          }
        }
        if (failed) continue;
        if (t.effect.length) {
          const next: Record<string, readonly Row[]> = { ...state };
          for (const [table, e] of t.effect) {
            const rows = await e.evaluate(input, { args: g.args });
            next[table] = (Array.isArray(rows) ? rows : rows == null ? [] : [rows]) as Row[];
          }
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
        state =
          (await env.step(state, { id: `c${i}`, name: g.tool, arguments: JSON.stringify(g.args) }))
            .state;
      }
    }
  }
}

const oracle = replayAgent("oracle");
const direct = { name: "direct", kind: "direct" as const, trialBudget: 0, maxTurns: 64 };
async function fullEpisodes() {
  for (const { spec, env } of envs) {
    for (const task of spec.tasks) {
      await runEpisode(env, task, {
        agent: oracle,
        protocol: direct,
        episode: { id: task.id, seed: 0, sample: 0 },
      });
    }
  }
}

const plain = compileBare();
// The runner must stop runaway expressions, so its JSONata runs with a time and depth limit; this
// row shows how much of the overhead is JSONata's own guard for that.
const limited = compileBare(
  { timeout: exprLimits.timeoutMs, stack: exprLimits.stack } as JsonataOptions,
);

const fastBare = compileBare(undefined, true);

const cases: [string, () => Promise<void>][] = [
  ["bare ajv + JSONata loop (floor)", () => bareLoop(plain)],
  ["bare loop, JSONata with time limit", () => bareLoop(limited)],
  ["bare loop, tooltrial expressions (fast path + JSONata)", () => bareLoop(fastBare)],
  ["Env.step (the runner's tool path)", envStep],
  ["whole episodes (oracle, direct, checks)", fullEpisodes],
];

const rounds = Number(Deno.env.get("ROUNDS") ?? 15);
const medians = await interleavedMedians(cases, rounds);
const floor = medians[0];
console.log(
  `tool-call overhead: ${calls} gold calls per round, ${rounds} interleaved rounds, medians`,
);
console.log("| path | ms / round | µs / call | ratio to floor |\n| :-- | --: | --: | --: |");
for (const [i, [name]] of cases.entries()) {
  const m = medians[i];
  console.log(
    `| ${name} | ${m.toFixed(1)} | ${((m / calls) * 1000).toFixed(0)} | ${
      (m / floor).toFixed(2)
    }× |`,
  );
}
