import type { JsonSchema } from "../../spec/types.ts";
import { paraphrase, ProtectedStrings } from "../paraphrase.ts";
import type { Change, Operator } from "../types.ts";
import { docsLayer, paramNames, TARGET_PROPERTIES, type TargetOptions, targets } from "./common.ts";

/**
 * Reword tool and parameter descriptions with a synonym dictionary and sentence templates:
 * same meaning, different words. Tool names, parameter names, enum values, quoted text and ids are
 * never touched.
 */
export const paraphraseDescriptions: Operator = {
  name: "paraphrase_descriptions",
  schema: {
    type: ["object", "null"],
    additionalProperties: false,
    properties: {
      ...TARGET_PROPERTIES,
    },
    description: "Reword descriptions. Options: rate, tools.",
  },
  doc: {
    options: "`rate` (1), `tools`",
    sees:
      'descriptions reworded with a synonym dictionary and sentence templates ("Book identifier, for example B1001"); names, enum values, quoted text and ids untouched',
  },
  summary: "reword descriptions (synonyms, templates); names, values and quotes kept",
  examples: [{}],
  apply(inner, options, ctx) {
    const chosen = new Set(targets(inner, options as TargetOptions, ctx));
    const names = new Set<string>();
    for (const t of inner) {
      names.add(t.name);
      for (const p of paramNames(t)) {
        names.add(p);
        const e =
          ((t.parameters.properties as Record<string, JsonSchema>)[p].enum ?? []) as unknown[];
        for (const v of e) if (typeof v === "string") names.add(v);
      }
    }
    const protect = new ProtectedStrings(names); // indexed once for every description
    const changes: Change[] = [];
    const tools = inner.map((t) => {
      if (!chosen.has(t.name)) return t;
      const props = (t.parameters.properties ?? {}) as Record<string, JsonSchema>;
      const properties: Record<string, JsonSchema> = {};
      for (const [k, v] of Object.entries(props)) {
        properties[k] = typeof v.description === "string"
          ? { ...v, description: paraphrase(v.description, ctx.rng, { protect }) }
          : v;
      }
      changes.push({ tool: t.name, what: "paraphrased" });
      return {
        name: t.name,
        description: paraphrase(t.description, ctx.rng, { protect }),
        parameters: { ...t.parameters, properties },
      };
    });
    return docsLayer(tools, changes);
  },
};
