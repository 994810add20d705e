import type { EnvSpec, SuiteSpec, VariantSpec } from "../spec/types.ts";
import { CLEAN } from "./apply.ts";

/**
 * The variants an environment runs under in a suite: `clean`, then the suite's variants, with an
 * env file's variant of the same name replacing the suite's for that environment, then the env
 * file's other variants.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { variantsFor } from "./select.ts";
 * import type { EnvSpec, SuiteSpec } from "../spec/types.ts";
 * const names = variantsFor({ variants: [{ name: "renamed", ops: [] }] } as unknown as SuiteSpec, { variants: [] } as unknown as EnvSpec)
 *   .map((v) => v.name);
 * assert.ok(names.join() === "clean,renamed");
 * ```
 */
export function variantsFor(
  suite: Pick<SuiteSpec, "variants">,
  env: Pick<EnvSpec, "variants">,
): VariantSpec[] {
  const own = new Map(env.variants.map((v) => [v.name, v]));
  const out: VariantSpec[] = [CLEAN];
  for (const v of suite.variants) out.push(own.get(v.name) ?? v);
  for (const v of env.variants) if (!suite.variants.some((s) => s.name === v.name)) out.push(v);
  return out;
}
