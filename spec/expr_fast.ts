/**
 * A fast path for the JSONata expressions tools use most: field paths with boolean filters,
 * comparisons, `in`, `and`/`or`, conditions, array and object constructors, blocks `( … )` (also
 * as a path step, the "update one row" shape `[state.t.(id = $args.id ? $merge([$, {…}]) : $)]`),
 * `:=` bindings inside blocks, literal index selection (`[0]`, `[-1]`), `&`, object keys computed
 * by an expression, and a few functions ($not, $exists, $count, $lowercase, $uppercase, $trim,
 * $contains, $merge, $append, $lookup, $keys, $sum, $max, $string, $substring). They are compiled
 * to plain
 * closures that follow JSONata's own rules (sequences flattened along paths and unwrapped when they
 * hold one value, `undefined` for no value, deep `=`, strict `in`). Anything else — and any case
 * where JSONata would raise an error — is left to jsonata itself, so results and error messages
 * are JSONata's. A differential test runs every built-in expression both ways.
 */

/** Thrown inside a compiled closure when the case is one jsonata must decide. */
export class Fallback extends Error {}

/** Where the root input (`$$`) travels with the variables. */
const ROOT = Symbol("root");
type Vars = Record<string, unknown> & { [ROOT]?: unknown };
type Fn = (ctx: unknown, vars: Vars) => unknown;

interface Node {
  type: string;
  value?: unknown;
  steps?: Node[];
  stages?: { type: string; expr: Node }[];
  lhs?: Node | [Node, Node][];
  rhs?: Node;
  arguments?: Node[];
  procedure?: Node;
  expressions?: Node[];
  condition?: Node;
  then?: Node;
  else?: Node;
  keepArray?: boolean;
  consarray?: boolean;
  group?: unknown;
  focus?: unknown;
  index?: unknown;
  tuple?: unknown;
  predicate?: unknown;
  expression?: Node;
}

/** A JSONata sequence: an array the evaluator built, as opposed to an array in the data. */
const SEQ = Symbol("sequence");
type Seq = unknown[] & { [SEQ]?: true };
const seq = (items: unknown[] = []): Seq => {
  (items as Seq)[SEQ] = true;
  return items;
};
const isSeq = (v: unknown): v is Seq => Array.isArray(v) && (v as Seq)[SEQ] === true;
/** Arrays made by `[…]`: kept whole inside paths. */
const CONS = Symbol("cons");

/** A sequence of one is its value; of none, no value; arrays from the data stay arrays. */
function unwrap(v: unknown): unknown {
  if (!isSeq(v)) return v;
  if (v.length === 0) return undefined;
  if (v.length === 1) return v[0];
  return Array.from(v);
}

/**
 * Compile a parsed JSONata AST (`jsonata(src).ast()`) when every node is in the supported
 * subset; null otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import jsonata from "jsonata";
 * import { compileFast } from "./expr_fast.ts";
 * const f = compileFast(jsonata("state.items[id = $args.id].qty").ast())!;
 * assert.ok(f({ state: { items: [{ id: "a", qty: 2 }] } }, { args: { id: "a" } }) === 2);
 * ```
 */
