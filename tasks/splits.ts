import { toolPattern } from "../spec/load_suite.ts";
import { EPISODE_SPLITS } from "../spec/split_names.ts";
import type { EnvSpec, EpisodeSplit, SuiteSpec, TaskSpec } from "../spec/types.ts";

/**
 * Where a task stands relative to training in a suite: its environment held out (`unseen_env`),
 * a gold call using a held-out tool family (`unseen_tool`), the task marked `split: unseen`
 * (`unseen_task`), or `seen`. The first that applies wins, in that order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadSuite } from "../spec/mod.ts";
 * import { episodeSplit } from "./splits.ts";
 * const suite = await loadSuite("suite.yaml");
 * const env = suite.envs[0];
 * assert.ok(["seen", "unseen_task", "unseen_env", "unseen_tool"].includes(episodeSplit(suite, env, env.tasks[0])));
 * ```
 */
export function episodeSplit(
  suite: Pick<SuiteSpec, "heldout">,
  env: Pick<EnvSpec, "name">,
  task: TaskSpec,
): EpisodeSplit {
  if (suite.heldout.envs.includes(env.name)) return "unseen_env";
  const patterns = suite.heldout.tools.map(toolPattern);
  if (task.gold.some((c) => patterns.some((p) => p.test(`${env.name}/${c.tool}`)))) {
    return "unseen_tool";
  }
  return task.split === "unseen" ? "unseen_task" : "seen";
}

/** Every task training may use: `seen` ones only (no held-out env, tool family or unseen task). */
export function trainingTasks(suite: SuiteSpec): { env: EnvSpec; task: TaskSpec }[] {
  return suite.envs.flatMap((env) =>
    env.tasks.filter((task) => episodeSplit(suite, env, task) === "seen").map((task) => ({
      env,
      task,
    }))
  );
}

/** All split names, in report order. */
export const SPLITS: readonly EpisodeSplit[] = EPISODE_SPLITS;
