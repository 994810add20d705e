import { type Level, type NameStyle, renamePlan } from "../names.ts";
import { renameLayer } from "../rename.ts";
import type { Operator } from "../types.ts";
import { type TargetOptions, targets } from "./common.ts";

/** Options of `rename_tools`. */
export interface RenameOptions extends TargetOptions {
  level?: Level;
  style?: NameStyle;
}

/** Rename tools at a RoTBench noise level; descriptions and errors use the new names. */
export const renameTools: Operator = {
  name: "rename_tools",
  summary:
    "rename tools: slight (typos), medium (reversed/random), heavy (shuffled/ids); style rotbench: RoTBench's own",
  examples: [{ level: "slight" }, { level: "medium" }, { level: "heavy" }, {
    level: "slight",
    style: "rotbench",
  }, { level: "medium", style: "rotbench" }],
  apply(inner, options, ctx) {
    const o = options as RenameOptions;
    const chosen = targets(inner, o, ctx);
    const plan = renamePlan(chosen, {
      level: o.level ?? "medium",
      style: o.style,
      rng: ctx.rng,
      taken: ctx.taken,
      prefix: "tool",
      randomLength: 10,
    });
    return renameLayer(inner, { tools: plan });
  },
};
