import { type SpecIssue, taskIssues } from "../spec/mod.ts";
import type { EnvSpec, SuiteSpec } from "../spec/types.ts";
import { ambiguousTasks, ungroundedValues } from "../tasks/mod.ts";
import { replayTasks } from "./replay_tasks.ts";

/** What `validate` found beyond the schema: located problems with tasks, and what it left out. */
export interface TaskAudit {
  /** Every problem, located in its env file. */
  issues: SpecIssue[];
  /** Tasks not replayed, and why. */
  skipped: { env: string; task: string; reason: string }[];
  /** Episodes replayed (task × variant × seed). */
  replayed: number;
}

/**
 * Prove each task right, as far as running it shows (what `tooltrial validate` does after
 * loading): replay it under clean and every variant (`replayTasks`), require every value its
 * answer check expects to be in the gold calls' results or the query (`ungroundedValues`), and
 * reject ambiguous tasks (`ambiguousTasks`). Every problem is located at the task's gold call or
 * check in its env file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadEnv } from "../spec/mod.ts";
 * import { auditTasks } from "./audit_tasks.ts";
 * const audit = await auditTasks([await loadEnv("testdata/good/mini.yaml")]);
 * assert.ok(audit.issues.length === 0 && audit.replayed === 16);
 * ```
 */
export async function auditTasks(
  envs: readonly EnvSpec[],
  opts: { suite?: SuiteSpec } = {},
): Promise<TaskAudit> {
  const locate = taskIssues();
  const issues: Promise<SpecIssue>[] = [];
  const replay = await replayTasks(envs, opts);
  for (const f of replay.faults) {
    const under = f.variants.length === f.of && f.of > 1
      ? `clean and every variant (${f.variants.slice(1).join(", ")})`
      : f.variants.join(", ");
    issues.push(locate(f.env, f.task.id, {
      pointer: f.at,
      message: `under ${under}: ${f.message}`,
      hint: f.at.startsWith("/gold")
        ? "fix the gold call (tool, arguments, order), or the tool rule that refuses it"
        : "fix the check or the reference answer (answer:), or the gold calls if they do not do what the check expects",
    }));
  }
  for (const env of envs) {
    for (const task of env.tasks) {
      const results = replay.results.get(`${env.name}/${task.id}`);
      if (!results) continue;
      for (const u of ungroundedValues(task, { results })) {
        issues.push(locate(env, task.id, {
          pointer: u.pointer,
          message: u.message,
          hint:
            "fix the expected value or the data; if the answer is computed from the results (a sum, a difference), say so with tags: [compute] or grounded: false",
        }));
      }
    }
    for (const a of ambiguousTasks(env)) {
      issues.push(locate(env, a.task, {
        pointer: a.pointer,
        message: a.message,
        hint: a.pointer === "/query"
          ? "give each task its own question"
          : "name the entity exactly, or add the other values to excludes:",
      }));
    }
  }
  return { issues: await Promise.all(issues), skipped: replay.skipped, replayed: replay.replayed };
}