export function compileFast(ast: unknown): ((input: unknown, vars: Vars) => unknown) | null {
  try {
    const f = node(ast as Node);
    return (input, vars) => unwrap(f(input, { ...vars, [ROOT]: input }));
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
}

class Unsupported extends Error {}
const no = (): never => {
  throw new Unsupported();
};

function node(n: Node): Fn {
  // `$x[0]` outside a path: a path of one step with that predicate.
  if ((n.type === "variable" || n.type === "name") && n.predicate && !n.stages) {
    const { predicate, ...rest } = n;
    return path({ type: "path", steps: [{ ...rest, stages: predicate as Node["stages"] }] });
  }
  if (n.keepArray || n.group || n.focus || n.index || n.tuple || n.predicate) no();
  switch (n.type) {
    case "string":
    case "number":
    case "value": {
      const v = n.value;
      return () => v;
    }
    case "path":
      return path(n);
    case "name":
    case "variable":
      return path({ type: "path", steps: [n] });
    case "binary":
      return binary(n);
    case "function":
      return call(n);
    case "condition": {
      const c = node(n.condition!), t = node(n.then!), e = n.else ? node(n.else) : undefined;
      return (
        x,
        v,
      ) => (truthy(unwrap(c(x, v))) ? unwrap(t(x, v)) : e ? unwrap(e(x, v)) : undefined);
    }
    case "unary":
      return unary(n);
    case "block":
      return block(n);
    default:
      return no();
  }
}

/**
 * `(a; b)`: each expression in turn, the last one's value, unwrapped as jsonata's evaluate does
 * (a sequence of one is its item, of none no value; longer sequences stay sequences). Without
 * `:=` bindings (not in the subset) the block's own frame changes nothing.
 */
function block(n: Node): Fn {
  const exprs = n.expressions ?? [];
  if (exprs.length === 0) no();
  const fns = exprs.map((e): Fn => {
    if (e.type !== "bind") return node(e);
    const target = e.lhs as Node;
    if (target.type !== "variable" || typeof target.value !== "string" || !target.value) no();
    const name = String(target.value), rhs = node(e.rhs!);
    return (x, v) => (v[name] = unwrap(rhs(x, v)));
  });
  const binds = exprs.some((e) => e.type === "bind");
  return (x, v) => {
    // A block is a frame of its own: bindings made in it end with it.
    const scope: Vars = binds ? { ...v } : v;
    let r: unknown;
    for (const f of fns) r = f(x, scope);
    return isSeq(r) ? (r.length === 0 ? undefined : r.length === 1 ? r[0] : r) : r;
  };
}

function path(n: Node): Fn {
  const steps = n.steps!;
  if (steps.length === 0) no();
  const compiled = steps.map((s, i): Step => {
    if (s.keepArray || s.group || s.focus || s.index || s.tuple || s.predicate) no();
    if ((s.type === "variable" || s.type === "function") && i > 0) no();
    if (!["name", "variable", "block", "function"].includes(s.type)) no();
    const filters = (s.stages ?? []).map((st) => {
      if (st.type !== "filter") no();
      if (st.expr.type === "number") return index(st.expr.value);
      return predicate(st.expr);
    });
    return {
      name: String(s.value),
      variable: s.type === "variable" || s.type === "function",
      filters,
      ...(s.type === "block" ? { block: block(s) } : {}),
      // `$f(…).x`: a call first, evaluated once against the input, as a variable is.
      ...(s.type === "function" ? { call: call({ ...s, stages: undefined }) } : {}),
    };
  });
  const general: Fn = (input, vars) => {
    let current: unknown[];
    const first = compiled[0];
    if (first.variable) {
      const v = first.call
        ? unwrap(first.call(input, vars))
        : first.name === ""
        ? input
        : first.name === "$"
        ? vars[ROOT]
        : vars[first.name];
      // A variable step evaluates to its value once, whatever the input.
      current = stepResults([v], first.filters, vars, compiled.length === 1);
      for (let i = 1; i < compiled.length; i++) {
        current = step(current, compiled[i], vars, i === compiled.length - 1);
      }
    } else {
      current = Array.isArray(input) ? input : seq(input === undefined ? [] : [input]);
      for (let i = 0; i < compiled.length; i++) {
        current = step(current, compiled[i], vars, i === compiled.length - 1);
      }
    }
    return current;
  };
  if (compiled.some((s) => s.filters.length > 0 || s.block || s.call)) return general;
  // Plain names (`id`, `$args.id`, `state.items`) through single objects, the common case: walk
  // them without building sequences. Callers unwrap, and unwrapped, the general path gives the
  // same value (a sequence of one is its item, of none no value, an array from the data stays
  // whole). An array on the way means mapping and flattening: the general path.
  const first = compiled[0];
  const names = compiled.map((s) => s.name);
  const from = first.variable ? 1 : 0;
  return (input, vars) => {
    let cur: unknown = input;
    if (first.variable) {
      cur = first.name === "" ? input : first.name === "$" ? vars[ROOT] : vars[first.name];
    } else if (Array.isArray(input)) return general(input, vars);
    for (let i = from; i < names.length; i++) {
      if (cur === null || typeof cur !== "object") return undefined;
      if (Array.isArray(cur)) return general(input, vars);
      cur = (cur as Record<string, unknown>)[names[i]];
    }
    return isSeq(cur) ? general(input, vars) : cur;
  };
}

type Pred = ((x: unknown, v: Vars) => boolean) & { at?: number };
type Step = {
  name: string;
  variable: boolean;
  filters: Pred[];
  /** A `( … )` step: evaluated with each item as the context, instead of a name lookup. */
  block?: Fn;
  /** A function call as the first step. */
  call?: Fn;
};

/** One path step over an input sequence: look the name up in (or run the block on) each item, filter, flatten. */
function step(input: unknown[], s: Step, vars: Vars, last: boolean): unknown[] {
  const results: unknown[] = [];
  for (const item of input) {
    let res = s.block ? s.block(item, vars) : lookup(item, s.name);
    for (const f of s.filters) res = filter(res, f, vars);
    if (res !== undefined) results.push(res);
  }
  return flattenStep(results, last);
}

/** A variable step: its value (filtered), flattened like any step. */
function stepResults(values: unknown[], filters: Step["filters"], vars: Vars, last: boolean) {
  const results: unknown[] = [];
  for (let res of values) {
    for (const f of filters) res = filter(res, f, vars);
    if (res !== undefined) results.push(res);
  }
  return flattenStep(results, last);
}

function flattenStep(results: unknown[], last: boolean): unknown[] {
  if (last && results.length === 1 && Array.isArray(results[0]) && !isSeq(results[0])) {
    return results[0] as unknown[];
  }
  const out = seq();
  for (const r of results) {
    if (!Array.isArray(r) || (r as { [CONS]?: true })[CONS]) out.push(r);
    else for (const x of r) out.push(x);
  }
  return out;
}

/** JSONata's field lookup: over arrays it maps and flattens; primitives have no fields. */
function lookup(item: unknown, name: string): unknown {
  if (Array.isArray(item)) {
    const out = seq();
    for (const x of item) {
      const r = lookup(x, name);
      if (r === undefined) continue;
      if (Array.isArray(r)) { for (const y of r) out.push(y); }
      else out.push(r);
    }
    return out;
  }
  if (item === null || typeof item !== "object") return undefined;
  return (item as Record<string, unknown>)[name];
}

/** Keep the items a boolean predicate holds for, or the one a literal index selects. */
function filter(input: unknown, pred: Pred, vars: Vars): unknown {
  const items = Array.isArray(input) ? input : seq(input === undefined ? [] : [input]);
  const out = seq();
  if (pred.at !== undefined) {
    const item = items[pred.at < 0 ? items.length + pred.at : pred.at];
    if (item !== undefined) out.push(item);
    return out;
  }
  for (const item of items) if (pred(item, vars)) out.push(item);
  return out;
}

/** `[0]`, `[-1]`: a literal whole number picks an item (from the end when negative). */
function index(value: unknown): Pred {
  if (typeof value !== "number" || !Number.isInteger(value)) no();
  return Object.assign(() => false, { at: value as number });
}

function predicate(expr: Node): Pred {
  const f = node(expr);
  return (x, v) => {
    const r = unwrap(f(x, v));
    if (typeof r === "number" || (Array.isArray(r) && r.some((y) => typeof y === "number"))) {
      throw new Fallback("numeric predicate");
    }
    return truthy(r);
  };
}

/** JSONata's boolean cast. */
function truthy(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) {
    if (v.length === 1) return truthy(v[0]);
    return v.some(truthy);
  }
  if (typeof v === "string") return v.length > 0;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "boolean") return v;
  if (typeof v === "function") return false;
  return Object.keys(v as object).length > 0;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
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

