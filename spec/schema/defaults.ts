/**
 * Defaults are written once, as `default:` keywords in the schema sources (spec/schema/*.schema.ts),
 * so editors show them and the generated JSON carries them; the loaders take them from the
 * generated schema with {@linkcode withDefaults} instead of writing the values again.
 * spec/schema/defaults_test.ts (and training/spec_defaults_test.ts) check, for every `default:` in
 * the schemas, that leaving the key out loads the same spec as writing its default.
 * @module
 */

/** An object schema: a node of the generated JSON (or of an `as const` source) with properties. */
export interface ObjectSchema {
  /** The object's properties, some with a `default`. */
  readonly properties: { readonly [key: string]: unknown };
}

/** The property names of the object schema `S` that carry a `default`. */
export type DefaultedKeys<S> = S extends { properties: infer P }
  ? { [K in keyof P]: P[K] extends { default: unknown } ? K : never }[keyof P]
  : never;

/** The raw object `T` with every property that has a default in `S` present. */
export type WithDefaults<T, S> =
  & T
  & { [K in DefaultedKeys<S> & keyof T]-?: Exclude<T[K], undefined> };

/**
 * `raw` (a document's object, already valid against `schema`) with each property it leaves out
 * that has a `default:` in `schema` set to (a copy of) that default. `raw` itself is not changed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withDefaults } from "./defaults.ts";
 * const schema = { properties: { samples: { type: "integer", default: 1 }, note: { type: "string" } } };
 * const raw: { samples?: number; note?: string } = {};
 * const o = withDefaults(schema, raw);
 * assert.ok(o.samples === 1 && o.note === undefined);
 * assert.equal(withDefaults(schema, { samples: 3 }).samples, 3);
 * ```
 */
export function withDefaults<T extends object, S extends ObjectSchema>(
  schema: S,
  raw: T | undefined,
): WithDefaults<T, S> {
  const out: Record<string, unknown> = { ...raw };
  for (const [key, p] of Object.entries(schema.properties)) {
    if (out[key] === undefined && typeof p === "object" && p !== null && "default" in p) {
      // A copy: a default array or object must not be shared between loaded specs.
      out[key] = structuredClone(p.default);
    }
  }
  return out as WithDefaults<T, S>;
}

/**
 * The `default:` of one property of an object schema (a copy); throws when it has none, so a
 * default removed from the schema cannot silently become `undefined` in a loader.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { schemaDefault } from "./defaults.ts";
 * const schema = { properties: { max_turns: { type: "integer", default: 12 } } };
 * assert.equal(schemaDefault(schema, "max_turns"), 12);
 * ```
 */
export function schemaDefault<S extends ObjectSchema, K extends DefaultedKeys<S> & string>(
  schema: S,
  key: K,
): S["properties"][K] extends { default: infer D } ? D : never {
  const p = schema.properties[key];
  if (typeof p !== "object" || p === null || !("default" in p)) {
    throw new Error(
      `Cannot read a default as 'key' must name a property with a default: current value is ${key}`,
    );
  }
  return structuredClone(p.default) as S["properties"][K] extends { default: infer D } ? D
    : never;
}
