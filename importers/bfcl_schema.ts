import type { JsonSchema } from "../spec/types.ts";
import { pointerSegment } from "../spec/yaml.ts";
import { BFCL_LANGUAGE_TYPES } from "../tasks/calls/bfcl_language.ts";

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

/** The language of a BFCL category's functions: simple_java → java, simple_javascript → javascript. */
export type BfclLanguage = "python" | "java" | "javascript";

/** The language of a BFCL entry, told by its category (its id without the number). */
export function bfclLanguage(category: string): BfclLanguage {
  return /(^|_)javascript$/.test(category)
    ? "javascript"
    : /(^|_)java$/.test(category)
    ? "java"
    : "python";
}

/**
 * A Java or JavaScript function's parameters as BFCL shows them to a model: each top-level
 * parameter becomes `type: string`, its description saying which type the string represents
 * (BFCL's own wording), list item types and dict entries moved into the description.
 * Unknown types go to `issues`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { languageSchema } from "./bfcl_schema.ts";
 * const s = languageSchema({ type: "dict", properties: { m: { type: "HashMap", description: "The map." } } }, { language: "java", pointer: "", issues: [] });
 * const m = (s.properties as Record<string, Record<string, unknown>>).m;
 * assert.ok(m.type === "string" && m["x-bfcl-type"] === "HashMap");
 * ```
 */
export function languageSchema(
  doc: unknown,
  ctx: { language: "java" | "javascript"; pointer: string; issues: ConvertIssue[] },
): JsonSchema {
  const { language, pointer, issues } = ctx;
  if (!isObject(doc) || !isObject(doc.properties)) return bfclSchema(doc, ctx);
  const lang = language === "java" ? "Java" : "JavaScript";
  const known = BFCL_LANGUAGE_TYPES[language];
  const properties: Record<string, JsonSchema> = {};
  for (const [name, p] of Object.entries(doc.properties)) {
    const at = `${pointer}/properties/${pointerSegment(name)}`;
    const d = isObject(p) ? p : {};
    const type = typeof d.type === "string" ? d.type : "";
    if (!Object.hasOwn(known, type)) {
      issues.push({
        pointer: `${at}/type`,
        message: `unknown BFCL ${lang} type ${JSON.stringify(d.type)}`,
        hint: `use one of ${Object.keys(known).join(", ")}`,
      });
      continue;
    }
    // BFCL's own wording (bfcl_eval/utils.py, _func_doc_language_specific_pre_processing).
    let description = typeof d.description === "string" ? d.description : "";
    description += type === "any"
      ? ` This parameter can be of any type of ${lang} object in string representation.`
      : ` This is ${lang} ${type} type parameter in string representation.`;
    const items = isObject(d.items) ? d.items.type : undefined;
    if (known[type] === "list" && items !== undefined) {
      description +=
        ` The list elements are of type ${items}; they are not in string representation.`;
    }
    if (language === "javascript" && type === "dict" && isObject(d.properties)) {
      description +=
        ` The dictionary entries have the following schema; they are not in string representation. ${
          JSON.stringify(d.properties)
        }`;
    }
    properties[name] = {
      type: "string",
      description,
      // What BFCL's checker converts the string to (tasks/calls/bfcl_language.ts reads these).
      "x-bfcl-language": language,
      "x-bfcl-type": type,
      ...(items !== undefined ? { "x-bfcl-items": items } : {}),
    };
  }
  const out: JsonSchema = { type: "object", properties };
  if (Array.isArray(doc.required)) out.required = doc.required;
  return out;
}

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
    } else if (k === "optional") {
      // BFCL's own annotation (some docs mark optional parameters): not JSON Schema, and
      // `required` already says it; BFCL's checker ignores it too.
      continue;
    } else out[k] = v;
  }
  return out;
}
