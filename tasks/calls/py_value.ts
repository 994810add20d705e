/**
 * Python's view of JSON values, as BFCL's checker sees a decoded call: `3` is an int, `3.0` a
 * float, `True == 1`. JavaScript has one number type, so a float with an integral value that was
 * *written* as a float (`3.0`, `1e3`) is kept as a {@link PyFloat} by {@link parseJsonKeepFloats}.
 * @module
 */

/**
 * A number written as a float whose value is integral (`3.0`): a Python float, not an int.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PyFloat, pyType } from "./py_value.ts";
 * assert.ok(pyType(new PyFloat(3)) === "float" && pyType(3) === "int");
 * ```
 */
export class PyFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
    Object.freeze(this);
  }
  toJSON(): number {
    return this.value;
  }
}

/** The Python type name of a decoded JSON value. */
export type PyType = "str" | "int" | "float" | "bool" | "list" | "dict" | "NoneType";

/**
 * Python's `type(v).__name__` for a decoded JSON value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pyType } from "./py_value.ts";
 * assert.ok(pyType(2.5) === "float" && pyType(true) === "bool" && pyType({}) === "dict");
 * ```
 */
export function pyType(v: unknown): PyType {
  if (typeof v === "string") return "str";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (v instanceof PyFloat) return "float";
  if (Array.isArray(v)) return "list";
  if (v !== null && typeof v === "object") return "dict";
  return "NoneType";
}

/** The numeric value Python compares with `==`: numbers, PyFloats and bools (True is 1). */
function numeric(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (v instanceof PyFloat) return v.value;
  if (typeof v === "boolean") return v ? 1 : 0;
  return undefined;
}

/** A plain object that is a JSON dict (not a list, null or PyFloat). */
export function isDict(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof PyFloat);
}

/**
 * Python's `a == b` on decoded JSON: numbers and bools compare by value (`True == 1 == 1.0`),
 * lists element-wise, dicts by keys and values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pyEqual } from "./py_value.ts";
 * assert.ok(pyEqual(true, 1) && pyEqual([1, "a"], [1.0, "a"]) && !pyEqual("1", 1));
 * ```
 */
export function pyEqual(a: unknown, b: unknown): boolean {
  const na = numeric(a), nb = numeric(b);
  if (na !== undefined || nb !== undefined) return na !== undefined && na === nb;
  if (typeof a === "string" || typeof b === "string") return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length &&
      a.every((x, i) => pyEqual(x, b[i]));
  }
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length &&
      ka.every((k) => Object.hasOwn(b, k) && pyEqual(a[k], b[k]));
  }
  return (a ?? null) === (b ?? null);
}

/** Python's `x in container`: membership in a list, substring in a str, key in a dict. */
export function pyIn(x: unknown, container: unknown): boolean {
  if (Array.isArray(container)) return container.some((c) => pyEqual(x, c));
  if (typeof container === "string") return typeof x === "string" && container.includes(x);
  if (isDict(container)) return typeof x === "string" && Object.hasOwn(container, x);
  return false;
}

/** What Python's `for item in v` would walk: a list's items or a str's characters; else nothing. */
export function pyIter(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (typeof v === "string") return Array.from(v);
  return undefined;
}

/**
 * `JSON.parse`, except that integral numbers written as floats (`3.0`, `2e3`) become
 * {@link PyFloat}s, so a Python-typed checker can tell them from ints.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseJsonKeepFloats, PyFloat } from "./py_value.ts";
 * const v = parseJsonKeepFloats('{"a": 3.0, "b": 3}') as Record<string, unknown>;
 * assert.ok(v.a instanceof PyFloat && v.b === 3);
 * ```
 */
export function parseJsonKeepFloats(text: string): unknown {
  return JSON.parse(
    text,
    function (this: unknown, _key: string, value: unknown, context?: { source?: string }) {
      if (
        typeof value === "number" && Number.isInteger(value) && context?.source !== undefined &&
        /[.eE]/.test(context.source)
      ) return new PyFloat(value);
      return value;
    } as (key: string, value: unknown) => unknown,
  );
}

/** The same value with every {@link PyFloat} turned back into a plain number. */
export function plainJson(v: unknown): unknown {
  if (v instanceof PyFloat) return v.value;
  if (Array.isArray(v)) return v.map(plainJson);
  if (isDict(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainJson(x)]));
  return v;
}

/**
 * A call's canonical arguments as the agent spelled them: `text` (the arguments' JSON text, in
 * the names the agent saw) read with {@link parseJsonKeepFloats}, its keys renamed to the
 * canonical ones of `args`. Renaming goes by position, so it holds only where each value equals
 * its canonical twin; otherwise, or when nothing is spelled as a float, undefined (judge `args`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PyFloat, spelledArgs } from "./py_value.ts";
 * const s = spelledArgs({ radius: 1 }, '{"r": 1.0}')!;
 * assert.ok(s.radius instanceof PyFloat);
 * ```
 */
export function spelledArgs(
  args: Record<string, unknown>,
  text: string,
): Record<string, unknown> | undefined {
  if (!/[.eE]/.test(text)) return undefined;
  let kept: unknown;
  try {
    kept = parseJsonKeepFloats(text);
  } catch {
    return undefined;
  }
  if (!isDict(kept)) return undefined;
  const keys = Object.keys(args);
  const values = Object.values(kept);
  if (values.length !== keys.length) return undefined;
  const out: Record<string, unknown> = {};
  for (const [i, k] of keys.entries()) {
    if (JSON.stringify(plainJson(values[i])) !== JSON.stringify(args[k])) return undefined;
    out[k] = values[i];
  }
  return out;
}

/**
 * A copy of `value` with the integral numbers at `pointers` (JSON pointers) made {@link PyFloat}s:
 * how a spec that wrote `1.0` in YAML gets its spelling back.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PyFloat, withFloats } from "./py_value.ts";
 * const v = withFloats([{ f: { xs: [[1, 3]] } }], ["/0/f/xs/0/1"]) as { f: { xs: unknown[][] } }[];
 * assert.ok(v[0].f.xs[0][1] instanceof PyFloat && v[0].f.xs[0][0] === 1);
 * ```
 */
export function withFloats(value: unknown, pointers: readonly string[]): unknown {
  const copy = structuredClone(value);
  for (const ptr of pointers) {
    const segs = ptr.slice(1).split("/").map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
    const last = segs.pop()!;
    let node = copy as Record<string, unknown>;
    for (const s of segs) node = (node as Record<string, unknown>)?.[s] as Record<string, unknown>;
    if (node && typeof node[last] === "number") node[last] = new PyFloat(node[last] as number);
  }
  return copy;
}
