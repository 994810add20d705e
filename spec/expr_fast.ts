/**
 * A fast path for the JSONata expressions tools use: field paths with boolean and index filters,
 * comparisons, `in`, `and`/`or`, `&`, arithmetic, conditions, array and object constructors (also
 * as path steps: `rows.{…}`, `rows.(…)`, `rows.$f(…)`), blocks with `:=` bindings, lambdas
 * `function($x) { … }` with the calls and `$map`/`$filter` that use them, and the built-in
 * functions of expr_fast_lib.ts. They are compiled to plain closures that follow JSONata's own
 * rules (sequences flattened along paths and unwrapped when they hold one value, `undefined` for
 * no value, deep `=`, strict `in`, frames for variables). Anything else — and any case where
 * JSONata would raise an error — is left to jsonata itself, so results and error messages are
 * JSONata's. A differential test runs every built-in expression both ways.
 *
 * @module
 */
import {
  BUILTINS,
  CONS,
  deepEqual,
  Fallback,
  isSeq,
  jsString,
  Lambda,
  mergeSort,
  seq,
  settle,
  truthy,
  unwrap,
} from "./expr_fast_lib.ts";
import {
  applyBuiltin,
  bindsHere,
  boundNames,
  type Filter,
  filter,
  type Fn,
  type Node,
  NOW,
  ROOT,
  type Step,
  step,
  stepResults,
  variable,
  type Vars,
} from "./expr_fast_steps.ts";

export { Fallback };

