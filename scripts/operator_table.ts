/**
 * The operator table of docs/variants.md, written from the operator registry (each operator's
 * `name` and `doc`): `deno run --allow-read --allow-write scripts/operator_table.ts` rewrites it
 * in place (then `deno fmt docs/variants.md` aligns the columns); scripts/operator_table_test.ts
 * fails when the docs' table differs from the registry's.
 */
import { operators } from "../variants/ops/mod.ts";
import type { Operator } from "../variants/types.ts";

/** Where the table starts in docs/variants.md: its header row. */
export const OPERATOR_TABLE_HEADER = "| operator | options (default) | what the agent sees |";

/**
 * The Markdown table of the given operators, one row each, in registry order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { operatorTable } from "./operator_table.ts";
 * import { operators } from "../variants/ops/mod.ts";
 * assert.ok(operatorTable(Object.values(operators)).includes("| `faults` |"));
 * ```
 */
export function operatorTable(ops: readonly Operator[]): string {
  return [
    OPERATOR_TABLE_HEADER,
    "| :-- | :-- | :-- |",
    ...ops.map((o) => `| \`${o.name}\` | ${o.doc.options} | ${o.doc.sees} |`),
  ].join("\n");
}

/** `doc` (a docs/variants.md text) with its operator table replaced by `table`. */
export function withOperatorTable(doc: string, table: string): string {
  const at = doc.indexOf("| operator ");
  if (at < 0) {
    throw new Error("Cannot find the operator table as 'doc' must hold a '| operator |' row");
  }
  const end = doc.indexOf("\n\n", at);
  return doc.slice(0, at) + table + doc.slice(end);
}

if (import.meta.main) {
  const path = "docs/variants.md";
  const doc = await Deno.readTextFile(path);
  await Deno.writeTextFile(path, withOperatorTable(doc, operatorTable(Object.values(operators))));
  console.log(`wrote ${path}; run deno fmt ${path} to align its columns`);
}
