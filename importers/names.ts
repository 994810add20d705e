/** Tool names every OpenAI-compatible API accepts (and tooltrial's env schema too). */
const VALID = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/**
 * A tool name for a function name that APIs may refuse (BFCL's `math.factorial`): characters
 * outside `[A-Za-z0-9_-]` become `_`, a leading digit or `-` gets a `f_` prefix, and a name
 * already in `taken` gets `_2`, `_3`, …; the result is added to `taken`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toolName } from "./names.ts";
 * const taken = new Set<string>();
 * assert.ok(toolName("math.factorial", taken) === "math_factorial");
 * assert.ok(toolName("math_factorial", taken) === "math_factorial_2");
 * ```
 */
export function toolName(original: string, taken: Set<string>): string {
  let base = original.replace(/[^A-Za-z0-9_-]/g, "_");
  if (!/^[A-Za-z_]/.test(base)) base = `f_${base}`;
  base = base.slice(0, 60);
  let name = base;
  for (let i = 2; taken.has(name) || !VALID.test(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

/**
 * An env name (`^[a-z][a-z0-9_-]*$`) from a file name or a user's choice.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { envName } from "./names.ts";
 * assert.ok(envName("BFCL_v4_simple_python.json") === "bfcl_v4_simple_python");
 * ```
 */
export function envName(s: string): string {
  const base = s.replace(/^.*[\\/]/, "").replace(/\.(jsonl?|ya?ml)$/i, "").toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-").replace(/^[^a-z]+/, "").replace(/-+$/, "");
  return base || "imported";
}

/** A task id (`^[A-Za-z0-9][A-Za-z0-9_.-]*$`) from an input id. */
export function taskId(s: string): string {
  const id = s.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "");
  return id || "task";
}
