/**
 * Variants: seeded perturbations of a tool interface, as Env → Env wrappers.
 * A variant is a named list of operators (spec/schema/variants.json); `applyVariant` wraps an
 * environment in them and records what the agent sees next to the canonical tools.
 * @module
 */
export { applyVariant, CLEAN } from "./apply.ts";
export { operators } from "./ops/mod.ts";
export { type Level, type NameStyle, renamePlan } from "./names.ts";
export type {
  AppliedOp,
  Change,
  Layer,
  Next,
  Operator,
  OperatorContext,
  ParsedCall,
  ToolView,
  VariantEnv,
} from "./types.ts";
export { variantsFor } from "./select.ts";
