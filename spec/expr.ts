import jsonata from "jsonata";
import { compileFast, Fallback } from "./expr_fast.ts";

/** A compiled JSONata expression with a time limit. */
export interface Expr {
  /** The expression as written. */
  readonly source: string;
  /** What `$now()` gives in it (epoch milliseconds), when not `FIXED_NOW`. */
  readonly now?: number;
  /** Evaluate over `input`; `bindings` become `$name` variables. Rejects on error or time-out. */
  evaluate(input: unknown, bindings?: Record<string, unknown>): Promise<unknown>;
}

/** A JSONata syntax error, with the character offset inside the expression. */
export class ExprSyntaxError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.name = "ExprSyntaxError";
    this.position = position;
  }
}

/**
 * Limits applied to every evaluation: wall time (ms) and nesting depth. (JSONata's own
 * sequence-length guard is left off: it wraps every sequence's push and costs ~20% per call;
 * the time limit already stops runaway expressions.)
 */
export const exprLimits: { timeoutMs: number; stack: number } = { timeoutMs: 1000, stack: 500 };

/**
 * A fixed clock so `$now()` and `$millis()` are deterministic in every run: this time, unless an
 * environment declares its own (`now:`).
 */
export const FIXED_NOW: number = Date.UTC(2026, 0, 15, 9, 0, 0);

/**
 * The epoch milliseconds of an ISO 8601 date or time (an env's `now:`), or null when it is not a
 * date in the calendar. A time without a zone is UTC, so the clock does not depend on where
 * tooltrial runs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNow } from "./expr.ts";
 * assert.ok(parseNow("2026-03-02T09:00") === Date.UTC(2026, 2, 2, 9));
 * assert.ok(parseNow("2026-02-30") === null);
 * ```
 */
export function parseNow(iso: string): number | null {
  const zoned = !iso.includes("T") || /(Z|[+-]\d{2}:\d{2})$/.test(iso);
  const ms = Date.parse(zoned ? iso : `${iso}Z`);
  const [y, m, d] = iso.slice(0, 10).split("-").map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  const real = day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
  return Number.isFinite(ms) && real ? ms : null;
}

/** Options of `compileExpr` and `compileTemplate`. */
export interface ExprOptions {
  /** What `$now()` and `$millis()` return (epoch milliseconds); default `FIXED_NOW`. */
  now?: number;
}

/**
 * Compile a JSONata expression; throws ExprSyntaxError on bad syntax.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileExpr } from "./expr.ts";
 * const e = compileExpr("$count(state.books[author = $args.a])");
 * const n = await e.evaluate({ state: { books: [{ author: "Le Guin" }] } }, { args: { a: "Le Guin" } });
 * assert.ok(n === 1);
 * const at = compileExpr("$now()", { now: Date.UTC(2025, 2, 1) });
 * assert.ok(await at.evaluate({}) === "2025-03-01T00:00:00.000Z");
 * assert.ok(compileExpr("a.b") === compileExpr("a.b") && compileExpr("$now()") !== at);
 * ```
 */
export function compileExpr(source: string, opts: ExprOptions = {}): Expr {
  const now = opts.now ?? FIXED_NOW;
  // Specs repeat expressions (one rule over many tools, one check over many tasks): a compiled
  // expression is immutable, so equal sources under equal limits share one.
  const key = `${exprLimits.timeoutMs}\0${exprLimits.stack}\0${now}\0${source}`;
  const known = compiledExprs.get(key);
  if (known) return known;
  const limits = { timeout: exprLimits.timeoutMs, stack: exprLimits.stack };
  const parse = () => {
    const compiled = jsonata(source, limits as Parameters<typeof jsonata>[1]);
    compiled.assign("now", () => new Date(now).toISOString());
    compiled.assign("millis", () => now);
    return compiled;
  };
  let compiled: ReturnType<typeof jsonata> | undefined;
  try {
    compiled = parse();
  } catch (err) {
    const e = err as { message?: string; position?: number; token?: string };
    throw new ExprSyntaxError(e.message ?? String(err), e.position ?? 0);
  }
  const clock = now === FIXED_NOW ? {} : { now };
  const ast = plainAst(compiled.ast());
  remember(parsedAsts, source, new WeakRef(ast as object));
  const fast = compileFast(ast, { now });
  // Where the fast path takes the expression, JSONata's own evaluator is needed only when it
  // steps aside (rarely): it is parsed again then, not kept (see plainAst for why).
  if (fast) compiled = undefined;
  const slow = (input: unknown, bindings?: Record<string, unknown>) =>
    (compiled ??= parse()).evaluate(input, bindings);
  const expr: Expr = !fast ? { source, ...clock, evaluate: slow } : {
    source,
    ...clock,
    evaluate(input, bindings) {
      try {
        return Promise.resolve(fast(input, bindings ?? {}));
      } catch (err) {
        if (err instanceof Fallback) return slow(input, bindings);
        throw err;
      }
    },
  };
  treeOf.set(expr, ast); // its tree lives as long as it does, for exprAst
  return remember(compiledExprs, key, expr);
}

