import type { State, TaskSpec } from "./types.ts";

/**
 * The state a task starts from: the environment's (`base`), with the task's own tables merged
 * over it table by table — a task table replaces the environment's table of that name, a new
 * name adds a table. A task without `state:` starts from `base` itself (the same object).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { taskInitialState } from "./task_state.ts";
 * const base = { todos: [{ id: "t1" }], tags: [] };
 * const task = { state: { todos: [{ id: "t9" }], notes: [{ text: "hi" }] } };
 * const s = taskInitialState(base, task);
 * assert.ok(s.todos[0].id === "t9" && s.tags === base.tags && s.notes.length === 1);
 * assert.ok(taskInitialState(base, {}) === base);
 * ```
 */
export function taskInitialState(base: State, task: Pick<TaskSpec, "state">): State {
  return task.state ? { ...base, ...task.state } : base;
}
