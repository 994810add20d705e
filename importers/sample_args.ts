import type { JsonSchema } from "../spec/types.ts";

/**
 * Example arguments for a parameters schema: every required property gets a value of its type
 * (the schema's `const`, first `enum` value, `default` or first `examples` entry when it has one;
 * otherwise "example", the minimum or 1, true, an array of `minItems` samples, an object of its
 * required properties). A starting point for an author, not a meaningful call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sampleArgs } from "./sample_args.ts";
 * const s = { type: "object", properties: { city: { type: "string" }, days: { type: "integer", minimum: 1 } }, required: ["city", "days"] };
 * assert.ok(JSON.stringify(sampleArgs(s)) === '{"city":"example","days":1}');
 * ```
 */
export function sampleArgs(schema: JsonSchema): Record<string, unknown> {
  const v = sampleValue(schema, 0);
  return v !== null && typeof v === "object" && !Array.isArray(v)
    ? v as Record<string, unknown>
    : {};
}

function sampleValue(s: JsonSchema | undefined, depth: number): unknown {
  if (!s || depth > 8) return null;
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  if ("default" in s) return s.default;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  const branch = [s.anyOf, s.oneOf, s.allOf].find(Array.isArray) as JsonSchema[] | undefined;
  if (branch?.length) return sampleValue(branch[0], depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  switch (type) {
    case "string": {
      const min = typeof s.minLength === "number" ? s.minLength : 0;
      return "example".padEnd(min, "x");
    }
    case "integer":
    case "number":
      return typeof s.minimum === "number"
        ? (type === "integer" ? Math.ceil(s.minimum) : s.minimum)
        : typeof s.exclusiveMinimum === "number"
        ? Math.floor(s.exclusiveMinimum) + 1
        : 1;
    case "boolean":
      return true;
    case "array": {
      const n = typeof s.minItems === "number" ? s.minItems : 0;
      return Array.from({ length: n }, () => sampleValue(s.items as JsonSchema, depth + 1));
    }
    case "null":
      return null;
    default: {
      if (type !== "object" && !s.properties) return "example";
      const props = (s.properties ?? {}) as Record<string, JsonSchema>;
      const out: Record<string, unknown> = {};
      for (const k of (s.required ?? []) as string[]) out[k] = sampleValue(props[k], depth + 1);
      return out;
    }
  }
}
