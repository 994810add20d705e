import type { TaskSpec } from "./types.ts";

/** FNV-1a, 32 bits: a stable order for sampling that does not depend on file order. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (const ch of new TextEncoder().encode(s)) {
    h ^= ch;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * At most `n` tasks of one environment: a deterministic sample, stratified by split (seen and
 * unseen keep their proportions, each at least one when present), picked by a hash of the env name
 * and task id, and returned in file order. The same suite always runs the same tasks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sampleTasks } from "./task_sample.ts";
 * const t = (id: string, split: "seen" | "unseen") =>
 *   ({ id, env: "e", query: id, split, tags: [], gold: [], answer: "", check: {} });
 * const tasks = [t("a", "seen"), t("b", "seen"), t("c", "seen"), t("d", "unseen")];
 * const picked = sampleTasks(tasks, 2);
 * assert.ok(picked.length === 2 && picked.some((x) => x.split === "unseen"));
 * ```
 */
export function sampleTasks(tasks: readonly TaskSpec[], n: number): TaskSpec[] {
  if (tasks.length <= n) return [...tasks];
  const unseen = tasks.filter((t) => t.split === "unseen");
  let k = Math.round((n * unseen.length) / tasks.length);
  if (unseen.length > 0 && k === 0) k = 1;
  if (unseen.length < tasks.length && k === n) k = n - 1;
  const pick = (xs: readonly TaskSpec[], m: number) =>
    [...xs].sort((a, b) =>
      fnv1a(`${a.env}/${a.id}`) - fnv1a(`${b.env}/${b.id}`) || (a.id < b.id ? -1 : 1)
    )
      .slice(0, m);
  const chosen = new Set([
    ...pick(unseen, k),
    ...pick(tasks.filter((t) => t.split === "seen"), n - k),
  ]);
  return tasks.filter((t) => chosen.has(t));
}
