/**
 * Variant wrapper overhead per tool call: every gold call of the built-in suite stepped through the
 * unwrapped environment, through the `clean` variant (the wrapper with no operators), and through
 * three stacked operators that each touch every call (rename_tools, rename_params, version_drift),
 * side by side in interleaved rounds. `deno task perf` prints medians and ratios.
 */
import { loadSuite } from "../spec/mod.ts";
import type { Call, EnvSpec, State, VariantSpec } from "../spec/types.ts";
import { declarativeEnv } from "../tools/mod.ts";
import type { Env } from "../tools/types.ts";
import { applyVariant, CLEAN } from "../variants/mod.ts";
import { interleavedMedians } from "./rounds.ts";

const suite = await loadSuite("suite.yaml");
const bases = suite.envs.map(declarativeEnv);
const STACKED: VariantSpec = {
  name: "stacked",
  ops: [
    { op: "rename_tools", options: { level: "medium" } },
    { op: "rename_params", options: { level: "medium" } },
    { op: "version_drift", options: { rate: 1 } },
  ],
};

/** Each env's gold calls, already in the names the env (or variant) expects. */
function workload(
  wrap: (base: Env) => Env & { toVisible?: (c: Call) => Call },
): { env: Env; tasks: string[][] }[] {
  return suite.envs.map((spec: EnvSpec, i) => {
    const env = wrap(bases[i]);
    return {
      env,
      tasks: spec.tasks.map((t) =>
        t.gold.map((g) => {
          const c = env.toVisible ? env.toVisible(g) : g;
          return JSON.stringify([c.tool, c.args]);
        })
      ),
    };
  });
}

/** The same tools answering instantly (echo): isolates the wrapper's own cost per call. */
const echo = (b: Env): Env => ({
  name: b.name,
  tools: b.tools,
  initialState: b.initialState,
  step: (state, call) =>
    Promise.resolve({ state, observation: { ok: true, result: call.arguments } }),
});
const prepared = {
  unwrapped: workload((b) => b),
  clean: workload((b) => applyVariant(b, CLEAN, { seed: 0, pool: bases })),
  stacked: workload((b) => applyVariant(b, STACKED, { seed: 0, pool: bases })),
  echo: workload(echo),
  echoStacked: workload((b) => applyVariant(echo(b), STACKED, { seed: 0, pool: bases })),
};
const calls = suite.envs.reduce((n, e) => n + e.tasks.reduce((m, t) => m + t.gold.length, 0), 0);

async function steps(w: { env: Env; tasks: string[][] }[]) {
  let failed = 0;
  for (const { env, tasks } of w) {
    for (const task of tasks) {
      let state: State = env.initialState;
      for (const [i, c] of task.entries()) {
        const [name, args] = JSON.parse(c);
        const r = await env.step(state, { id: `c${i}`, name, arguments: JSON.stringify(args) });
        if (!r.observation.ok) failed++;
        state = r.state;
      }
    }
  }
  if (failed > 0) throw new Error(`${failed} gold calls failed: the workload is wrong`);
}

const cases: [string, () => Promise<void>][] = [
  ["unwrapped Env.step", () => steps(prepared.unwrapped)],
  ["clean variant (wrapper, no operators)", () => steps(prepared.clean)],
  ["3 stacked operators", () => steps(prepared.stacked)],
  ["echo tools, unwrapped", () => steps(prepared.echo)],
  ["echo tools, 3 stacked operators", () => steps(prepared.echoStacked)],
];

const rounds = Number(Deno.env.get("ROUNDS") ?? 15);
const medians = await interleavedMedians(cases, rounds);
const [bare, clean, , echoBare] = medians;
console.log(
  `\nvariant wrapper overhead: ${calls} gold calls per round, ${rounds} interleaved rounds, medians`,
);
console.log(
  "| path | ms / round | µs / call | ratio to unwrapped | ratio to clean |\n| :-- | --: | --: | --: | --: |",
);
for (const [i, [name]] of cases.entries()) {
  const m = medians[i];
  const [base, baseClean] = i < 3 ? [bare, clean] : [echoBare, NaN];
  console.log(
    `| ${name} | ${m.toFixed(1)} | ${((m / calls) * 1000).toFixed(1)} | ${
      (m / base).toFixed(2)
    }× | ${Number.isNaN(baseClean) ? "–" : `${(m / baseClean).toFixed(2)}×`} |`,
  );
}
console.log(
  "Echo rows: the same calls against tools that answer instantly — the wrapper's own cost per call.",
);
