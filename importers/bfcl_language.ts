/**
 * How a value is written for a BFCL Java or JavaScript parameter: BFCL shows such parameters as
 * strings and its checker converts the string back (bfcl_eval's java_type_converter and
 * js_type_converter; tasks/calls/bfcl_language.ts here). This writes each possible answer's value
 * in the form that conversion reads back to it.
 * @module
 */

const isDict = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** A value as Java source, for BFCL's untyped `parse_java_value`. */
function javaLiteral(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : `${v}`;
  return String(v);
}

/** A value as JavaScript source, for BFCL's untyped `parse_js_value`. */
function jsLiteral(v: unknown): string {
  if (typeof v === "string") return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(jsLiteral).join(", ")}]`;
  if (isDict(v)) {
    return `{${Object.entries(v).map(([k, x]) => `${k}: ${jsLiteral(x)}`).join(", ")}}`;
  }
  return String(v);
}

/** A value of a Java scalar type as BFCL's java_type_converter reads it back. */
function javaScalar(v: unknown, type: string): string {
  if (typeof v === "string") return v;
  if (type === "long") return `${v}L`;
  if (type === "float") return `${v}f`;
  if (Array.isArray(v) || isDict(v)) return JSON.stringify(v);
  return String(v);
}

/**
 * A possible answer's value written as the string a BFCL Java or JavaScript parameter of `type`
 * takes (strings stay as they are: BFCL's answers for such parameters are mostly source text).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { languageValue } from "./bfcl_language.ts";
 * assert.ok(languageValue(5, { type: "long", language: "java" }) === "5L");
 * assert.ok(languageValue(["a", "b"], { type: "ArrayList", items: "String", language: "java" }) === 'new ArrayList<>(Arrays.asList("a", "b"))');
 * assert.ok(languageValue(true, { type: "Boolean", language: "javascript" }) === "true");
 * ```
 */
export function languageValue(
  v: unknown,
  o: { type: string; items?: string; language: string },
): string {
  if (typeof v === "string") return v;
  if (o.language === "javascript") {
    if (o.type === "Bigint") return `${v}n`;
    if (o.type === "array" && Array.isArray(v)) {
      return `[${
        v.map((x) => (o.items && typeof x !== "string" ? String(x) : jsLiteral(x))).join(", ")
      }]`;
    }
    return Array.isArray(v) || isDict(v) ? jsLiteral(v) : String(v);
  }
  if (o.type === "ArrayList" && Array.isArray(v)) {
    if (v.length === 0) return "new ArrayList<>()";
    const items = v.map((x) =>
      o.items === "String" || o.items === "char"
        ? (o.items === "char" ? `'${x}'` : JSON.stringify(x))
        : o.items
        ? javaScalar(x, o.items)
        : javaLiteral(x)
    );
    return `new ArrayList<>(Arrays.asList(${items.join(", ")}))`;
  }
  if (o.type === "Array" && Array.isArray(v)) {
    const items = v.map((x) => (o.items ? javaScalar(x, o.items) : javaLiteral(x)));
    const of = o.items === "integer" ? "int" : o.items ?? "Object";
    return `new ${of}[]{${items.join(", ")}}`;
  }
  if (o.type === "HashMap" && isDict(v)) {
    const puts = Object.entries(v).map(([k, x]) =>
      `put(${JSON.stringify(k)}, ${javaLiteral(x)}); `
    );
    return puts.length ? `new HashMap<String, Object>() {{ ${puts.join("")}}}` : "new HashMap<>()";
  }
  return javaScalar(v, o.type);
}