/** Options of `compileFast`. */
export interface FastOptions {
  /** What `$now()` and `$millis()` give (epoch milliseconds); jsonata's clock when absent. */
  now?: number;
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
 * const g = compileFast(jsonata("($n := $count(state.items); 'n=' & $string($n))").ast())!;
 * assert.ok(g({ state: { items: [1, 2] } }, {}) === "n=2");
 * ```
 */
export function compileFast(
  ast: unknown,
  opts: FastOptions = {},
): ((input: unknown, vars: Record<string, unknown>) => unknown) | null {
  let f: Fn;
  try {
    bound = boundNames(ast as Node);
    f = node(ast as Node);
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  } finally {
    bound = new Set();
  }
  return (input, vars) => {
    const frame: Vars = Object.assign(Object.create(null), vars);
    frame[ROOT] = input;
    if (opts.now !== undefined) frame[NOW] = opts.now;
    const out = unwrap(f(input, frame));
    // A function as the result is jsonata's to hand over.
    if (out instanceof Lambda) throw new Fallback();
    return out;
  };
}

/**
 * The names the expression being compiled binds (`$x := …`, lambda parameters): a call of any
 * other name that is no built-in can only reach a function passed in from outside — jsonata's.
 */
let bound = new Set<string>();

class Unsupported extends Error {}
const no = (): never => {
  throw new Unsupported();
};

function filters(stages: { type: string; expr: Node }[] | undefined): Filter[] {
  return (stages ?? []).map((st) => {
    if (st.type !== "filter") no();
    return st.expr.type === "number" ? { index: Math.floor(st.expr.value as number) } : {
      pred: predicate(st.expr),
    };
  });
}

function node(n: Node): Fn {
  if (n.keepArray || n.group || n.focus || n.index || n.tuple) no();
  const f = bare(n);
  // A name's or variable's filters are its path step's (see `path`).
  if (!n.predicate || n.type === "name" || n.type === "variable") return f;
  const fs = filters(n.predicate);
  return (x, v) => {
    let r = f(x, v);
    for (const s of fs) r = filter(r, s, v);
    return r;
  };
}

function bare(n: Node): Fn {
  switch (n.type) {
    case "string":
    case "number":
    case "value": {
      const v = n.value;
      return () => v;
    }
    case "regex": {
      const re = n.value;
      if (!(re instanceof RegExp)) no();
      return () => re;
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
      ) => (truthy(unwrap(c(x, v))) ? settle(t(x, v)) : e ? settle(e(x, v)) : undefined);
    }
    case "unary":
      return unary(n);
    case "block":
      return block(n);
    case "bind": {
      const lhs = n.lhs as Node;
      if (lhs.type !== "variable" || typeof lhs.value !== "string" || lhs.value === "") no();
      const name = lhs.value as string, rhs = node(n.rhs!);
      return (x, v) => {
        const val = settle(rhs(x, v));
        v[name] = val;
        return val;
      };
    }
    case "lambda":
      return lambda(n);
    default:
      return no();
  }
}

/**
 * `(a; b)`: each expression in turn in a new frame, the last one's value, settled as jsonata's
 * evaluate does (a sequence of one is its item, of none no value; longer sequences stay).
 */
function block(n: Node): Fn {
  const fns = (n.expressions ?? []).map(node);
  if (fns.length === 0) no();
  const binds = (n.expressions ?? []).some(bindsHere);
  return (x, v) => {
    const frame: Vars = binds ? Object.create(v) : v;
    let r: unknown;
    for (const f of fns) r = f(x, frame);
    return settle(r);
  };
}

/**
 * `function($a, $b) { body }`: a value that, called, binds its parameters in a frame made from
 * the one it was defined in and evaluates the body over the input it was defined with. A body
 * marked `thunk` is a tail call jsonata trampolines: the same value, evaluated in place.
 */
function lambda(n: Node): Fn {
  if (n.thunk) {
    if ((n.arguments ?? []).length > 0) no();
    return node(n.body!);
  }
  if (n.signature !== undefined) no();
  const params = (n.arguments ?? []).map((a) => {
    if (a.type !== "variable" || typeof a.value !== "string") no();
    return a.value as string;
  });
  const body = node(n.body!);
  return (x, v) =>
    new Lambda((args) => {
      const frame: Vars = Object.create(v);
      params.forEach((p, i) => (frame[p] = args[i]));
      return settle(body(x, frame));
    }, params.length);
}

function path(n: Node): Fn {
  const steps = n.steps!;
  if (steps.length === 0) no();
  const compiled = steps.map((s, i): Step => {
    if (s.keepArray || s.group || s.focus || s.index || s.tuple) no();
    const pre = filters(s.predicate);
    // An array constructor first in a path is evaluated once over the whole input: jsonata's.
    if (i === 0 && s.consarray) no();
    const fs = filters(s.stages);
    if (s.type === "name" || s.type === "variable") {
      if (s.type === "variable" && i > 0) no();
      return { name: String(s.value), variable: s.type === "variable", pre, filters: fs };
    }
    if (s.type === "sort") {
      if (i === 0) no();
      if (pre.length > 0) no();
      return { name: "", variable: false, pre, filters: fs, sort: sorter(s) };
    }
    if (s.type === "wildcard" || s.type === "descendant") no();
    if (s.type === "parent" || s.type === "apply" || s.type === "transform") no();
    return { name: "", variable: false, pre, filters: fs, expr: bare({ ...s, stages: undefined }) };
  });
  const general: Fn = (input, vars) => {
    let current: unknown[];
    const first = compiled[0];
    if (first.variable) {
      const v = first.name === ""
        ? input
        : first.name === "$"
        ? vars[ROOT]
        : variable(vars, first.name);
      // A variable step evaluates to its value once, whatever the input.
      current = stepResults([v], first, vars, compiled.length === 1);
      for (let i = 1; i < compiled.length && current.length > 0; i++) {
        current = step(current, compiled[i], vars, i === compiled.length - 1);
      }
    } else {
      current = Array.isArray(input) ? input : seq(input === undefined ? [] : [input]);
      for (let i = 0; i < compiled.length && (i === 0 || current.length > 0); i++) {
        current = step(current, compiled[i], vars, i === compiled.length - 1);
      }
    }
    return current;
  };
  if (compiled.some((s) => s.filters.length > 0 || s.pre.length > 0 || s.expr || s.sort)) {
    return general;
  }
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
      cur = first.name === ""
        ? input
        : first.name === "$"
        ? vars[ROOT]
        : variable(vars, first.name);
    } else if (Array.isArray(input)) return general(input, vars);
    for (let i = from; i < names.length; i++) {
      if (cur === null || typeof cur !== "object") return undefined;
      if (Array.isArray(cur)) return general(input, vars);
      if (cur instanceof Lambda) throw new Fallback();
      cur = Object.hasOwn(cur, names[i]) ? (cur as Record<string, unknown>)[names[i]] : undefined;
    }
    return isSeq(cur) ? general(input, vars) : cur;
  };
}

/**
 * `^(<a, >b)`: each term evaluated on both items, the first difference deciding; no value sorts
 * last; terms must give numbers or strings of one type (else jsonata's error).
 */
function sorter(n: Node): (items: unknown[], vars: Vars) => unknown[] {
  const terms = (n.terms ?? []).map((t) => ({
    down: t.descending === true,
    f: node(t.expression),
  }));
  if (terms.length === 0) no();
  return (items, vars) =>
    mergeSort(items, (a, b) => {
      let comp = 0;
      for (let i = 0; comp === 0 && i < terms.length; i++) {
        const aa = settle(terms[i].f(a, vars)), bb = settle(terms[i].f(b, vars));
        if (aa === undefined) {
          comp = bb === undefined ? 0 : 1;
          continue;
        }
        if (bb === undefined) {
          comp = -1;
          continue;
        }
        const ta = typeof aa, tb = typeof bb;
        if ((ta !== "string" && ta !== "number") || ta !== tb) throw new Fallback();
        if (aa === bb) continue;
        comp = (aa as number) < (bb as number) ? -1 : 1;
        if (terms[i].down) comp = -comp;
      }
      return comp === 1;
    });
}

function predicate(expr: Node): (x: unknown, v: Vars) => boolean {
  const f = node(expr);
  return (x, v) => {
    const r = unwrap(f(x, v));
    if (typeof r === "number" || (Array.isArray(r) && r.some((y) => typeof y === "number"))) {
      throw new Fallback("numeric predicate");
    }
    return truthy(r);
  };
}

function binary(n: Node): Fn {
  const l = node(n.lhs as Node), r = node(n.rhs!);

  switch (n.value) {
    case "and":
      return (x, v) => truthy(unwrap(l(x, v))) && truthy(unwrap(r(x, v)));
    case "or":
      return (x, v) => truthy(unwrap(l(x, v))) || truthy(unwrap(r(x, v)));
    case "&":
      return (x, v) => {
        const a = unwrap(l(x, v)), b = unwrap(r(x, v));
        return (a === undefined ? "" : jsString(a)) + (b === undefined ? "" : jsString(b));
      };
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

/**
 * `$name(args)`: a lambda bound to that name, else a built-in. Arguments are settled as jsonata
 * evaluates them; a built-in's arity, array arguments and argument types outside its signature
 * are jsonata's.
 */
function call(n: Node): Fn {
  const p = n.procedure;
  if (!p || p.type !== "variable" || typeof p.value !== "string" || p.predicate) return no();
  const name = p.value;
  const args = (n.arguments ?? []).map((a) => {
    // `?` placeholders make a partial application: jsonata's.
    if (a.type === "operator") no();
    return node(a);
  });
  const builtin = Object.hasOwn(BUILTINS, name) ? BUILTINS[name] : undefined;
  const fits = builtin !== undefined && builtin.arity.includes(args.length);
  if (!fits && !bound.has(name)) no();
  return (x, v) => {
    const vals = args.map((a) => settle(a(x, v)));
    if (name in v) {
      // A variable of that name: a lambda is called; anything else (a binding that shadows a
      // built-in with a non-function, a native function passed in) is jsonata's.
      const f = v[name];
      if (!(f instanceof Lambda)) throw new Fallback();
      return f.invoke(vals);
    }
    if (!fits) throw new Fallback();
    return applyBuiltin(builtin, vals, v);
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
    // Duplicate literal keys are a JSONata error.
    const literal = pairs.map(([k]) => k).filter((k) => typeof k === "string");
    if (new Set(literal).size !== literal.length) no();
    return (x, v) => {
      // Over a sequence of inputs an object constructor groups by key: jsonata's job.
      if (Array.isArray(x)) throw new Fallback();
      const out: Record<string, unknown> = {};
      const seen = new Set<string>();
      for (const [k, f] of pairs) {
        // A computed key: no value skips the pair; a non-string, a key another pair gave, or one
        // of jsonata's reserved names is its error.
        const key = typeof k === "string" ? k : unwrap(k(x, v));
        if (key === undefined) continue;
        if (typeof key !== "string" || seen.has(key) || key === "__proto__") throw new Fallback();
        if (key === "_jsonata_lambda" || key === "_jsonata_function") throw new Fallback();
        seen.add(key);
        const val = unwrap(f(x, v));
        if (val instanceof Lambda) throw new Fallback();
        if (val !== undefined) out[key] = val;
      }
      return out;
    };
  }
  return no();
}
