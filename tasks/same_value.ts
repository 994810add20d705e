/**
 * JSON text of a value with object keys sorted, so equal values give equal text whatever order
 * their keys were written in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalJson } from "./same_value.ts";
 * assert.ok(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }) === '{"a":[2,{"c":4,"d":3}],"b":1}');
 * ```
 */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sorted(v)) ?? "undefined";
}

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/**
 * Whether two JSON values are equal (object key order ignored; a missing value equals only a
 * missing value).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sameValue } from "./same_value.ts";
 * assert.ok(sameValue({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }));
 * assert.ok(!sameValue(1, "1") && !sameValue(undefined, null));
 * ```
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return a === b;
  return canonicalJson(a) === canonicalJson(b);
}
