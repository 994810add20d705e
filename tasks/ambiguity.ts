import type { EnvSpec, TaskSpec } from "../spec/types.ts";

/** One detected problem with a task: which task, and why a correct agent could be marked wrong (or a wrong one right). */
export interface TaskIssue {
  /** The task's id. */
  task: string;
  /** JSON pointer relative to the task: the part that makes it ambiguous. */
  pointer: string;
  /** Why a correct agent could be marked wrong, or a wrong one right. */
  message: string;
}

const norm = (s: string) => s.toLowerCase().replace(/\s+/g, " ").trim();

/**
 * Tasks whose expected answer is not pinned down, as far as the spec alone shows:
 * - the same query twice in an environment (two answers for one question, or a copy) — with the
 *   same simulated user, history and task state, for conversations;
 * - an answer check `contains` a name that is part of two or more different values of one column
 *   of the initial state (e.g. "Glass Orchard" when both "The Glass Orchard" and "The Glass
 *   Orchard Revisited" exist), so an answer naming the wrong one passes too — unless the check
 *   `excludes` the others.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ambiguousTasks } from "./ambiguity.ts";
 * import { loadEnv } from "../spec/mod.ts";
 * assert.ok(ambiguousTasks(await loadEnv("envs/library")).length === 0);
 * ```
 */
export function ambiguousTasks(env: EnvSpec): TaskIssue[] {
  const issues: TaskIssue[] = [];
  const byQuery = new Map<string, TaskSpec>();
  for (const t of env.tasks) {
    // Conversations that open alike but differ in what the user holds or where they start are
    // different tasks.
    const k = t.user || t.history || t.state
      ? `${norm(t.query)}\u0000${JSON.stringify([t.user, t.history, t.state])}`
      : norm(t.query);
    const first = byQuery.get(k);
    if (first) {
      issues.push({
        task: t.id,
        pointer: "/query",
        message: `same query as ${first.id}${
          first.answer === t.answer ? "" : " but a different reference answer"
        }`,
      });
    } else byQuery.set(k, t);
  }
  // Distinct string values per column, across all tables.
  const columns = new Map<string, Set<string>>();
  for (const [table, rows] of Object.entries(env.state)) {
    for (const row of rows) {
      for (const [col, v] of Object.entries(row)) {
        if (typeof v !== "string") continue;
        const key = `${table}.${col}`;
        if (!columns.has(key)) columns.set(key, new Set());
        columns.get(key)!.add(v);
      }
    }
  }
  for (const t of env.tasks) {
    const excludes = (t.check.answer?.excludes ?? []).map((e) => e.toLowerCase());
    for (const needle of t.check.answer?.contains ?? []) {
      const n = needle.toLowerCase();
      // Dates, ids and numbers are not names: only needles with letters and some length.
      if (n.length < 4 || !/\p{L}{3}/u.test(n)) continue;
      // A needle that is itself a value (a city, a condition) is judged within its own column.
      const own = [...columns].filter(([, values]) =>
        [...values].some((v) => v.toLowerCase() === n)
      );
      for (const [col, values] of own.length > 0 ? own : columns) {
        const hits = [...values].filter((v) => v.toLowerCase().includes(n));
        const others = hits.filter((v) => !excludes.some((e) => v.toLowerCase().includes(e)));
        if (others.length >= 2 && hits.some((v) => v.toLowerCase() !== n)) {
          issues.push({
            task: t.id,
            pointer: "/check/answer/contains",
            message:
              `answer check contains "${needle}", which matches ${others.length} different ${col} values (${
                others.slice(0, 3).map((v) => JSON.stringify(v)).join(", ")
              }${others.length > 3 ? ", …" : ""}): an answer naming the wrong one passes too`,
          });
          break;
        }
      }
    }
  }
  return issues;
}
