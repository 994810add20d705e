import type { ToolDef } from "../../tools/types.ts";
import { choose } from "../names.ts";
import type { Change, Layer, OperatorContext } from "../types.ts";

/** Options every operator that picks tools understands. */
export interface TargetOptions {
  /** Fraction of tools affected (each drawn independently). */
  rate?: number;
  /** Exactly these tools, by canonical name (`tool` or `env/tool`); overrides `rate`. */
  tools?: string[];
}

/** The JSON Schema properties of `TargetOptions`, for every operator that picks tools. */
export const TARGET_PROPERTIES = {
  rate: {
    type: "number",
    minimum: 0,
    maximum: 1,
    description: "Fraction of tools affected, each drawn independently (a number from 0 to 1).",
  },
  tools: {
    type: "array",
    minItems: 1,
    items: { type: "string", pattern: "^([a-z][a-z0-9_-]*/)?[A-Za-z0-9_.-]+$" },
    description: "Exactly these tools, by canonical name (tool or env/tool); overrides rate.",
  },
};

/**
 * The inner tools an operator changes: the listed ones (canonical names, mapped through earlier
 * operators; `env/tool` entries for other environments are skipped), or each with probability `rate`.
 */
export function targets(
  inner: readonly ToolDef[],
  options: TargetOptions,
  ctx: OperatorContext,
  defaultRate = 1,
): string[] {
  const names = inner.map((t) => t.name);
  if (options.tools) {
    const only = options.tools.flatMap((spec) => {
      const slash = spec.indexOf("/");
      if (slash >= 0 && spec.slice(0, slash) !== ctx.env) return [];
      const v = ctx.visibleName(slash >= 0 ? spec.slice(slash + 1) : spec);
      return v === undefined ? [] : [v];
    });
    return choose(names, { rng: ctx.rng, only });
  }
  return choose(names, { rng: ctx.rng, rate: options.rate ?? defaultRate });
}

/**
 * Tools by name (the first of each name), for operators that look up each of their targets: a
 * scan of the list per target is quadratic in the number of tools.
 */
export function toolsByName(tools: readonly ToolDef[]): Map<string, ToolDef> {
  const byName = new Map<string, ToolDef>();
  for (const t of tools) if (!byName.has(t.name)) byName.set(t.name, t);
  return byName;
}

/** The names of a tool's top-level parameters, in order. */
export function paramNames(t: ToolDef): string[] {
  return Object.keys((t.parameters.properties ?? {}) as object);
}

/** A layer that only changes how tools are described: calls pass through untouched. */
export function docsLayer(tools: ToolDef[], changes: Change[]): Layer {
  return {
    tools,
    hidden: [],
    changes,
    step: (state, call, next) => next(state, call),
    forward: (c) => c,
    backward: (c) => c,
  };
}
