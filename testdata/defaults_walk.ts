/**
 * What the defaults meta-tests share (spec/schema/defaults_test.ts for env and suite files,
 * training/spec_defaults_test.ts for training files): every `default:` of a generated schema,
 * where a document meets each one, and {@linkcode checkDefaults}, which loads a document with each
 * left out, written, and changed.
 * @module
 */

/** A JSON value. */
type Json = unknown;
/** A schema node. */
type Node = Record<string, Json>;

/** One `default:` of a schema: its path in the schema and its value. */
export interface SchemaDefault {
  /** Slash-joined path of the property in the schema, e.g. `$defs/task/properties/split`. */
  path: string;
  /** The default's value. */
  value: Json;
}

/**
 * Every property of `schema` with a `default:`, found by walking every subschema (the generated
 * JSON, whose `$ref`s into other files are not followed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { schemaDefaults } from "./defaults_walk.ts";
 * const s = { properties: { n: { type: "integer", default: 1 } } };
 * assert.deepEqual(schemaDefaults(s), [{ path: "properties/n", value: 1 }]);
 * ```
 */
export function schemaDefaults(schema: Json, path = ""): SchemaDefault[] {
  if (typeof schema !== "object" || schema === null) return [];
  const out: SchemaDefault[] = [];
  for (const [k, v] of Object.entries(schema as Node)) {
    const here = path ? `${path}/${k}` : k;
    if (k === "properties" && typeof v === "object" && v !== null) {
      for (const [name, p] of Object.entries(v as Node)) {
        if (typeof p === "object" && p !== null && "default" in p) {
          out.push({ path: `${here}/${name}`, value: (p as Node).default });
        }
      }
    }
    if (k !== "default" && k !== "const" && k !== "enum") out.push(...schemaDefaults(v, here));
  }
  return out;
}

/** Where a document meets a `default:`: the object holding (or lacking) the key, and the key. */
export interface DefaultSite {
  /** The schema path of the property (as {@linkcode schemaDefaults} names it). */
  path: string;
  /** JSON pointer of the object in the document that the property belongs to. */
  object: string;
  /** The property's name. */
  key: string;
  /** Its default. */
  value: Json;
}

/**
 * Every place in `doc` where an object validated by an object schema with a defaulted property
 * stands, walking `doc` and `schema` together: `properties`, `additionalProperties`, `items`,
 * local `$ref`s, `if`/`then`/`else` (by the `if`'s `required`) and `oneOf`/`anyOf` (each branch
 * whose type fits).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultSites } from "./defaults_walk.ts";
 * const s = { type: "object", properties: { a: { type: "object", properties: { n: { default: 1 } } } } };
 * const sites = defaultSites(s, { a: {} });
 * assert.deepEqual(sites, [{ path: "properties/a/properties/n", object: "/a", key: "n", value: 1 }]);
 * ```
 */
export function defaultSites(schema: Json, doc: Json): DefaultSite[] {
  const root = schema as Node;
  const out: DefaultSite[] = [];
  const seen = new Set<string>();
  const walk = (node: Json, path: string, value: Json, pointer: string) => {
    if (typeof node !== "object" || node === null) return;
    const n = node as Node;
    if (typeof n.$ref === "string" && n.$ref.startsWith("#/")) {
      const target = n.$ref.slice(2);
      walk(target.split("/").reduce<Json>((s, k) => (s as Node)[k], root), target, value, pointer);
    }
    const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
    if (isObject && typeof n.properties === "object" && n.properties !== null) {
      for (const [key, p] of Object.entries(n.properties as Node)) {
        const ppath = `${path ? `${path}/` : ""}properties/${key}`;
        if (typeof p === "object" && p !== null && "default" in p) {
          const id = `${pointer}|${key}`;
          if (!seen.has(id)) {
            seen.add(id);
            out.push({ path: ppath, object: pointer, key, value: (p as Node).default });
          }
        }
        if (key in (value as Node)) {
          walk(p, ppath, (value as Node)[key], `${pointer}/${escape(key)}`);
        }
      }
    }
    if (isObject && typeof n.additionalProperties === "object") {
      const named = Object.keys((n.properties ?? {}) as Node);
      for (const [key, v] of Object.entries(value as Node)) {
        if (named.includes(key)) continue;
        walk(
          n.additionalProperties,
          `${path}/additionalProperties`,
          v,
          `${pointer}/${escape(key)}`,
        );
      }
    }
    if (Array.isArray(value) && n.items) {
      value.forEach((v, i) => walk(n.items, `${path}/items`, v, `${pointer}/${i}`));
    }
    if (n.if && isObject) {
      const req = ((n.if as Node).required ?? []) as string[];
      const holds = req.every((k) => k in (value as Node));
      walk(holds ? n.then : n.else, `${path}/${holds ? "then" : "else"}`, value, pointer);
    }
    for (const key of ["oneOf", "anyOf", "allOf"] as const) {
      const branches = n[key];
      if (!Array.isArray(branches)) continue;
      branches.forEach((b, i) => {
        if (fits(b, value, root)) walk(b, `${path}/${key}/${i}`, value, pointer);
      });
    }
  };
  walk(schema, "", doc, "");
  return out;
}

