import { closeNames } from "./errors.ts";
import { exprAst } from "./expr.ts";

/** What an expression may refer to. */
export interface ExprScope {
  /** Names the input has at the top level: `state` (tools, state checks), or `answer` too. */
  roots: readonly string[];
  /** State tables → their known columns (undefined: not known, e.g. a handler may write any). */
  tables: ReadonlyMap<string, ReadonlySet<string> | undefined>;
  /** The tool's parameter names, for `$args.<param>`; undefined: not checked. */
  params?: readonly string[];
}

/** A name an expression reads that is not there. */
export interface ExprRefIssue {
  message: string;
  hint: string;
}

type Node = { type?: string; value?: unknown; [k: string]: unknown };

/** Keys of an AST node whose sub-expressions are evaluated against each item (not the input). */
const ROW_KEYS = new Set([
  "stages",
  "predicate",
  "group",
  "focus",
  "index",
  "tuple",
  "update",
  "delete",
]);

/**
 * Names an expression reads that cannot exist: a top-level name other than the input's
 * (`orders` for `state.orders`), an unknown state table (`state.ordrs`), an unknown column of a
 * table whose columns are known (`state.orders.totl`), or an argument the tool does not declare
 * (`$args.book`). Only names evaluated against the input are resolved — inside a filter, a
 * mapping step or a lambda, names are the row's fields and are left alone. Each comes with a
 * "did you mean".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exprRefIssues } from "./expr_refs.ts";
 * const scope = { roots: ["state"], tables: new Map([["orders", new Set(["id", "total"])]]), params: ["id"] };
 * const [a, b] = exprRefIssues("$count(state.ordrs[id = $args.idd])", scope);
 * assert.ok(a.message.includes('"ordrs"') && a.hint === 'did you mean "orders"?');
 * assert.ok(b.message.includes("$args.idd"));
 * assert.ok(exprRefIssues("state.orders[totl > 5].id", scope).length === 0); // a row's field
 * ```
 */
export function exprRefIssues(source: string, scope: ExprScope): ExprRefIssue[] {
  let ast: Node;
  try {
    ast = exprAst(source) as Node;
  } catch {
    return []; // syntax errors are reported where the expression is compiled
  }
  const out = new Map<string, ExprRefIssue>();
  const add = (message: string, hint: string) => out.set(message, { message, hint });
  const mean = (word: string, iterable: Iterable<string>, list: string) => {
    // An iterator (a map's keys) is read once: closeNames would leave nothing to list.
    const names = [...iterable];
    const close = closeNames(word, names, 1);
    return close.length ? `did you mean "${close[0]}"?` : `${list}: ${names.join(", ") || "none"}`;
  };

  const rootName = (steps: Node[]) => {
    const name = String(steps[0].value);
    if (!scope.roots.includes(name)) {
      const table = scope.tables.has(name);
      add(
        `expression reads "${name}" at the top level, where there is only ${
          scope.roots.map((r) => `"${r}"`).join(" and ")
        }`,
        table ? `a state table is read as state.${name}` : mean(name, scope.roots, "names"),
      );
      return;
    }
    if (name !== "state" || steps[1]?.type !== "name") return;
    const table = String(steps[1].value);
    if (!scope.tables.has(table)) {
      add(
        `expression reads unknown state table "${table}"`,
        mean(table, scope.tables.keys(), "tables"),
      );
      return;
    }
    const columns = scope.tables.get(table);
    if (!columns || steps[2]?.type !== "name") return;
    const column = String(steps[2].value);
    if (!columns.has(column)) {
      add(
        `expression reads state.${table}.${column}, but no row of ${table} has a "${column}"`,
        mean(column, columns, "columns"),
      );
    }
  };

  const walk = (node: unknown, atRoot: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, atRoot));
    if (!node || typeof node !== "object") return;
    const n = node as Node;
    if (n.type === "path" && Array.isArray(n.steps)) {
      const steps = n.steps as Node[];
      if (atRoot && steps[0]?.type === "name") rootName(steps);
      if (
        scope.params && steps[0]?.type === "variable" && steps[0].value === "args" &&
        steps[1]?.type === "name" && !scope.params.includes(String(steps[1].value))
      ) {
        add(
          `expression reads $args.${steps[1].value}, which the tool's parameters do not declare`,
          mean(String(steps[1].value), scope.params, "parameters"),
        );
      }
      steps.forEach((s, i) => walkChildren(s, i === 0 ? atRoot : false));
      walkChildren(n, false);
      return;
    }
    if (n.type === "lambda") return walk(n.body, false);
    walkChildren(n, atRoot);
  };
  const walkChildren = (n: Node, atRoot: boolean) => {
    for (const [k, v] of Object.entries(n)) {
      if (k === "steps" || k === "type" || k === "value" || k === "position") continue;
      if (v && typeof v === "object") walk(v, atRoot && !ROW_KEYS.has(k));
    }
  };
  walk(ast, true);
  return [...out.values()];
}

/** The `{{…}}` expressions of a template. */
export function templateParts(source: string): string[] {
  return [...source.matchAll(/\{\{([^]*?)\}\}/g)].map((m) => m[1]);
}

/** String keys of the object constructors in an expression (columns an effect may write). */
export function constructedKeys(source: string): string[] {
  let ast: unknown;
  try {
    ast = exprAst(source);
  } catch {
    return [];
  }
  const keys: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== "object") return;
    const n = node as Node;
    if (n.type === "unary" && n.value === "{" && Array.isArray(n.lhs)) {
      for (const pair of n.lhs as Node[][]) {
        if (pair[0]?.type === "string") keys.push(String(pair[0].value));
      }
    }
    for (const [k, v] of Object.entries(n)) if (k !== "position") walk(v);
  };
  walk(ast);
  return keys;
}
