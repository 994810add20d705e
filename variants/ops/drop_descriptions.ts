import type { JsonSchema } from "../../spec/types.ts";
import type { Change, Operator } from "../types.ts";
import { docsLayer, TARGET_PROPERTIES, type TargetOptions, targets } from "./common.ts";

/** Options of `drop_descriptions`. */
export interface DropOptions extends TargetOptions {
  /** Also drop parameter descriptions (each with probability `rate`); default true. */
  params?: boolean;
}

/** Remove tool (and parameter) descriptions: the agent sees names and types only. */
export const dropDescriptions: Operator = {
  name: "drop_descriptions",
  schema: {
    type: ["object", "null"],
    additionalProperties: false,
    properties: {
      ...TARGET_PROPERTIES,
      params: {
        type: "boolean",
        description: "Also drop parameter descriptions (default true).",
      },
    },
    description: "Remove descriptions. Options: rate, tools, params.",
  },
  doc: {
    options: "`rate` (1), `tools`, `params` (true)",
    sees: "tool descriptions, and each parameter description with the same probability, removed",
  },
  summary: "remove tool and parameter descriptions with probability `rate`",
  examples: [{ rate: 0.5 }],
  apply(inner, options, ctx) {
    const o = options as DropOptions;
    const chosen = new Set(targets(inner, o, ctx));
    const rate = o.tools ? 1 : o.rate ?? 1;
    const changes: Change[] = [];
    const tools = inner.map((t) => {
      const props = (t.parameters.properties ?? {}) as Record<string, JsonSchema>;
      const dropped: string[] = [];
      const properties: Record<string, JsonSchema> = {};
      for (const [k, v] of Object.entries(props)) {
        if (o.params !== false && "description" in v && ctx.rng.next() < rate) {
          const { description: _, ...rest } = v;
          properties[k] = rest;
          dropped.push(k);
        } else properties[k] = v;
      }
      const tool = chosen.has(t.name);
      if (!tool && dropped.length === 0) return t;
      changes.push({
        tool: t.name,
        what: "descriptions dropped",
        note: [tool ? "tool" : "", ...dropped].filter(Boolean).join(", "),
      });
      return {
        name: t.name,
        description: tool ? "" : t.description,
        parameters: dropped.length > 0 ? { ...t.parameters, properties } : t.parameters,
      };
    });
    return docsLayer(tools, changes);
  },
};
