import type { ToolDef } from "../tools/types.ts";
import { variantEnvs } from "../runners/run.ts";
import { variantsFor } from "../variants/mod.ts";
import type { TrainingSpec } from "./spec.ts";
import type { ChatExample } from "./tokenize.ts";

/** Tool and parameter names of a tool list (OpenAI-style or tooltrial's own). */
export function interfaceNames(
  tools: readonly (ToolDef | ChatExample["tools"][number])[],
): string[] {
  return tools.flatMap((t) => {
    const f = "function" in t ? t.function : t;
    const props = (f.parameters as { properties?: Record<string, unknown> })?.properties ?? {};
    return [f.name, ...Object.keys(props)];
  });
}

/**
 * The names evaluation will show that training must never see: every tool and parameter name of
 * the evaluated perturbed interfaces (each evaluation variant × evaluation seed × environment) that
 * is not a clean name of some environment. Maps each name to where evaluation uses it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadTraining } from "./spec.ts";
 * import { evaluatedNames } from "./leakage.ts";
 * const t = await loadTraining("training/toolmaster-mini.yaml");
 * assert.ok(evaluatedNames(t).size > 0);
 * ```
 */
export function evaluatedNames(spec: TrainingSpec): Map<string, string> {
  const suite = spec.suite;
  const envOf = variantEnvs(suite);
  const clean = new Set<string>();
  for (const env of suite.envs) {
    const v = variantsFor(suite, env)[0];
    for (const n of interfaceNames(envOf(env.name, v, 0).tools)) clean.add(n);
  }
  const out = new Map<string, string>();
  for (const env of suite.envs) {
    for (const v of variantsFor(suite, env)) {
      if (v.ops.length === 0 || !spec.evaluation.variants.includes(v.name)) continue;
      for (const seed of spec.evaluation.seeds) {
        for (const n of interfaceNames(envOf(env.name, v, seed).tools)) {
          if (!clean.has(n) && !out.has(n)) out.set(n, `${env.name} · ${v.name} · seed ${seed}`);
        }
      }
    }
  }
  return out;
}

/** A name in training data that an evaluated interface also uses. */
export interface Leak {
  /** 1-based line of the JSONL example (or index + 1). */
  line: number;
  name: string;
  /** Where evaluation uses it: `env · variant · seed N`. */
  where: string;
}

/**
 * Every training example's tool and parameter names that appear in `evaluated`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findLeaks } from "./leakage.ts";
 * const ex = { messages: [], tools: [{ type: "function" as const,
 *   function: { name: "koob_teg", description: "", parameters: { properties: { di: {} } } } }] };
 * const leaks = findLeaks([ex], new Map([["koob_teg", "library · renamed · seed 0"]]));
 * assert.ok(leaks.length === 1 && leaks[0].name === "koob_teg");
 * ```
 */
export function findLeaks(
  examples: readonly Pick<ChatExample, "tools">[],
  evaluated: ReadonlyMap<string, string>,
): Leak[] {
  const out: Leak[] = [];
  examples.forEach((ex, i) => {
    for (const name of new Set(interfaceNames(ex.tools))) {
      const where = evaluated.get(name);
      if (where) out.push({ line: i + 1, name, where });
    }
  });
  return out;
}
