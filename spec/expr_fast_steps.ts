/**
 * The runtime half of the JSONata fast path (expr_fast.ts compiles; this runs): frames of
 * variables, path steps over sequences (lookups, filters, flattening), built-ins applied with
 * their signature checks, and the walks over a syntax tree that compiling needs.
 *
 * @module
 */
import {
  type Builtin,
  BUILTINS,
  CONS,
  Fallback,
  isSeq,
  Lambda,
  restFits,
  seq,
  settle,
} from "./expr_fast_lib.ts";

/** The syntax tree node shape compiling reads (jsonata's `ast()`, as plain objects). */
export interface Node {
  type: string;
  value?: unknown;
  steps?: Node[];
  stages?: { type: string; expr: Node }[];
  predicate?: { type: string; expr: Node }[];
  lhs?: Node | [Node, Node][];
  rhs?: Node;
  arguments?: Node[];
  procedure?: Node;
  expressions?: Node[];
  condition?: Node;
  then?: Node;
  else?: Node;
  body?: Node;
  thunk?: boolean;
  signature?: unknown;
  keepArray?: boolean;
  consarray?: boolean;
  group?: unknown;
  focus?: unknown;
  index?: unknown;
  tuple?: unknown;
  expression?: Node;
  /** A sort step's `^(<a, >b)` terms. */
  terms?: { descending?: boolean; expression: Node }[];
}

/** Where the root input (`$$`) travels with the variables. */
export const ROOT = Symbol("root");
/** Where the clock (`$now()`, `$millis()`, epoch ms) travels with the variables. */
export const NOW = Symbol("now");
/**
 * A frame of variables: a block or a lambda call makes a new one whose prototype is the frame it
 * was made in, so lookups see outer bindings and `:=` binds locally, as JSONata's frames do.
 */
export type Vars = Record<string, unknown> & { [ROOT]?: unknown; [NOW]?: number };
/** A compiled node: its value over a context item, with a frame of variables. */
export type Fn = (ctx: unknown, vars: Vars) => unknown;

/** Filter stages (`[…]` after a node): conditions, or an index when the predicate is a number. */
export type Filter = { index: number } | { pred: (x: unknown, v: Vars) => boolean };

/** One compiled step of a path. */
export type Step = {
  /** A name looked up in each item; "" when the step is an expression. */
  name: string;
  variable: boolean;
  /** Filters of the step's own node (a variable's `$v[…]`): applied, then the result settled. */
  pre: Filter[];
  /** Filters after the step (`name[…]`), on what it gave each item. */
  filters: Filter[];
  /** A `^(…)` step: orders the whole sequence so far by its terms. */
  sort?: (items: unknown[], vars: Vars) => unknown[];
  /** A step that is an expression (`( … )`, `{ … }`, `$f(…)`…): evaluated with each item as context. */
  expr?: Fn;
};

/** One path step over an input sequence: look the name up in (or evaluate the step on) each item, filter, flatten. */
export function step(input: unknown[], s: Step, vars: Vars, last: boolean): unknown[] {
  if (s.sort) {
    // The whole sequence is sorted, then filtered as a whole; not flattened again.
    let sorted: unknown = s.sort(input, vars);
    for (const f of s.filters) sorted = filter(sorted, f, vars);
    return sorted as unknown[];
  }
  const results: unknown[] = [];
  for (const item of input) {
    let res = s.expr ? s.expr(item, vars) : lookup(item, s.name);
    for (const f of s.pre) res = filter(res, f, vars);
    if (s.expr || s.pre.length > 0) res = settle(res);
    for (const f of s.filters) res = filter(res, f, vars);
    if (res !== undefined) results.push(res);
  }
  return flattenStep(results, last);
}

/** A variable step: its value (filtered), flattened like any step. */
export function stepResults(values: unknown[], s: Step, vars: Vars, last: boolean) {
  const results: unknown[] = [];
  for (let res of values) {
    if (s.pre.length > 0) {
      for (const f of s.pre) res = filter(res, f, vars);
      res = settle(res);
    }
    for (const f of s.filters) res = filter(res, f, vars);
    if (res !== undefined) results.push(res);
  }
  return flattenStep(results, last);
}