function binary(n: Node): Fn {
  const l = node(n.lhs as Node), r = node(n.rhs!);

  switch (n.value) {
    case "and":
      return (x, v) => truthy(unwrap(l(x, v))) && truthy(unwrap(r(x, v)));
    case "or":
      return (x, v) => truthy(unwrap(l(x, v))) || truthy(unwrap(r(x, v)));
    case "=":
    case "!=": {
      const eq = n.value === "=";
      return (x, v) => {
        const a = unwrap(l(x, v)), b = unwrap(r(x, v));
        if (a === undefined || b === undefined) return false;
        return deepEqual(a, b) === eq;
      };
    }
    case "<":
    case "<=":
    case ">":
    case ">=": {
      const op = n.value;
      return (x, v) => {
        const a = unwrap(l(x, v)), b = unwrap(r(x, v));
        const comparable = (y: unknown) => typeof y === "number" || typeof y === "string";
        // Mismatched or non-comparable operands are JSONata type errors: let it say so.
        if ((a !== undefined && !comparable(a)) || (b !== undefined && !comparable(b))) {
          throw new Fallback();
        }
        if (a === undefined || b === undefined) return undefined;
        if (typeof a !== typeof b) throw new Fallback();
        const p = a as number, q = b as number;
        return op === "<" ? p < q : op === "<=" ? p <= q : op === ">" ? p > q : p >= q;
      };
    }
    case "&":
      return (x, v) => text(unwrap(l(x, v))) + text(unwrap(r(x, v)));
    case "in":
      return (x, v) => {
        const a = unwrap(l(x, v)), b = unwrap(r(x, v));
        if (a === undefined || b === undefined) return false;
        return Array.isArray(b) ? b.some((y) => y === a) : b === a;
      };
    case "+":
    case "-":
    case "*":
    case "/":
    case "%": {
      const op = n.value;
      return (x, v) => {
        const a = unwrap(l(x, v)), b = unwrap(r(x, v));
        if (
          (a !== undefined && typeof a !== "number") || (b !== undefined && typeof b !== "number")
        ) {
          throw new Fallback();
        }
        if (a === undefined || b === undefined) return undefined;
        const out = op === "+"
          ? a + b
          : op === "-"
          ? a - b
          : op === "*"
          ? a * b
          : op === "/"
          ? a / b
          : a % b;
        if (!Number.isFinite(out)) throw new Fallback();
        return out;
      };
    }
    default:
      return no();
  }
}

