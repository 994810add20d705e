import { taskInitialState } from "../spec/mod.ts";
import type { Call, EnvSpec, State, SuiteSpec, TaskSpec, VariantSpec } from "../spec/types.ts";
import { checkPointer, checkTask } from "../tasks/mod.ts";
import {
  Backends,
  declarativeEnv,
  type Env,
  type Observation,
  type StepResult,
} from "../tools/mod.ts";
import { applyVariant, variantsFor } from "../variants/mod.ts";
import type { VariantEnv } from "../variants/types.ts";
import { MAX_RETRIES } from "./agents/common.ts";
import { questionFor } from "./agents/converse.ts";
import { observationText } from "./episode.ts";
import { goldState } from "./gold_state.ts";
import { scriptedUserState } from "./user_sim.ts";

/** Something wrong with a task, found by replaying it: where in the task, under which variants. */
export interface TaskFault {
  /** The environment the task belongs to. */
  env: EnvSpec;
  /** The task. */
  task: TaskSpec;
  /** JSON pointer relative to the task: `/gold/1`, `/check/state`, `/check/answer/contains`. */
  at: string;
  /** What went wrong, with the values that made it fail. */
  message: string;
  /** The variants it happened under, in suite order (`clean` first). */
  variants: string[];
  /** How many variants the task was replayed under. */
  of: number;
}

/** A gold call's result under the clean variant, for grounding checks. */
export interface GoldResult {
  /** The gold call's tool (canonical name). */
  tool: string;
  /** The result as the agent reads it (JSON text). */
  text: string;
}

/** What replaying a set of environments found. */
export interface ReplayReport {
  /** Each problem found, once per place in a task. */
  faults: TaskFault[];
  /** Tasks not replayed, with the reason (e.g. a gold call on an MCP server's tool). */
  skipped: { env: string; task: string; reason: string }[];
  /** Per `env/task`: what the gold calls returned under `clean` (tasks that replayed cleanly). */
  results: Map<string, GoldResult[]>;
  /** Episodes replayed (task × variant × seed). */
  replayed: number;
}

/**
 * The variants `validate` replays a bare environment under (a suite brings its own): one of each
 * operator family, the same as the built-in suites' — renames at every level, reordered, reworded
 * and dropped docs, deprecation, version drift with new required parameters, and distractors
 * with faults and text results.
 */
export const DEFAULT_VARIANTS: readonly VariantSpec[] = [
  {
    name: "typos",
    ops: [
      { op: "rename_tools", options: { level: "slight" } },
      { op: "rename_params", options: { level: "slight" } },
    ],
  },
  {
    name: "renamed",
    ops: [
      { op: "rename_tools", options: { level: "medium" } },
      { op: "rename_params", options: { level: "medium" } },
      { op: "reorder_params", options: {} },
    ],
  },
  { name: "shuffled", ops: [{ op: "rename_tools", options: { level: "heavy" } }] },
  {
    name: "doc_drift",
    ops: [
      { op: "paraphrase_descriptions", options: {} },
      { op: "drop_descriptions", options: { rate: 0.5 } },
    ],
  },
  { name: "deprecated", ops: [{ op: "deprecate", options: { rate: 0.5 } }] },
  {
    name: "v2",
    ops: [
      { op: "version_drift", options: { rate: 0.5 } },
      { op: "extra_required_param", options: { rate: 0.5 } },
    ],
  },
  {
    name: "noisy",
    ops: [
      { op: "distractor_tools", options: { count: 4 } },
      { op: "faults", options: { rate: 0.15 } },
      { op: "output_format", options: { format: "text" } },
    ],
  },
];

/**
 * Replay every task the way the `oracle` does — its question to a simulated user who holds facts,
 * its gold calls mapped through the variant (`toVisible`), a call that hits a transient fault
 * retried, then the task's reference answer — on a fresh copy of the task's initial state, under
 * `clean` and every variant, and check the outcome with the task's own checks (`db: replay`
 * compares with the gold calls run on the unwrapped environment). Every gold call must succeed
 * and every check must pass.
 *
 * Tools run on their real backends where that is cheap: JSONata, handler sandboxes (when the
 * process may run subprocesses), HTTP cassettes. Tasks whose gold calls need an MCP server are
 * skipped (and listed): starting one per environment costs seconds; `bench` runs them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadEnv } from "../spec/mod.ts";
 * import { replayTasks } from "./replay_tasks.ts";
 * const r = await replayTasks([await loadEnv("envs/library")]);
 * assert.ok(r.faults.length === 0 && r.replayed > 0);
 * ```
 */
