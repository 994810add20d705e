import { type Level, type NameStyle, renamePlan } from "../names.ts";
import { renameLayer } from "../rename.ts";
import type { Operator } from "../types.ts";
import { TARGET_PROPERTIES, type TargetOptions, targets } from "./common.ts";

/** Options of `rename_tools`. */
export interface RenameOptions extends TargetOptions {
  level?: Level;
  style?: NameStyle;
}

/** The JSON Schema properties of `RenameOptions` beside `TARGET_PROPERTIES` (rename_params takes them too). */
export const RENAME_PROPERTIES = {
  level: {
    enum: ["slight", "medium", "heavy"],
    description:
      "RoTBench noise level: slight (character edits), medium (reversed or random names), heavy (names shuffled among tools, or meaningless ids). Default medium.",
  },
  style: {
    enum: ["edit", "reverse", "random", "shuffle", "ids", "rotbench"],
    description:
      "Force one way of renaming instead of drawing per name from the level's styles; rotbench follows RoTBench's definition of the level (slight: 1 to ceil(l/3)-1 letter edits anywhere; medium: reversed or random letters; heavy: shuffled).",
  },
};

/** Rename tools at a RoTBench noise level; descriptions and errors use the new names. */
export const renameTools: Operator = {
  name: "rename_tools",
  schema: {
    type: ["object", "null"],
    additionalProperties: false,
    properties: {
      ...TARGET_PROPERTIES,
      ...RENAME_PROPERTIES,
    },
    description: "Rename tools. Options: level, style, rate, tools.",
  },
  doc: {
    options: "`level` slight/medium/heavy (medium), `style`, `rate` (1), `tools`",
    sees:
      "RoTBench's noise levels. slight: a character-level typo (`get_bpok`); medium: the name reversed or a random word (`koob_teg`, `tupotiso`); heavy: names dealt out among the tools (`get_book` now names `return_book`'s tool) or meaningless ids (`tool_906`). `style: edit/reverse/random/shuffle/ids` forces one",
  },
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
