/**
 * The values and built-in functions of the JSONata fast path (expr_fast.ts): sequences, JSONata's
 * boolean cast and equality, lambdas, and the functions tools use most, each following JSONata's
 * own definition for the argument types it accepts. Any other argument — and any case where
 * JSONata would raise an error — throws `Fallback`, so jsonata itself answers.
 *
 * @module
 */

/** Thrown inside a compiled closure when the case is one jsonata must decide. */
export class Fallback extends Error {}

/** A JSONata sequence: an array the evaluator built, as opposed to an array in the data. */
const SEQ = Symbol("sequence");
/** Arrays made by `[…]`: kept whole inside paths. */
export const CONS = Symbol("cons");
type Seq = unknown[] & { [SEQ]?: true };

/** Mark `items` as a sequence (in place) and return it. */
export const seq = (items: unknown[] = []): unknown[] => {
  (items as Seq)[SEQ] = true;
  return items;
};
/** Whether `v` is an evaluator-built sequence. */
export const isSeq = (v: unknown): v is unknown[] => Array.isArray(v) && (v as Seq)[SEQ] === true;

/** A sequence of one is its value; of none, no value; arrays from the data stay arrays. */
export function unwrap(v: unknown): unknown {
  if (!isSeq(v)) return v;
  if (v.length === 0) return undefined;
  if (v.length === 1) return v[0];
  return Array.from(v);
}

/**
 * What jsonata's `evaluate` makes of a node's result: a sequence of none is no value, of one its
 * item; a longer sequence stays a sequence (it still flattens in a path, and `$distinct` keeps it).
 */
export function settle(v: unknown): unknown {
  if (!isSeq(v)) return v;
  return v.length === 0 ? undefined : v.length === 1 ? v[0] : v;
}

/** A `function($a, $b) { … }` value: its parameters, body, and where it was defined. */
export class Lambda {
  constructor(
    /** Calls the body with these arguments (missing ones are no value). */
    readonly invoke: (args: unknown[]) => unknown,
    /** How many parameters it declares ($map and $filter pass that many). */
    readonly arity: number,
  ) {}
}

/** JSONata's boolean cast. */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) {
    if (v.length === 1) return truthy(v[0]);
    return v.some(truthy);
  }
  if (typeof v === "string") return v.length > 0;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "boolean") return v;
  if (typeof v === "function" || v instanceof Lambda) return false;
  return Object.keys(v as object).length > 0;
}

/** JSONata's deep equality (functions only equal themselves). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (a instanceof Lambda || b instanceof Lambda) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length &&
    ka.every((k) =>
      deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
    );
}

/** A string argument, or jsonata decides (its type errors, its casts). */
export function str(v: unknown): string {
  if (typeof v !== "string") throw new Fallback();
  return v;
}

/** A number argument (finite), or jsonata decides. */
function num(v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new Fallback();
  return v;
}

/** An optional number argument: absent is absent, anything else must be a number. */
function optNum(v: unknown): number | undefined {
  return v === undefined ? undefined : num(v);
}

/** Strings JSONata and JS index alike: no surrogate pairs (JSONata counts code points). */
function plain(s: string): string {
  if (/[\uD800-\uDFFF]/.test(s)) throw new Fallback();
  return s;
}

/**
 * `$string` of a number, a string, a boolean or null, as JSONata writes them: a number that is
 * not an integer goes through 15 significant digits. Arrays, objects and functions are jsonata's.
 */
export function jsString(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Fallback();
    return JSON.stringify(Number.isInteger(v) ? v : Number(v.toPrecision(15)));
  }
  if (typeof v === "boolean" || v === null) return String(v);
  throw new Fallback();
}

/** The numbers of a `<a<n>>` argument: one number is an array of it; anything else is jsonata's. */
function numbers(v: unknown): number[] {
  const items = Array.isArray(v) ? v : [v];
  for (const x of items) num(x);
  return items as number[];
}

/** Round half to even at `places` decimals, shifting in the decimal notation as JSONata does. */
function roundHalfEven(x: number, places: number | undefined): number {
  const shift = (n: number, by: number) => {
    const [m, e] = n.toString().split("e");
    return +`${m}e${e ? +e + by : by}`;
  };
  let v = places ? shift(x, places) : x;
  let r = Math.round(v);
  if (Math.abs(r - v) === 0.5 && Math.abs(r % 2) === 1) r -= 1;
  v = places ? shift(r, -places) : r;
  return Object.is(v, -0) ? 0 : v;
}

