import { taskInitialState } from "../spec/mod.ts";
import type { State, TaskSpec } from "../spec/types.ts";
import type { Env } from "../tools/mod.ts";

/** The state a task's gold calls give, or why they could not be run. */
export type GoldState = { state: State } | { error: string };

/** Replays of pure environments (no `open`): one per (environment, task), shared by every episode. */
const replays = new WeakMap<Env, WeakMap<TaskSpec, Promise<GoldState>>>();

/**
 * Run a task's gold calls, in order, on the task's initial state in the canonical environment
 * `env` (unwrapped: no variant between), for a `db: replay` check. An environment with external
 * state gets a lease of its own for it. A gold call that fails gives `{error}`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadEnv } from "../spec/mod.ts";
 * import { declarativeEnv } from "../tools/mod.ts";
 * import { goldState } from "./gold_state.ts";
 * const spec = await loadEnv("envs/library");
 * const task = spec.tasks.find((t) => t.gold.some((g) => g.tool === "borrow_book"))!;
 * const r = await goldState(declarativeEnv(spec), task);
 * assert.ok("state" in r && r.state.loans.length > spec.state.loans.length);
 * ```
 */
export function goldState(env: Env, task: TaskSpec): Promise<GoldState> {
  if (env.open) return replay(env, task);
  let byTask = replays.get(env);
  if (!byTask) replays.set(env, byTask = new WeakMap());
  let r = byTask.get(task);
  if (!r) byTask.set(task, r = replay(env, task));
  return r;
}

async function replay(env: Env, task: TaskSpec): Promise<GoldState> {
  let lease;
  try {
    lease = env.open ? await env.open() : undefined;
  } catch (err) {
    return { error: `the environment's servers did not start: ${(err as Error).message}` };
  }
  try {
    let state = taskInitialState(lease?.initialState ?? env.initialState, task);
    for (const [j, g] of task.gold.entries()) {
      const r = await (lease ?? env).step(state, {
        id: `gold_${j}`,
        name: g.tool,
        arguments: g.args,
      });
      if (!r.observation.ok) {
        const e = r.observation.error;
        return { error: `gold call ${j + 1}, ${g.tool}, fails: ${e.kind}: ${e.message}` };
      }
      state = r.state;
    }
    return { state };
  } finally {
    await lease?.close();
  }
}
