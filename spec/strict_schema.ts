import { Ajv2020 } from "ajv/dist/2020.js";
import { closeNames } from "./errors.ts";
import { pointerSegment } from "./yaml.ts";

/** Ajv in strict mode, for unknown keywords only (types, tuples and `required` stay lenient). */
const strictAjv = new Ajv2020({
  strict: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  allowUnionTypes: true,
  validateFormats: false,
  logger: false,
});

/** Keywords whose value is one schema, a map of schemas, or a list of schemas. */
const ONE = [
  "items",
  "additionalItems",
  "additionalProperties",
  "unevaluatedItems",
  "unevaluatedProperties",
  "propertyNames",
  "contains",
  "not",
  "if",
  "then",
  "else",
];
const MAP = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];
const LIST = ["prefixItems", "allOf", "anyOf", "oneOf", "items"];

/** Every keyword ajv knows (JSON Schema 2020-12 plus annotations), for "did you mean". */
const KNOWN = [
  ...ONE,
  ...MAP,
  ...LIST,
  "type",
  "enum",
  "const",
  "required",
  "description",
  "title",
  "default",
  "examples",
  "format",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
  "dependentRequired",
  "minContains",
  "maxContains",
  "deprecated",
  "readOnly",
  "writeOnly",
  "$ref",
  "$id",
  "$schema",
  "$comment",
  "$anchor",
  "nullable",
];

/** An unknown keyword in a tool's parameters: where (pointer under the schema), and a hint. */
export interface SchemaKeywordIssue {
  /** JSON pointer of the keyword, relative to the schema. */
  pointer: string;
  /** The unknown keyword. */
  keyword: string;
  /** What is wrong. */
  message: string;
  /** How to fix it: did-you-mean, or quoting a split description. */
  hint: string;
}

/**
 * Unknown keywords in a JSON Schema, as ajv's strict mode finds them, located (vendor extensions
 * named `x-…` are allowed). An unknown
 * keyword with no value next to a `description` is nearly always a description cut at a comma
 * in a YAML flow mapping (`{ type: string, description: Part of the title, case-insensitive }`),
 * and the hint says so.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unknownKeywords } from "./strict_schema.ts";
 * const [issue] = unknownKeywords({
 *   type: "object",
 *   properties: { q: { type: "string", description: "Part of the title", "case-insensitive": null } },
 * });
 * assert.ok(issue.pointer === "/properties/q/case-insensitive");
 * assert.ok(issue.hint.includes("quote the description"));
 * ```
 */
export function unknownKeywords(schema: unknown): SchemaKeywordIssue[] {
  // Generated and imported envs repeat a few parameter shapes thousands of times: check each once.
  const key = JSON.stringify(schema);
  let found = checked.get(key);
  if (!found) checked.set(key, found = findUnknownKeywords(schema));
  return found.map((i) => ({ ...i }));
}

const checked = new Map<string, SchemaKeywordIssue[]>();

function findUnknownKeywords(schema: unknown): SchemaKeywordIssue[] {
  const out: SchemaKeywordIssue[] = [];
  // Ajv names one unknown keyword per compile; take it out of a copy and compile again.
  let copy = structuredClone(schema);
  for (let guard = 0; guard < 50; guard++) {
    const keyword = strictError(copy);
    if (keyword === undefined) break;
    const at = findKeyword(copy, keyword, "");
    if (!at) break;
    const { pointer, parent } = at;
    // Vendor extensions (OpenAPI's `x-…`) are allowed: nothing reads them.
    if (keyword.startsWith("x-")) {
      delete parent[keyword];
      continue;
    }
    const split = parent[keyword] === null && typeof parent.description === "string";
    const close = closeNames(keyword, KNOWN, 1);
    out.push({
      pointer,
      keyword,
      message: `unknown JSON Schema keyword "${keyword}" in the tool's parameters`,
      hint: split
        ? `did you mean to quote the description? a comma inside { … } starts a new key: description: "${parent.description}, ${keyword}"`
        : close.length
        ? `did you mean "${close[0]}"?`
        : "JSON Schema has no such keyword (ajv strict mode); remove it, or move notes into description",
    });
    delete parent[keyword];
    copy = structuredClone(copy);
  }
  return out;
}

/** The unknown keyword ajv's strict mode reports, or undefined if the schema compiles. */
function strictError(schema: unknown): string | undefined {
  try {
    strictAjv.compile(schema as object);
    return undefined;
  } catch (err) {
    const m = /unknown keyword: "([^"]*)"/.exec((err as Error).message);
    return m ? m[1] : undefined;
  }
}

/** The first place in schema positions where `keyword` is a key. */
function findKeyword(
  node: unknown,
  keyword: string,
  pointer: string,
): { pointer: string; parent: Record<string, unknown> } | undefined {
  if (!node || typeof node !== "object" || Array.isArray(node)) return undefined;
  const o = node as Record<string, unknown>;
  if (Object.hasOwn(o, keyword)) {
    return { pointer: `${pointer}/${pointerSegment(keyword)}`, parent: o };
  }
  for (const [k, v] of Object.entries(o)) {
    const p = `${pointer}/${pointerSegment(k)}`;
    if (ONE.includes(k) && !Array.isArray(v)) {
      const r = findKeyword(v, keyword, p);
      if (r) return r;
    }
    if (MAP.includes(k) && v && typeof v === "object") {
      for (const [name, sub] of Object.entries(v)) {
        const r = findKeyword(sub, keyword, `${p}/${pointerSegment(name)}`);
        if (r) return r;
      }
    }
    if (LIST.includes(k) && Array.isArray(v)) {
      for (const [i, sub] of v.entries()) {
        const r = findKeyword(sub, keyword, `${p}/${i}`);
        if (r) return r;
      }
    }
  }
  return undefined;
}
