/**
 * What the parts of loading one environment share: where the document is, the problems found so
 * far and the files read so far. Every part records its problems here and goes on, so one load
 * reports them all, in the order they were found.
 * @module
 */
import type { SpecIssue } from "../errors.ts";
import {
  compileExpr,
  compileTemplate,
  type Expr,
  ExprSyntaxError,
  type Template,
} from "../expr.ts";
import type { SourceFile, SpecLocation } from "../types.ts";
import type { Located } from "../yaml.ts";

/** A located problem at a JSON pointer of the document (`key`: point at the key, not its value). */
export type At = (pointer: string, message: string, hint?: string, key?: boolean) => SpecIssue;

/** One environment document being loaded. */
export interface EnvContext {
  /** The env file. */
  readonly file: string;
  /** The parsed document, with positions. */
  readonly doc: Located;
  /** Every problem found so far, in the order found. */
  readonly issues: SpecIssue[];
  /** The files read so far with their hashes, in the order read (the env's hash covers them so). */
  readonly files: SourceFile[];
  /** Makes a located problem. */
  readonly at: At;
  /** Where a value of the document is, for problems found only at run time. */
  where(pointer: string): SpecLocation;
  /** Record `key` at index `i`, or report it as a duplicate of the first one. */
  unique(
    index: Map<string, number>,
    key: string,
    i: number,
    o: { pointer: string; what: string; list: string },
  ): void;
}

/** An {@linkcode EnvContext} that also compiles the document's JSONata under its clock. */
export interface ExprContext extends EnvContext {
  /** The expression at `pointer`, or undefined with its problem recorded. */
  expr(source: string, pointer: string): Expr | undefined;
  /** The `{{…}}` template at `pointer`, or undefined with its problem recorded. */
  template(source: string, pointer: string): Template | undefined;
}

/**
 * The context for loading `doc`, starting from the files already read (the spec itself).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseYaml } from "../yaml.ts";
 * import { envContext } from "./context.ts";
 * const ctx = envContext(parseYaml("tools:\n  - name: a\n", "e.yaml"), []);
 * ctx.issues.push(ctx.at("/tools/0/name", "bad"));
 * assert.ok(ctx.issues[0].line === 2 && ctx.where("/tools/0").pointer === "/tools/0");
 * ```
 */
export function envContext(doc: Located, files: SourceFile[]): EnvContext {
  const file = doc.file;
  const issues: SpecIssue[] = [];
  const at: At = (pointer, message, hint, key = false) => ({
    file,
    pointer,
    ...doc.locate(pointer, { key }),
    message,
    hint,
  });
  return {
    file,
    doc,
    issues,
    files,
    at,
    where: (pointer) => lazyLocation(doc, pointer),
    unique(index, key, i, o) {
      const first = index.get(key);
      if (first === undefined) index.set(key, i);
      else {
        issues.push(
          at(
            o.pointer,
            `duplicate ${o.what} "${key}" (also ${o.list}/${first})`,
            `each ${o.what} must be unique in an environment; rename one`,
          ),
        );
      }
    },
  };
}

/**
 * `ctx` with JSONata compilers whose `$now()` is `clock.now`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseYaml } from "../yaml.ts";
 * import { envContext, withExprs } from "./context.ts";
 * const ctx = withExprs(envContext(parseYaml("a: 1\n", "e.yaml"), []), { now: 0 });
 * assert.ok(ctx.expr("1 +", "/a") === undefined && ctx.issues[0].message.startsWith("bad JSONata"));
 * ```
 */
export function withExprs(ctx: EnvContext, clock: { now: number }): ExprContext {
  const exprIssue = (err: unknown, source: string, pointer: string): SpecIssue => {
    const e = err as ExprSyntaxError;
    const pos = e instanceof ExprSyntaxError ? e.position : 0;
    return ctx.at(
      pointer,
      `bad JSONata expression: ${e.message}`,
      `near character ${pos} of ${
        JSON.stringify(source.length > 60 ? source.slice(0, 60) + "…" : source)
      }; check brackets, quotes and $function names`,
    );
  };
  return {
    ...ctx,
    expr(source, pointer) {
      try {
        return compileExpr(source, clock);
      } catch (err) {
        ctx.issues.push(exprIssue(err, source, pointer));
        return undefined;
      }
    },
    template(source, pointer) {
      try {
        return compileTemplate(source, clock);
      } catch (err) {
        ctx.issues.push(exprIssue(err, source, pointer));
        return undefined;
      }
    },
  };
}

/**
 * Where `pointer` is, with its line and column looked up when first read: a valid spec keeps
 * such locations for problems that may come up at run time, and finding a position may mean
 * parsing the file a second, slower way (spec/yaml.ts).
 */
function lazyLocation(doc: Located, pointer: string): SpecLocation {
  let pos: { line: number; col: number } | undefined;
  const at = () => (pos ??= doc.locate(pointer));
  return Object.defineProperties({ file: doc.file, pointer } as SpecLocation, {
    line: { get: () => at().line, enumerable: true },
    col: { get: () => at().col, enumerable: true },
  });
}