/** JSONata's pattern for `$toMillis` without a picture. */
const ISO_8601 =
  /^\d{4}(-[01]\d)?(-[0-3]\d)?(T[0-2]\d:[0-5]\d:[0-5]\d)?(\.\d+)?([+-][0-2]\d:?[0-5]\d|Z)?$/;
/** The strings `$number` reads as decimal numbers. */
const DECIMAL = /^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/;

/** A regex argument the fast path can use like JSONata: no captures, no empty match. */
function safeRegex(v: unknown): RegExp | null {
  if (!(v instanceof RegExp)) return null;
  // A capture group would add its text to `split`'s parts; an empty match loops differently.
  if (/\((?!\?:)/.test(v.source.replace(/\\./g, "")) || new RegExp(v.source, v.flags).test("")) {
    throw new Fallback();
  }
  return v;
}

/** Call a function value with the arguments a higher-order function offers, as many as it takes. */
function callBack(f: unknown, value: unknown, index: number, all: unknown[]): unknown {
  if (!(f instanceof Lambda)) throw new Fallback();
  return f.invoke([value, index, all].slice(0, f.arity));
}

/**
 * JSONata's sort: a top-down merge sort (split at the middle, merge taking the right item only
 * when `after(left, right)`), so any comparator orders items exactly as jsonata's does. A plain
 * array, as jsonata returns; one item or none comes back as given.
 */
export function mergeSort(items: unknown[], after: (a: unknown, b: unknown) => boolean): unknown[] {
  if (items.length <= 1) return items;
  const sort = (xs: unknown[]): unknown[] => {
    if (xs.length <= 1) return xs;
    const mid = Math.floor(xs.length / 2);
    const l = sort(xs.slice(0, mid)), r = sort(xs.slice(mid));
    const out: unknown[] = [];
    let i = 0, j = 0;
    while (i < l.length && j < r.length) out.push(after(l[i], r[j]) ? r[j++] : l[i++]);
    while (i < l.length) out.push(l[i++]);
    while (j < r.length) out.push(r[j++]);
    return out;
  };
  return sort(items);
}

/** A built-in: its accepted argument counts, and whether its arguments may be arrays. */
export interface Builtin {
  /** Argument counts it is compiled for (others are jsonata's: context arguments, say). */
  arity: readonly number[];
  /** Whether any argument may be an array (else an array argument is jsonata's). */
  arrays: boolean;
  /**
   * The types of the arguments after the first, checked even when the first is absent (JSONata
   * checks a call's signature before the function's "no value in, no value out"): `s` string,
   * `n` number, `r` string or regex, `f` function; none given, any value. An absent argument
   * passes.
   */
  rest: string;
  /** The function, over settled argument values. */
  fn: (args: unknown[], now: number) => unknown;
  /** It reads the clock (`$now`, `$millis`): without one given to compileFast, jsonata's. */
  clock?: boolean;
}

const fixed = (arity: number[], fn: Builtin["fn"], arrays = false, rest = ""): Builtin => ({
  arity,
  arrays,
  rest,
  fn,
});

/** Whether an argument after the first has the type its signature asks for (see `Builtin.rest`). */
export function restFits(kind: string, v: unknown): boolean {
  if (v === undefined) return true;
  switch (kind) {
    case "s":
      return typeof v === "string";
    case "n":
      return typeof v === "number" && Number.isFinite(v);
    case "r":
      return typeof v === "string" || v instanceof RegExp;
    case "f":
      return v instanceof Lambda;
    default:
      return true;
  }
}
/** `undefined in, undefined out` for the first argument, the rule of most of JSONata's functions. */
const first = (fn: (a: unknown, rest: unknown[], now: number) => unknown): Builtin["fn"] =>
(
  args,
  now,
) => (args[0] === undefined ? undefined : fn(args[0], args.slice(1), now));

/** The built-in functions of the fast path, by name (without `$`). */
export const BUILTINS: Record<string, Builtin> = {
  not: fixed([1], first((a) => !truthy(a)), true),
  exists: fixed([1], ([a]) => a !== undefined, true),
  count: fixed([1], ([a]) => (a === undefined ? 0 : Array.isArray(a) ? a.length : 1), true),
  boolean: fixed([1], first((a) => truthy(a)), true),
  lowercase: fixed([1], first((a) => str(a).toLowerCase())),
  uppercase: fixed([1], first((a) => str(a).toUpperCase())),
  trim: fixed([1], first((a) => str(a).replace(/[ \t\n\r]+/g, " ").trim())),
  length: fixed([1], first((a) => plain(str(a)).length)),
  contains: fixed(
    [2],
    first((a, [b]) => {
      const s = str(a);
      const re = safeRegex(b);
      if (re) return new RegExp(re.source, re.flags.replace("g", "")).test(s);
      return s.includes(str(b));
    }),
    false,
    "r",
  ),
  substring: fixed(
    [2, 3],
    first((a, [start, length]) => {
      const s = plain(str(a));
      let from = num(start);
      const len = optNum(length);
      if (s.length + from < 0) from = 0;
      if (len === undefined) return s.slice(from);
      if (len <= 0) return "";
      const end = from >= 0 ? from + len : s.length + from + len;
      return s.slice(from, end);
    }),
    false,
    "nn",
  ),
  substringBefore: fixed(
    [2],
    first((a, [b]) => {
      const s = str(a), at = s.indexOf(str(b));
      return at > -1 ? s.slice(0, at) : s;
    }),
    false,
    "s",
  ),
  substringAfter: fixed(
    [2],
    first((a, [b]) => {
      const s = str(a), c = str(b), at = s.indexOf(c);
      return at > -1 ? s.slice(at + c.length) : s;
    }),
    false,
    "s",
  ),
  split: fixed(
    [2],
    first((a, [b]) => {
      const s = str(a);
      const re = safeRegex(b);
      return re ? s.split(new RegExp(re.source, re.flags)) : s.split(str(b));
    }),
    false,
    "r",
  ),
  join: fixed(
    [1, 2],
    first((a, [sep]) => {
      const parts = Array.isArray(a) ? a : [a];
      return parts.map(str).join(sep === undefined ? "" : str(sep));
    }),
    true,
    "s",
  ),
  string: fixed([1], first((a) => jsString(a))),
  number: fixed(
    [1],
    first((a) => {
      if (typeof a === "number") return num(a);
      if (typeof a === "boolean") return a ? 1 : 0;
      if (typeof a === "string" && DECIMAL.test(a)) {
        const n = parseFloat(a);
        if (Number.isFinite(n)) return n;
      }
      throw new Fallback();
    }),
  ),
  floor: fixed([1], first((a) => Math.floor(num(a)))),
  ceil: fixed([1], first((a) => Math.ceil(num(a)))),
  abs: fixed([1], first((a) => Math.abs(num(a)))),
  round: fixed(
    [1, 2],
    first((a, [p]) => {
      const places = optNum(p);
      if (places !== undefined && !Number.isInteger(places)) throw new Fallback();
      return roundHalfEven(num(a), places);
    }),
    false,
    "n",
  ),
  sum: fixed([1], first((a) => numbers(a).reduce((t, x) => t + x, 0)), true),
  max: fixed(
    [1],
    first((a) => {
      const xs = numbers(a);
      return xs.length === 0 ? undefined : Math.max(...xs);
    }),
    true,
  ),
  min: fixed(
    [1],
    first((a) => {
      const xs = numbers(a);
      return xs.length === 0 ? undefined : Math.min(...xs);
    }),
    true,
  ),
  average: fixed(
    [1],
    first((a) => {
      const xs = numbers(a);
      return xs.length === 0 ? undefined : xs.reduce((t, x) => t + x, 0) / xs.length;
    }),
    true,
  ),
  type: fixed(
    [1],
    first((a) => {
      if (a === null) return "null";
      if (Array.isArray(a)) return "array";
      if (a instanceof Lambda) return "function";
      const t = typeof a;
      if (t === "number" || t === "string" || t === "boolean") return t;
      if (t === "object") return "object";
      throw new Fallback();
    }),
    true,
  ),
  distinct: fixed(
    [1],
    first((a) => {
      if (!Array.isArray(a) || a.length <= 1) return a;
      const out: unknown[] = isSeq(a) ? seq() : [];
      for (const x of a) if (!out.some((y) => deepEqual(x, y))) out.push(x);
      return out;
    }),
    true,
  ),
  map: fixed(
    [2],
    first((a, [f]) => {
      const items = Array.isArray(a) ? a : [a];
      const out = seq();
      items.forEach((x, i) => {
        const r = settle(callBack(f, x, i, items));
        if (r !== undefined) out.push(r);
      });
      return out;
    }),
    true,
    "f",
  ),
  filter: fixed(
    [2],
    first((a, [f]) => {
      const items = Array.isArray(a) ? a : [a];
      const out = seq();
      items.forEach((x, i) => {
        if (truthy(settle(callBack(f, x, i, items)))) out.push(x);
      });
      return out;
    }),
    true,
    "f",
  ),
  replace: fixed(
    [3],
    first((a, [pattern, by]) => {
      // A regex, an empty pattern (an error) or `$` in the replacement (match references): jsonata.
      if (typeof pattern !== "string" || pattern === "" || typeof by !== "string") {
        throw new Fallback();
      }
      if (by.includes("$")) throw new Fallback();
      return str(a).split(pattern).join(by);
    }),
    false,
    "rs",
  ),
  lookup: fixed(
    [2],
    first((a, [key]) => {
      if (typeof a !== "object" || a === null || Array.isArray(a) || a instanceof Lambda) {
        throw new Fallback();
      }
      const k = str(key);
      return Object.hasOwn(a, k) ? (a as Record<string, unknown>)[k] : undefined;
    }),
    false,
    "s",
  ),
  sort: fixed(
    [1, 2],
    first((a, [f]) => {
      // Signature <af?:a>: one value is an array of it.
      if (!Array.isArray(a)) return [a];
      if (a.length <= 1) return a;
      if (f === undefined) {
        const kind = typeof a[0];
        if ((kind !== "number" && kind !== "string") || a.some((x) => typeof x !== kind)) {
          throw new Fallback();
        }
        return mergeSort(a, (x, y) => (x as number) > (y as number));
      }
      if (!(f instanceof Lambda)) throw new Fallback();
      // jsonata tests the comparator's result as JavaScript does, not with its boolean cast.
      return mergeSort(a, (x, y) => Boolean(f.invoke([x, y])));
    }),
    true,
    "f",
  ),
  keys: fixed(
    [1],
    first((a) => {
      // An object's own keys; over arrays (the union of each item's keys): jsonata's.
      if (typeof a !== "object" || a === null || Array.isArray(a) || a instanceof Lambda) {
        throw new Fallback();
      }
      return seq(Object.keys(a));
    }),
    true,
  ),
  toMillis: fixed(
    [1],
    first((a) => {
      const s = str(a);
      if (!ISO_8601.test(s)) throw new Fallback();
      return Date.parse(s);
    }),
  ),
  now: { ...fixed([0], (_, now) => new Date(now).toISOString()), clock: true },
  millis: { ...fixed([0], (_, now) => now), clock: true },
  // Signature <a<o>:o>: one object or an array of objects only (anything else is jsonata's type
  // error). jsonata's merged object has no prototype; this one is a plain object, as the object
  // constructor's: V8 keeps prototype-less objects in dictionary mode, which made every state and
  // observation holding a merged row ~5× slower to serialize. (A "__proto__" key would set the
  // prototype of a plain object: jsonata's case.)
  merge: fixed(
    [1],
    first((a) => {
      const objs = Array.isArray(a) ? a : [a];
      const out: Record<string, unknown> = {};
      for (const o of objs) {
        if (typeof o !== "object" || o === null || Array.isArray(o) || o instanceof Lambda) {
          throw new Fallback();
        }
        for (const k of Object.keys(o)) {
          if (k === "__proto__") throw new Fallback();
          out[k] = (o as Record<string, unknown>)[k];
        }
      }
      return out;
    }),
    true,
  ),
  // Signature <xx:a>: a missing side gives the other as it is; otherwise a new plain array.
  append: fixed([2], ([a, b]) => {
    if (a === undefined) return b;
    if (b === undefined) return a;
    if (a instanceof Lambda || b instanceof Lambda) throw new Fallback();
    return (Array.isArray(a) ? a : [a]).concat(Array.isArray(b) ? b : [b]);
  }, true),
};
