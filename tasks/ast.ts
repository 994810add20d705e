import type { Call } from "../spec/types.ts";

/** Deep equality for JSON values; object key order does not matter, numbers compare by value. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ka = Object.keys(a as object), kb = Object.keys(b as object);
  return ka.length === kb.length &&
    ka.every((k) =>
      Object.hasOwn(b as object, k) &&
      jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
    );
}

/**
 * Did the agent make the gold calls? True when every gold call appears, in order, among the
 * agent's calls (already mapped back to canonical names) with the same tool and equal arguments.
 * Other calls in between are allowed (lookups, retries). Tasks without gold calls match trivially.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { astMatch } from "./ast.ts";
 * const gold = [{ tool: "get_book", args: { book_id: "B1" } }];
 * assert.ok(astMatch(gold, [{ tool: "search_books", args: {} }, { tool: "get_book", args: { book_id: "B1" } }]));
 * assert.ok(!astMatch(gold, [{ tool: "get_book", args: { book_id: "B2" } }]));
 * ```
 */
export function astMatch(gold: readonly Call[], calls: readonly Call[]): boolean {
  let i = 0;
  for (const c of calls) {
    if (i < gold.length && c.tool === gold[i].tool && jsonEqual(c.args, gold[i].args)) i++;
  }
  return i === gold.length;
}
