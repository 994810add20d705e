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
 * ```
 */
export function compileExpr(source: string, opts: ExprOptions = {}): Expr {
  const now = opts.now ?? FIXED_NOW;
  let compiled: ReturnType<typeof jsonata>;
  try {
    compiled = jsonata(
      source,
      {
        timeout: exprLimits.timeoutMs,
        stack: exprLimits.stack,
      } as Parameters<typeof jsonata>[1],
    );
  } catch (err) {
    const e = err as { message?: string; position?: number; token?: string };
    throw new ExprSyntaxError(e.message ?? String(err), e.position ?? 0);
  }
  compiled.assign("now", () => new Date(now).toISOString());
  compiled.assign("millis", () => now);
  const clock = now === FIXED_NOW ? {} : { now };
  const fast = compileFast(compiled.ast(), { now });
  if (!fast) {
    return { source, ...clock, evaluate: (input, bindings) => compiled.evaluate(input, bindings) };
  }
  return {
    source,
    ...clock,
    evaluate(input, bindings) {
      try {
        return Promise.resolve(fast(input, bindings ?? {}));
      } catch (err) {
        if (err instanceof Fallback) return compiled.evaluate(input, bindings);
        throw err;
      }
    },
  };
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