export function flattenStep(results: unknown[], last: boolean): unknown[] {
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
export function lookup(item: unknown, name: string): unknown {
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
  if (item instanceof Lambda || item instanceof RegExp) throw new Fallback();
  // Own fields only: `constructor` or `toString` of a row is no value, as in jsonata.
  return Object.hasOwn(item, name) ? (item as Record<string, unknown>)[name] : undefined;
}

/** Keep the items a boolean predicate holds for, or the item at a literal index (from the end when negative). */
export function filter(input: unknown, f: Filter, vars: Vars): unknown {
  const items = Array.isArray(input) ? input : seq(input === undefined ? [] : [input]);
  if ("index" in f) {
    const at = f.index < 0 ? items.length + f.index : f.index;
    const item = items[at];
    if (item === undefined) return seq();
    return Array.isArray(item) ? item : seq([item]);
  }
  const out = seq();
  for (const item of items) if (f.pred(item, vars)) out.push(item);
  return out;
}

/** A built-in over settled arguments, with the checks of its signature the fast path keeps. */
export function applyBuiltin(builtin: Builtin, vals: unknown[], v: Vars): unknown {
  if (!builtin.arrays && vals.some((a) => Array.isArray(a))) throw new Fallback();
  for (let i = 1; i < vals.length; i++) {
    if (!restFits(builtin.rest[i - 1] ?? "", vals[i])) throw new Fallback();
  }
  const now = v[NOW];
  if (builtin.clock && now === undefined) throw new Fallback();
  return builtin.fn(vals, now ?? 0);
}

/**
 * Built-ins that may be passed as values (`$map(xs, $lowercase)`): those whose JSONata
 * implementation takes one parameter, so `$map` and `$filter` hand them the value alone.
 */
const FUNCTION_VALUES = new Set([
  "lowercase",
  "uppercase",
  "trim",
  "length",
  "number",
  "floor",
  "ceil",
  "abs",
  "boolean",
  "not",
  "exists",
  "count",
  "sum",
  "max",
  "min",
  "average",
  "type",
  "distinct",
]);

/** A variable's value: its binding, else a built-in function of that name as a value. */
export function variable(vars: Vars, name: string): unknown {
  if (name in vars) return vars[name];
  if (!FUNCTION_VALUES.has(name)) return undefined;
  return new Lambda((args) => applyBuiltin(BUILTINS[name], args.slice(0, 1), vars), 1);
}

/**
 * The names an expression binds (`$x := …`, lambda parameters): a call of any other name that is
 * no built-in can only reach a function passed in from outside — jsonata's.
 */
export function boundNames(n: Node, out = new Set<string>()): Set<string> {
  if (n === null || typeof n !== "object") return out;
  if (n.type === "bind" && typeof (n.lhs as Node)?.value === "string") {
    out.add((n.lhs as Node).value as string);
  }
  if (n.type === "lambda") {
    for (const a of n.arguments ?? []) if (typeof a.value === "string") out.add(a.value);
  }
  for (const v of Object.values(n)) {
    if (Array.isArray(v)) {
      for (const x of v) {
        if (Array.isArray(x)) x.forEach((y) => boundNames(y as Node, out));
        else boundNames(x as Node, out);
      }
    } else if (v !== null && typeof v === "object" && !(v instanceof RegExp)) {
      boundNames(v as Node, out);
    }
  }
  return out;
}

/** Whether evaluating `n` can bind a variable in the frame it runs in (not in a nested one). */
export function bindsHere(n: Node): boolean {
  if (n.type === "bind") return true;
  if (n.type === "block" || n.type === "lambda") return false;
  const kids: unknown[] = [
    n.lhs,
    n.rhs,
    n.condition,
    n.then,
    n.else,
    n.expression,
    n.procedure,
    ...(n.arguments ?? []),
    ...(n.expressions ?? []),
    ...(n.steps ?? []),
    ...(n.stages ?? []).map((s) => s.expr),
    ...(n.predicate ?? []).map((s) => s.expr),
    ...(n.terms ?? []).map((t) => t.expression),
  ];
  return kids.some((k) =>
    Array.isArray(k)
      ? k.some((pair) => Array.isArray(pair) && pair.some((p) => bindsHere(p as Node)))
      : k !== undefined && bindsHere(k as Node)
  );
}