const FUNCTIONS: Record<string, (args: unknown[]) => unknown> = {
  not: ([a]) => (a === undefined ? undefined : !truthy(a)),
  exists: ([a]) => a !== undefined,
  count: ([a]) => (a === undefined ? 0 : Array.isArray(a) ? a.length : 1),
  lowercase: ([a]) => (a === undefined ? undefined : str(a).toLowerCase()),
  uppercase: ([a]) => (a === undefined ? undefined : str(a).toUpperCase()),
  trim: ([a]) => (a === undefined ? undefined : str(a).replace(/[ \t\n\r]+/g, " ").trim()),
  contains: ([a, b]) => {
    if (a === undefined) return undefined;
    if (typeof b !== "string") throw new Fallback();
    return str(a).includes(b);
  },
  // Signature <a<o>:o>: one object or an array of objects only (anything else is jsonata's type
  // error). jsonata's merged object has no prototype; this one is a plain object, as the object
  // constructor's: V8 keeps prototype-less objects in dictionary mode, which made every state and
  // observation holding a merged row ~5× slower to serialize. (A "__proto__" key would set the
  // prototype of a plain object: jsonata's case.)
  merge: ([a]) => {
    if (a === undefined) return undefined;
    const objs = Array.isArray(a) ? a : [a];
    const out: Record<string, unknown> = {};
    for (const o of objs) {
      if (typeof o !== "object" || o === null || Array.isArray(o)) throw new Fallback();
      for (const k of Object.keys(o)) {
        if (k === "__proto__") throw new Fallback();
        out[k] = (o as Record<string, unknown>)[k];
      }
    }
    return out;
  },
  // An object's own value for a key; over arrays $lookup maps, which is jsonata's.
  lookup: ([o, k]) => {
    if (typeof k !== "string" || Array.isArray(o)) throw new Fallback();
    if (o === null || typeof o !== "object") return undefined;
    return Object.hasOwn(o, k) ? (o as Record<string, unknown>)[k] : undefined;
  },
  keys: ([o]) => {
    if (o === undefined) return undefined;
    if (o === null || typeof o !== "object" || Array.isArray(o)) throw new Fallback();
    return seq(Object.keys(o));
  },
  sum: ([a]) => (a === undefined ? undefined : numbers(a).reduce((p, q) => p + q, 0)),
  max: ([a]) => {
    if (a === undefined) return undefined;
    const ns = numbers(a);
    return ns.length ? Math.max(...ns) : undefined;
  },
  string: ([a]) => (a === undefined ? undefined : text(a)),
  // $substring(s, start): from `start` (from the end when negative), in code points.
  substring: ([a, start]) => {
    if (a === undefined) return undefined;
    if (typeof start !== "number" || !Number.isInteger(start)) throw new Fallback();
    const cps = Array.from(str(a));
    return cps.slice(start < 0 ? Math.max(0, cps.length + start) : start).join("");
  },
  // Signature <xx:a>: a missing side gives the other as it is; otherwise a new plain array.
  append: ([a, b]) => {
    if (a === undefined) return b;
    if (b === undefined) return a;
    if (typeof a === "function" || typeof b === "function") throw new Fallback();
    return (Array.isArray(a) ? a : [a]).concat(Array.isArray(b) ? b : [b]);
  },
};
const ARITY: Record<string, number> = {
  not: 1,
  exists: 1,
  count: 1,
  lowercase: 1,
  uppercase: 1,
  trim: 1,
  contains: 2,
  merge: 1,
  append: 2,
  lookup: 2,
  keys: 1,
  sum: 1,
  max: 1,
  string: 1,
  substring: 2,
};

