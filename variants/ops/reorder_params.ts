import type { JsonSchema } from "../../spec/types.ts";
import type { Change, Operator } from "../types.ts";
import { docsLayer, paramNames, TARGET_PROPERTIES, targets } from "./common.ts";
import type { TargetOptions } from "./common.ts";

/** Shuffle the order parameters are listed in (and `required`): the meaning is unchanged. */
export const reorderParams: Operator = {
  name: "reorder_params",
  schema: {
    type: ["object", "null"],
    additionalProperties: false,
    properties: {
      ...TARGET_PROPERTIES,
    },
    description: "Shuffle the order of parameters. Options: rate, tools.",
  },
  doc: {
    options: "`rate` (1), `tools`",
    sees: "parameters (and `required`) listed in another order; nothing else changes — a control",
  },
  summary: "list each tool's parameters in a shuffled order",
  examples: [{}],
  apply(inner, options, ctx) {
    const chosen = new Set(targets(inner, options as TargetOptions, ctx));
    const changes: Change[] = [];
    const tools = inner.map((t) => {
      const names = paramNames(t);
      if (!chosen.has(t.name) || names.length < 2) return t;
      const order = [...names];
      for (let i = order.length - 1; i > 0; i--) {
        const j = ctx.rng.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      const props = t.parameters.properties as Record<string, unknown>;
      const parameters: JsonSchema = {
        ...t.parameters,
        properties: Object.fromEntries(order.map((k) => [k, props[k]])),
      };
      if (Array.isArray(t.parameters.required)) {
        const req = new Set(t.parameters.required as string[]);
        parameters.required = order.filter((k) => req.has(k));
      }
      changes.push({ tool: t.name, what: "params reordered", note: order.join(", ") });
      return { ...t, parameters };
    });
    return docsLayer(tools, changes);
  },
};
