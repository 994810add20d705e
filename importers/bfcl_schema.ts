import type { JsonSchema } from "../spec/types.ts";
import { pointerSegment } from "../spec/yaml.ts";

/** BFCL's type names and the JSON Schema type each becomes (`any` becomes no constraint). */
export const BFCL_TYPES: Readonly<Record<string, string | null>> = {
  string: "string",
  integer: "integer",
  float: "number",
  number: "number",
  boolean: "boolean",
  array: "array",
  tuple: "array",
  dict: "object",
  object: "object",
  any: null,
};

/** A problem found while converting: where (JSON pointer) and what. */
export interface ConvertIssue {
  /** JSON pointer into the input. */
  pointer: string;
  /** What is wrong. */
  message: string;
  /** How to fix it. */
  hint: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * A BFCL parameter doc as JSON Schema: `float` → number, `dict` → object, `tuple` → array,
 * `any` → no type; `properties` and `items` converted recursively; other keywords (description,
 * enum, default, required…) kept. Problems (an unknown type, a non-object doc) go to `issues`
 * with pointers under `pointer`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bfclSchema } from "./bfcl_schema.ts";
 * const issues: never[] = [];
 * const s = bfclSchema({ type: "dict", properties: { x: { type: "float" } } }, { pointer: "", issues });
 * assert.ok(JSON.stringify(s) === '{"type":"object","properties":{"x":{"type":"number"}}}');
 * ```
 */
export function bfclSchema(
  doc: unknown,
  ctx: { pointer: string; issues: ConvertIssue[] },
): JsonSchema {
  const { pointer, issues } = ctx;
  if (!isObject(doc)) {
    issues.push({
      pointer,
      message: `a parameter doc must be an object, got ${JSON.stringify(doc)}`,
      hint: 'write it as {"type": …, "description": …}',
    });
    return {};
  }
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(doc)) {
    if (k === "type") {
      const t = typeof v === "string" ? v : undefined;
      if (t === undefined || !Object.hasOwn(BFCL_TYPES, t)) {
        issues.push({
          pointer: `${pointer}/type`,
          message: `unknown BFCL type ${JSON.stringify(v)}`,
          hint: `use one of ${
            Object.keys(BFCL_TYPES).join(", ")
          } (Java and JavaScript types are not supported)`,
        });
        continue;
      }
      if (BFCL_TYPES[t] !== null) out.type = BFCL_TYPES[t];
    } else if (k === "properties" && isObject(v)) {
      out.properties = Object.fromEntries(
        Object.entries(v).map(([name, p]) => [
          name,
          bfclSchema(p, { pointer: `${pointer}/properties/${pointerSegment(name)}`, issues }),
        ]),
      );
    } else if (k === "items") {
      out.items = bfclSchema(v, { pointer: `${pointer}/items`, issues });
    } else if (k === "additionalProperties" && isObject(v)) {
      out.additionalProperties = bfclSchema(v, {
        pointer: `${pointer}/additionalProperties`,
        issues,
      });
    } else out[k] = v;
  }
  return out;
}
