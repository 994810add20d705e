/**
 * JSON text of a value with every integral number the schema types as `number` (not `integer`)
 * written as a float (`1.0`): how a model that reads the schema spells a float argument, and what
 * a checker with Python's types (BFCL's) tells from an int.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { floatJson } from "./float_json.ts";
 * const schema = { type: "object", properties: { xs: { type: "array", items: { type: "number" } }, n: { type: "integer" } } };
 * assert.ok(floatJson({ xs: [1, 2.5], n: 3 }, schema) === '{"xs":[1.0,2.5],"n":3}');
 * ```
 */
export function floatJson(value: unknown, schema: unknown): string {
  const s = (schema !== null && typeof schema === "object" ? schema : {}) as Record<
    string,
    unknown
  >;
  if (typeof value === "number") {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    const float = types.includes("number") && !types.includes("integer");
    return float && Number.isInteger(value) ? `${value}.0` : JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => floatJson(v, s.items)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const props = (s.properties ?? {}) as Record<string, unknown>;
    return `{${
      Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${floatJson(v, props[k])}`)
        .join(",")
    }}`;
  }
  return JSON.stringify(value) ?? "null";
}