const TAKE_ARRAYS = new Set(["count", "exists", "merge", "append", "lookup", "keys", "sum", "max"]);

/** The numbers of an array-or-number argument ($sum, $max); anything else is jsonata's error. */
function numbers(a: unknown): number[] {
  const ns = Array.isArray(a) ? a : [a];
  if (ns.some((x) => typeof x !== "number")) throw new Fallback();
  return ns as number[];
}

/** `&` and $string: strings as they are, whole numbers and booleans printed; the rest is jsonata's. */
function text(a: unknown): string {
  if (a === undefined) return "";
  if (typeof a === "string") return a;
  if (typeof a === "boolean") return String(a);
  if (typeof a === "number" && Number.isSafeInteger(a)) return String(a);
  throw new Fallback();
}

function str(v: unknown): string {
  if (typeof v !== "string") throw new Fallback();
  return v;
}

function call(n: Node): Fn {
  const p = n.procedure;
  if (!p || p.type !== "variable" || typeof p.value !== "string") return no();
  const name = p.value;
  const fn = FUNCTIONS[name];
  if (!fn || n.arguments?.length !== ARITY[name]) return no();
  const args = n.arguments!.map(node);
  return (x, v) => {
    // A user binding of the same name would shadow the built-in: leave that to jsonata.
    if (Object.hasOwn(v, name)) throw new Fallback();
    const vals = args.map((a) => unwrap(a(x, v)));
    // $count, $exists, $merge and $append take any sequence; the string functions take one value.
    if (!TAKE_ARRAYS.has(name) && vals.some((a) => Array.isArray(a))) {
      throw new Fallback();
    }
    return fn(vals);
  };
}

function unary(n: Node): Fn {
  if (n.value === "-") {
    const e = node(n.expression!);
    return (x, v) => {
      const a = unwrap(e(x, v));
      if (a === undefined) return undefined;
      if (typeof a !== "number") throw new Fallback();
      return -a;
    };
  }
  if (n.value === "[") {
    const items = (n.expressions ?? []).map((e) => ({
      f: node(e),
      nested: e.type === "unary" && e.value === "[",
    }));
    const cons = n.consarray === true;
    return (x, v) => {
      const out: unknown[] = [];
      for (const { f, nested } of items) {
        const val = unwrap(f(x, v));
        if (val === undefined) continue;
        if (nested || !Array.isArray(val)) out.push(val);
        else for (const y of val) out.push(y);
      }
      if (cons) Object.defineProperty(out, CONS, { value: true });
      return out;
    };
  }
  if (n.value === "{") {
    const pairs = (n.lhs as [Node, Node][]).map(([k, val]) =>
      [k.type === "string" ? String(k.value) : node(k), node(val)] as const
    );
    // Duplicate keys are a JSONata error.
    const literal = pairs.filter(([k]) => typeof k === "string").map(([k]) => k);
    if (new Set(literal).size !== literal.length) no();
    return (x, v) => {
      // Over a sequence of inputs an object constructor groups by key: jsonata's job.
      if (Array.isArray(x)) throw new Fallback();
      const out: Record<string, unknown> = {};
      const seen = new Set<string>();
      for (const [k, f] of pairs) {
        const key = typeof k === "string" ? k : unwrap(k(x, v));
        // A computed key must be a string, and one no other pair gave: else jsonata's error.
        if (typeof key !== "string" || key === "__proto__" || seen.has(key)) throw new Fallback();
        seen.add(key);
        const val = unwrap(f(x, v));
        if (val !== undefined) out[key] = val;
      }
      return out;
    };
  }
  return no();
}
