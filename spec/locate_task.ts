import type { SpecIssue } from "./errors.ts";
import { readSpecFile } from "./files.ts";
import type { EnvSpec } from "./types.ts";
import { type Located, parseYaml } from "./yaml.ts";

/** Makes a located issue about one task of a loaded environment. */
export type TaskIssueMaker = (
  env: EnvSpec,
  task: string,
  issue: { pointer: string; message: string; hint?: string },
) => Promise<SpecIssue>;

/**
 * Locate problems found in a task after loading (by replaying it, say): `pointer` is relative to
 * the task (`/gold/1`, `/check/state`) and comes back as file:line:col and the task's absolute
 * pointer. The env file is read again only when there is something to locate, once per file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadEnv } from "./load_env.ts";
 * import { taskIssues } from "./locate_task.ts";
 * const env = await loadEnv("testdata/good/mini.yaml");
 * const issue = await taskIssues()(env, "mini-2", { pointer: "/check/state", message: "m" });
 * assert.ok(issue.pointer === "/tasks/1/check/state" && issue.line > 1);
 * ```
 */
export function taskIssues(): TaskIssueMaker {
  const docs = new Map<string, Promise<Located | undefined>>();
  const docOf = (file: string) => {
    let d = docs.get(file);
    if (!d) {
      d = readSpecFile(file, { what: "environment spec" }).then((text) => parseYaml(text, file))
        .catch(() => undefined);
      docs.set(file, d);
    }
    return d;
  };
  return async (env, task, { pointer, message, hint }) => {
    const doc = await docOf(env.file);
    const tasks = (doc?.value as { tasks?: { id?: unknown }[] } | undefined)?.tasks ?? [];
    const i = tasks.findIndex((t) => t?.id === task);
    const at = i < 0 ? "" : `/tasks/${i}${pointer}`;
    return {
      file: env.file,
      pointer: at,
      ...(doc ? doc.locate(at) : { line: 1, col: 1 }),
      message: `task ${task}: ${message}`,
      hint,
    };
  };
}
