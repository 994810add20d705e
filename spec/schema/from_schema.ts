/**
 * The TypeScript type of the documents a JSON Schema accepts, derived at type level from a schema
 * written `as const`: what lets a loader's raw-document type come from the schema's one source
 * instead of being written again beside it. It covers what the spec schemas use for data shapes —
 * `type` (one or several), `enum`, `const`, `properties` with `required`, `additionalProperties`,
 * `items`, `oneOf`/`anyOf` and `$ref` into a given `$defs` — and is `unknown` elsewhere.
 * @module
 */

/** The type of a JSON Schema `type` name. */
export type TypeOf<T> = T extends "string" ? string
  : T extends "number" | "integer" ? number
  : T extends "boolean" ? boolean
  : T extends "null" ? null
  : T extends "array" ? unknown[]
  : T extends "object" ? Record<string, unknown>
  : unknown;

/** One object type from a mapped intersection (for readable hovers and errors). */
export type Flat<T> = { [K in keyof T]: T[K] } & unknown;

/** An object schema's properties: those in `R` required, the rest optional. */
export type ObjectOf<P, R, D> = Flat<
  & { -readonly [K in keyof P & R]: FromSchema<P[K], D> }
  & { -readonly [K in Exclude<keyof P, R>]?: FromSchema<P[K], D> }
>;

/**
 * What schema `S` accepts; `D` holds the `$defs` that `$ref: "#/$defs/<name>"` points into.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FromSchema } from "./from_schema.ts";
 * const schema = {
 *   type: "object",
 *   required: ["method"],
 *   properties: { method: { enum: ["GET", "POST"] }, path: { type: "string" } },
 * } as const;
 * const request: FromSchema<typeof schema> = { method: "GET" };
 * assert.equal(request.method, "GET");
 * ```
 */
export type FromSchema<S, D = Record<never, never>> = S extends { const: infer C } ? C
  : S extends { enum: readonly (infer E)[] } ? E
  : S extends { $ref: `#/$defs/${infer N}` } ? (N extends keyof D ? FromSchema<D[N], D> : unknown)
  : S extends { oneOf: readonly (infer O)[] } ? FromSchema<O, D>
  : S extends { anyOf: readonly (infer O)[] } ? FromSchema<O, D>
  : S extends { properties: infer P }
    ? ObjectOf<P, S extends { required: readonly (infer R)[] } ? R : never, D>
  : S extends { type: "object"; additionalProperties: infer A }
    ? (A extends boolean ? Record<string, unknown> : Record<string, FromSchema<A, D>>)
  : S extends { type: "array"; items: infer I } ? FromSchema<I, D>[]
  : S extends { type: readonly (infer T)[] } ? TypeOf<T>
  : S extends { type: infer T } ? TypeOf<T>
  : unknown;
