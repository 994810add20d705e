/**
 * What the BFCL importer derives from possible answers: tool schemas that validate as BFCL's
 * checker does (`--bfcl-compat`), and gold calls whose every value fits the tool's schema.
 * @module
 */
import { toolAjv } from "../spec/load_env.ts";
import type { Call, JsonSchema, PossibleCall } from "../spec/types.ts";
import { PyFloat } from "../tasks/calls/mod.ts";
import { languageValue } from "./bfcl_language.ts";

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof PyFloat);

/** The JSON Schema type names a value has (an integer is also a number). */
function jsonTypes(v: unknown): string[] {
  if (v instanceof PyFloat) return ["number"];
  if (typeof v === "number") return Number.isInteger(v) ? ["integer", "number"] : ["number"];
  if (typeof v === "string") return ["string"];
  if (typeof v === "boolean") return ["boolean"];
  if (Array.isArray(v)) return ["array"];
  if (v === null) return ["null"];
  return ["object"];
}

/** A schema without `enum` and without `required` below the top: BFCL checks neither. */
function loosen(s: unknown, top: boolean): unknown {
  if (Array.isArray(s)) return s.map((x) => loosen(x, false));
  if (!isObject(s)) return s;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === "enum" || (k === "required" && !top)) continue;
    out[k] = k === "properties" && isObject(v)
      ? Object.fromEntries(Object.entries(v).map(([p, x]) => [p, loosen(x, false)]))
      : loosen(v, false);
  }
  return out;
}

/**
 * A tool's parameters validated as BFCL's checker validates (`--bfcl-compat`): no `enum` (BFCL
 * never checks one), `required` only at the top, and each top-level parameter also accepting the
 * types its possible answers use — BFCL's "variables" (a value of the answer's type passes where
 * the doc says another). `answered` lists, per parameter, every value the answers accept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compatSchema } from "./bfcl_gold.ts";
 * const s = compatSchema({ type: "object", properties: { n: { type: "string", enum: ["a"] } } }, new Map([["n", [3]]]));
 * assert.ok(JSON.stringify(s) === '{"type":"object","properties":{"n":{"type":["string","integer"]}}}');
 * ```
 */
export function compatSchema(
  params: JsonSchema,
  answered: ReadonlyMap<string, readonly unknown[]>,
): JsonSchema {
  const out = loosen(params, true) as JsonSchema;
  const props = (out.properties ?? {}) as Record<string, JsonSchema>;
  for (const [param, values] of answered) {
    const p = props[param];
    // Parameters shown as strings of another language's values keep their one type.
    if (!p || p.type === undefined || p["x-bfcl-type"] !== undefined) continue;
    const types = Array.isArray(p.type) ? [...p.type] as string[] : [p.type as string];
    for (const v of values) {
      if (v === "") continue;
      const t = jsonTypes(v);
      if (!t.some((x) => types.includes(x))) types.push(t[0]);
    }
    if (types.length > 1) props[param] = { ...p, type: types };
    // BFCL checks an array's items one level deep, and there too a value of the answer's item
    // type passes.
    const items = props[param].items as JsonSchema | undefined;
    if (types.includes("array") && isObject(items) && typeof items.type === "string") {
      const itemTypes = [items.type];
      for (const v of values) {
        for (const x of Array.isArray(v) ? v : []) {
          const t = jsonTypes(x);
          if (!t.some((y) => itemTypes.includes(y))) itemTypes.push(t[0]);
        }
      }
      if (itemTypes.length > 1) {
        props[param] = { ...props[param], items: { ...items, type: itemTypes } };
      }
    }
  }
  return out;
}

/** Per function and parameter, every value the possible answers accept. */
export function answeredValues(
  possible: readonly PossibleCall[],
  into: Map<string, Map<string, unknown[]>>,
  keyOf: (fn: string) => string | undefined,
): void {
  for (const a of possible) {
    const [fn] = Object.keys(a);
    const key = keyOf(fn);
    if (key === undefined) continue;
    const m = into.get(key) ?? new Map<string, unknown[]>();
    into.set(key, m);
    for (const [param, accepted] of Object.entries(a[fn])) {
      m.set(param, [...(m.get(param) ?? []), ...accepted]);
    }
  }
}

/** An accepted value as a plain value: dicts inside hold accepted values per key. */
function concrete(v: unknown): unknown {
  if (v instanceof PyFloat) return v.value;
  if (Array.isArray(v)) return v.map(concrete);
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, acc] of Object.entries(v)) {
      const first = Array.isArray(acc) ? acc[0] : acc;
      if (first !== "" && first !== undefined) out[k] = concrete(first);
    }
    return out;
  }
  return v;
}

/**
 * The gold call of each possible answer, every value chosen to fit the tool's schema: per
 * parameter the first accepted value that validates (for a parameter shown as a string of a Java
 * or JavaScript value, its spelling in that language), left out when `""` (may be omitted) comes
 * first or nothing else fits and the parameter is optional. Tool names go back through `toolOf`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fittedGold } from "./bfcl_gold.ts";
 * const schema = { type: "object", properties: { n: { type: "integer" } }, required: ["n"] };
 * const [g] = fittedGold([{ f: { n: ["", "five", 5] } }], { toolOf: () => "f", schemaOf: () => schema });
 * assert.ok(JSON.stringify(g.args) === '{"n":5}');
 * ```
 */
export function fittedGold(
  possible: readonly PossibleCall[],
  o: { toolOf: (fn: string) => string; schemaOf: (fn: string) => JsonSchema },
): Call[] {
  return possible.map((a) => {
    const [fn] = Object.keys(a);
    const schema = o.schemaOf(fn);
    const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((schema.required ?? []) as string[]);
    const args: Record<string, unknown> = {};
    for (const [param, accepted] of Object.entries(a[fn])) {
      const optional = !required.has(param) && accepted.includes("");
      if (optional && accepted[0] === "") continue;
      const prop = props[param];
      const language = prop?.["x-bfcl-type"] as string | undefined;
      // For a Java/JavaScript parameter the answers' strings are the source text itself: first.
      const ordered = language === undefined ? accepted : [
        ...accepted.filter((v) => typeof v === "string"),
        ...accepted.filter((v) => typeof v !== "string"),
      ];
      const candidates = ordered.filter((v) => v !== "").map((v) =>
        language === undefined ? concrete(v) : languageValue(concrete(v), {
          type: language,
          items: prop["x-bfcl-items"] as string | undefined,
          language: String(prop["x-bfcl-language"] ?? "java"),
        })
      );
      const fits = prop === undefined
        ? undefined
        : candidates.find((v) => toolAjv.validate(prop as object, v));
      if (fits !== undefined) args[param] = fits;
      else if (!optional && candidates.length) args[param] = candidates[0];
      // Required, and only "" accepted: BFCL then wants the empty string itself.
      else if (!optional && accepted.includes("")) args[param] = "";
    }
    return { tool: o.toolOf(fn), args };
  });
}
