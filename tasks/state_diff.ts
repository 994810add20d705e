import type { State } from "../spec/types.ts";
import { canonicalJson } from "./same_value.ts";

const clip = (s: string) => (s.length > 160 ? `${s.slice(0, 160)}…` : s);

/**
 * Where two states first differ, table by table (in sorted table order, rows in order, object
 * key order ignored): a sentence naming the table and the row, or null when they are equal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stateDiff } from "./state_diff.ts";
 * const want = { todos: [{ id: "t1", done: true }] };
 * assert.ok(stateDiff(want, { todos: [{ done: true, id: "t1" }] }) === null);
 * const why = stateDiff(want, { todos: [{ id: "t1", done: false }] })!;
 * assert.ok(why.startsWith('table "todos" differs at row 0'));
 * ```
 */
export function stateDiff(expected: State, actual: State): string | null {
  const tables = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  for (const t of tables) {
    const want = expected[t], got = actual[t];
    if (want === undefined) {
      return `table "${t}" is not in the expected state, but the final state has it`;
    }
    if (got === undefined) return `table "${t}" is missing from the final state`;
    const n = Math.max(want.length, got.length);
    for (let i = 0; i < n; i++) {
      const w = want[i] === undefined ? undefined : canonicalJson(want[i]);
      const g = got[i] === undefined ? undefined : canonicalJson(got[i]);
      if (w === g) continue;
      const rows = `expected ${want.length} rows, got ${got.length}`;
      if (g === undefined) {
        return `table "${t}" differs at row ${i}: ${rows}; missing ${clip(w!)}`;
      }
      if (w === undefined) {
        return `table "${t}" differs at row ${i}: ${rows}; extra ${clip(g)}`;
      }
      const counts = want.length === got.length ? "" : ` (${rows})`;
      return `table "${t}" differs at row ${i}${counts}: expected ${clip(w)}, got ${clip(g)}`;
    }
  }
  return null;
}
