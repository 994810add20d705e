import { renamePlan } from "../names.ts";
import { renameLayer } from "../rename.ts";
import type { Operator } from "../types.ts";
import { paramNames, TARGET_PROPERTIES, targets, toolsByName } from "./common.ts";
import { RENAME_PROPERTIES, type RenameOptions } from "./rename_tools.ts";

/** Rename parameters at a RoTBench noise level; `heavy` shuffles names among a tool's parameters. */
export const renameParams: Operator = {
  name: "rename_params",
  schema: {
    type: ["object", "null"],
    additionalProperties: false,
    properties: {
      ...TARGET_PROPERTIES,
      ...RENAME_PROPERTIES,
    },
    description: "Rename parameters. Options: level, style, rate, tools.",
  },
  doc: {
    options: "same as `rename_tools`",
    sees:
      'the same levels for parameter names (`{"di_koob": "B1001"}`); heavy shuffles names among one tool\'s parameters',
  },
  summary:
    "rename parameters: slight (typos), medium (reversed/random), heavy (shuffled/ids); style rotbench: RoTBench's own",
  examples: [{ level: "slight" }, { level: "medium" }, { level: "heavy" }, {
    level: "heavy",
    style: "rotbench",
  }],
  apply(inner, options, ctx) {
    const o = options as RenameOptions;
    const params = new Map<string, Map<string, string>>();
    const byName = toolsByName(inner);
    for (const name of targets(inner, o, ctx)) {
      const tool = byName.get(name)!;
      const names = paramNames(tool);
      if (names.length === 0) continue;
      params.set(
        name,
        renamePlan(names, {
          level: o.level ?? "medium",
          style: o.style,
          rng: ctx.rng,
          taken: new Set(names),
          prefix: "arg",
          randomLength: 5,
        }),
      );
    }
    return renameLayer(inner, { params });
  },
};