/** Whether a branch's `type` (after a local `$ref`) admits the value's JSON type. */
function fits(branch: Json, value: Json, root: Node): boolean {
  let b = branch as Node;
  if (typeof b.$ref === "string" && b.$ref.startsWith("#/")) {
    b = b.$ref.slice(2).split("/").reduce<Json>((s, k) => (s as Node)[k], root) as Node;
  }
  if (b.type === undefined) return true;
  const type = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
  const types = ([] as Json[]).concat(b.type);
  return types.includes(type) || (type === "number" && types.includes("integer"));
}

/** A key as a JSON pointer segment. */
function escape(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** `doc` (deep-copied) with the object at `pointer` changed by `change`. */
export function editAt(doc: Json, pointer: string, change: (o: Node) => void): Json {
  const copy = structuredClone(doc);
  const target = pointer.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<Json>((o, k) => (o as Node)[k], copy) as Node;
  change(target);
  return copy;
}

/**
 * A loaded spec as JSON without the hashes of the file's bytes (`sha256`) and with object keys
 * sorted (a key written in the document comes earlier than a default filled in), so two documents
 * that mean the same, loaded from the same place, compare equal.
 */
export function comparable(spec: unknown): unknown {
  return JSON.parse(JSON.stringify(spec, (k, v) => {
    if (k === "sha256") return undefined;
    if (v instanceof Map) return [...v.entries()];
    if (v instanceof RegExp) return String(v);
    if (typeof v === "function") return "function";
    if (typeof v === "object" && v !== null && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0));
    }
    return v;
  }));
}

/**
 * A valid value of the property at `path` (a {@linkcode SchemaDefault} path) other than its
 * default `value`, by a generic rule: another enum member, the other boolean, a number one step
 * away within the bounds, an array of another enum member or of the numbers moved, a string with a
 * prefix. `null` when the rule finds none (the caller gives one, or skips).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { alternativeValue } from "./defaults_walk.ts";
 * const s = { properties: { p: { type: "number", maximum: 1, default: 1 }, b: { default: false } } };
 * assert.equal(alternativeValue(s, "properties/p", 1), 0.5);
 * assert.equal(alternativeValue(s, "properties/b", false), true);
 * ```
 */
export function alternativeValue(schema: Json, path: string, value: Json): Json {
  const node = path.split("/").reduce<Json>((s, k) => (s as Node)[k], schema) as Node;
  const options = (node.enum ?? (node.items as Node | undefined)?.enum) as Json[] | undefined;
  if (typeof value === "boolean") return !value;
  if (node.enum && options) return options.find((o) => o !== value) ?? null;
  if (typeof value === "number") {
    const max = node.maximum as number | undefined;
    const step = node.type === "integer" || Number.isInteger(value) ? 1 : value;
    return max !== undefined && value + step > max ? value / 2 : value + (step || 1);
  }
  if (Array.isArray(value)) {
    if (options) {
      const other = options.filter((o) => !value.includes(o));
      return other.length > 0 ? [other.at(-1)] : [options[0]];
    }
    if (value.length > 0 && value.every((v) => typeof v === "number")) {
      return value.map((v) => (v as number) + 1);
    }
    return null;
  }
  if (typeof value === "string") return `alt-${value}`;
  return null;
}

/**
 * For each site of each default: load with the key left out, with the default written, and with
 * another value; the first two must be equal, the third different.
 */
export async function checkDefaults(opts: {
  schema: unknown;
  doc: unknown;
  load: (doc: unknown) => Promise<unknown>;
  /** Values to use instead of {@linkcode alternativeValue}'s, by the end of the schema path; null skips. */
  alternatives: Record<string, unknown>;
}): Promise<string[]> {
  const { schema, doc, load, alternatives } = opts;
  const sites = defaultSites(schema, doc);
  const problems: string[] = [];
  const reached = new Set(sites.map((s) => s.path));
  for (const d of schemaDefaults(schema)) {
    if (!reached.has(d.path)) problems.push(`${d.path}: no fixture object reaches it`);
  }
  for (const site of sites) {
    const where = `${site.path} (at ${site.object || "/"})`;
    const variant = (value: unknown) =>
      editAt(doc, site.object, (o) => {
        if (value === undefined) delete o[site.key];
        else o[site.key] = structuredClone(value);
      });
    const attempt = async (value: unknown) => {
      try {
        return comparable(await load(variant(value)));
      } catch (err) {
        return `${JSON.stringify(value) ?? "leaving it out"} does not load: ${
          (err as Error).message
        }`;
      }
    };
    const left = await attempt(undefined);
    const written = await attempt(site.value);
    if (typeof left === "string" || typeof written === "string") {
      problems.push(`${where}: ${typeof left === "string" ? left : written}`);
      continue;
    }
    if (JSON.stringify(left) !== JSON.stringify(written)) {
      problems.push(
        `${where}: leaving it out is not the same as writing ${JSON.stringify(site.value)}`,
      );
    }
    const given = Object.keys(alternatives).find((k) => site.path.endsWith(k));
    const other = given !== undefined
      ? alternatives[given]
      : alternativeValue(schema, site.path, site.value);
    if (other === null) continue;
    const changed = await attempt(other);
    if (typeof changed === "string") problems.push(`${where}: ${changed}`);
    else if (JSON.stringify(changed) === JSON.stringify(written)) {
      problems.push(
        `${where}: writing ${JSON.stringify(other)} loads the same spec (key not read?)`,
      );
    }
  }
  return problems;
}