/**
 * The JSONata syntax tree of an expression, for reading it (never change it: it is shared);
 * throws JSONata's error on bad syntax.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exprAst } from "./expr.ts";
 * assert.ok((exprAst("a.b") as { type: string }).type === "path");
 * assert.throws(() => exprAst("a.("));
 * ```
 */
export function exprAst(source: string): unknown {
  const known = parsedAsts.get(source)?.deref();
  if (known) return known;
  const ast = plainAst(jsonata(source).ast()) as object;
  remember(parsedAsts, source, new WeakRef(ast));
  return ast;
}

/**
 * A copy of a JSONata syntax tree in plain objects. JSONata's parser makes each node an heir of
 * its symbol table, built anew for every expression, so each tree brings its own hidden classes
 * and the parser's closures along: about 16 KiB an expression against 1.3 KiB for the copy. The
 * inherited fields that are data (`id`, `value`, `lbp`) become the copy's own; values that are
 * not plain objects or arrays (a regex literal) are shared.
 */
function plainAst(ast: unknown): unknown {
  const copies = new Map<object, unknown>();
  const copy = (v: unknown): unknown => {
    if (v === null || typeof v !== "object") return v;
    const done = copies.get(v);
    if (done !== undefined) return done;
    if (v instanceof RegExp) return v;
    // An array's own extra fields (flags the parser sets) come along with its items.
    const out: Record<string, unknown> = Array.isArray(v)
      ? [] as unknown as Record<string, unknown>
      : {};
    copies.set(v, out);
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      if (typeof x !== "function") out[k] = copy(x);
    }
    return out;
  };
  return copy(ast);
}

/**
 * Compiled expressions kept for reuse (the oldest go first), and where to find the syntax tree
 * of each source while anything still holds it: a spec's reference checks read the trees its
 * tools' expressions were compiled from, however many there are.
 */
const compiledExprs = new Map<string, Expr>();
const parsedAsts = new Map<string, WeakRef<object>>();
const treeOf = new WeakMap<Expr, unknown>();

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= (cache === compiledExprs ? 4096 : 1 << 16)) {
    cache.delete(cache.keys().next().value!);
  }
  cache.set(key, value);
  return value;
}

/** Message of a JSONata runtime error (they are plain objects with a code). */
export function exprErrorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  const e = err as { message?: string; code?: string };
  return e?.message ?? e?.code ?? String(err);
}

/** A text with `{{expr}}` holes. */
export interface Template {
  /** The template as written. */
  readonly source: string;
  /** Fill every hole from `input`, with `bindings` as `$name` variables. */
  render(input: unknown, bindings?: Record<string, unknown>): Promise<string>;
}

/**
 * Compile "text {{jsonata}} text"; throws ExprSyntaxError (position relative to the whole text).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileTemplate } from "./expr.ts";
 * const t = compileTemplate("unknown book {{$args.id}}");
 * assert.ok(await t.render({}, { args: { id: "b9" } }) === "unknown book b9");
 * ```
 */
export function compileTemplate(source: string, opts: ExprOptions = {}): Template {
  const parts: (string | Expr)[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf("{{", i);
    if (open < 0) break;
    const close = source.indexOf("}}", open + 2);
    if (close < 0) throw new ExprSyntaxError("unclosed '{{' in template", open);
    if (open > i) parts.push(source.slice(i, open));
    try {
      parts.push(compileExpr(source.slice(open + 2, close), opts));
    } catch (err) {
      const e = err as ExprSyntaxError;
      throw new ExprSyntaxError(e.message, open + 2 + (e.position ?? 0));
    }
    i = close + 2;
  }
  if (i < source.length) parts.push(source.slice(i));
  return {
    source,
    async render(input, bindings) {
      let out = "";
      for (const p of parts) {
        if (typeof p === "string") out += p;
        else {
          const v = await p.evaluate(input, bindings);
          out += v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v);
        }
      }
      return out;
    },
  };
}