export async function replayTasks(
  envs: readonly EnvSpec[],
  opts: { suite?: SuiteSpec } = {},
): Promise<ReplayReport> {
  const report: ReplayReport = { faults: [], skipped: [], results: new Map(), replayed: 0 };
  // A handler sandbox is a subprocess: without run permission (`deno task validate`) its tasks
  // are skipped, not failed.
  const canRun = Deno.permissions.querySync?.({ name: "run" }).state === "granted";
  const needsBackends = (e: EnvSpec) =>
    (canRun && Object.keys(e.handlers).length > 0) ||
    e.tools.some((t) => t.backend.kind === "http");
  const backends = envs.some(needsBackends) ? new Backends() : undefined;
  try {
    const bases: Env[] = await Promise.all(
      envs.map((e) => needsBackends(e) ? backends!.env(e) : memoized(declarativeEnv(e))),
    );
    const seeds = opts.suite?.seeds ?? [0];
    for (const [i, spec] of envs.entries()) {
      const variants = variantsFor(opts.suite ?? { variants: [...DEFAULT_VARIANTS] }, spec);
      const kinds = new Map(spec.tools.map((t) => [t.name, t.backend.kind]));
      const deferred = new Set(spec.deferredGold.map((d) => `${d.task}\u0000${d.tool}`));
      const tasks = spec.tasks.filter((t) => {
        const reason = skipReason(t, kinds, deferred, canRun);
        if (reason) report.skipped.push({ env: spec.name, task: t.id, reason });
        return !reason;
      });
      const faults = new Map<string, TaskFault>();
      for (const variant of variants) {
        for (const seed of seeds) {
          const env = applyVariant(bases[i], variant, { seed, pool: bases });
          for (const task of tasks) {
            report.replayed++;
            const r = await replayTask(env, task);
            if (variant.name === "clean" && r.faults.length === 0) {
              report.results.set(`${spec.name}/${task.id}`, r.results);
            }
            for (const f of r.faults) {
              // One report per place in the task, with the first variant's message (clean's, if it fails).
              const key = `${task.id}\u0000${f.at}`;
              const seen = faults.get(key);
              if (seen) {
                if (!seen.variants.includes(variant.name)) seen.variants.push(variant.name);
              } else {
                faults.set(key, {
                  env: spec,
                  task,
                  ...f,
                  variants: [variant.name],
                  of: variants.length,
                });
              }
            }
          }
        }
      }
      report.faults.push(...faults.values());
    }
  } finally {
    await backends?.close();
  }
  return report;
}

/**
 * Why a task cannot be replayed here, or undefined. `kinds`: each tool's backend kind by name;
 * `deferred`: the env's gold calls on server tools (`task\0tool`) — both built once per env (a
 * lookup per gold call, not a scan of 10,000 tools).
 */
function skipReason(
  task: TaskSpec,
  kinds: ReadonlyMap<string, string>,
  deferred: ReadonlySet<string>,
  canRun: boolean,
): string | undefined {
  const kind = (g: Call) => kinds.get(g.tool);
  const mcp = task.gold.some((g) => kind(g) === "mcp" || deferred.has(`${task.id}\u0000${g.tool}`));
  if (mcp) {
    return "gold calls on an MCP server's tools (validate does not start servers; bench does)";
  }
  if (!canRun && task.gold.some((g) => kind(g) === "handler")) {
    return "gold calls on handler tools, whose sandbox needs --allow-run (deno task tooltrial validate has it)";
  }
  return undefined;
}

/**
 * A JSONata environment that answers a call it has already answered from the same state with the
 * same result. Sound because its tools are pure functions of (state, call) and states are never
 * mutated (an effect makes a new state object): every variant's replay of a task reaches the base
 * with the same canonical calls from the same states, so the clean replay computes them once.
 */
function memoized(base: Env): Env {
  const memo = new WeakMap<State, Map<string, Promise<StepResult>>>();
  return {
    ...base,
    step(state, call) {
      let calls = memo.get(state);
      if (!calls) memo.set(state, calls = new Map());
      const key = `${call.name}\u0000${
        typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments)
      }`;
      let r = calls.get(key);
      if (!r) calls.set(key, r = base.step(state, call));
      return r;
    },
  };
}

/** One replay: the oracle's calls (ids as the oracle numbers them), then its answer, checked. */
async function replayTask(
  env: VariantEnv,
  task: TaskSpec,
): Promise<{ faults: { at: string; message: string }[]; results: GoldResult[] }> {
  const lease = env.open ? await env.open() : undefined;
  let state: State = taskInitialState(lease?.initialState ?? env.initialState, task);
  const succeeded: Call[] = [];
  const results: GoldResult[] = [];
  let seq = 0;
  try {
    for (const [j, gold] of task.gold.entries()) {
      const call = env.toVisible(gold);
      let obs: Observation;
      let retries = 0;
      for (;;) {
        const r = await (lease ?? env).step(state, {
          id: `oracle_${seq++}`,
          name: call.tool,
          arguments: call.args,
        });
        state = r.state;
        obs = r.observation;
        const transient = !obs.ok && obs.error.kind === "unavailable" &&
          (obs.error.details as { fault?: string } | undefined)?.fault !== undefined;
        if (!transient || retries++ >= MAX_RETRIES) {
          if (obs.ok) succeeded.push(r.canonical ?? gold);
          break;
        }
      }
      if (!obs.ok) {
        const shown = call.tool === gold.tool ? gold.tool : `${gold.tool} (shown as ${call.tool})`;
        return {
          faults: [{
            at: `/gold/${j}`,
            message: `gold call ${j + 1}, ${shown}, fails: ${obs.error.kind}: ${obs.error.message}`,
          }],
          results,
        };
      }
      results.push({ tool: gold.tool, text: observationText(obs) });
    }
    // What the oracle writes to the user: its question for the user's facts, then its answer.
    const question = task.user && questionFor(task.user);
    const said = [...(question ? [question] : []), task.answer];
    const verdict = await checkTask(task, task.answer, state, {
      calls: succeeded,
      messages: said,
      ...(task.check.db ? { expected: await goldState(env.base, task) } : {}),
      ...(env.base.user ? { userState: await scriptedUserState(env.base.user, task) } : {}),
    });
    const faults = verdict.checks.filter((c) => !c.passed && !c.advisory).map((c) => {
      const at = checkPointer(c);
      const ofAnswer = at.startsWith("/check/answer/");
      return {
        at,
        message: `${ofAnswer ? `answer ${c.name}` : c.name} check fails${
          c.name === "communicate"
            ? ` on the oracle's messages ${JSON.stringify(said)}`
            : ofAnswer
            ? ` on the reference answer ${JSON.stringify(task.answer)}`
            : c.name === "user_state"
            ? " after the scripted user's calls (user: calls:)"
            : " after the gold calls"
        }: ${c.detail ?? "false"}`,
      };
    });
    return { faults, results };
  } finally {
    await lease?.close();
  }
}
