import assert from "node:assert/strict";
import { operators } from "../variants/ops/mod.ts";
import { operatorTable, withOperatorTable } from "./operator_table.ts";

/** Table rows as trimmed cells, so Markdown column alignment does not matter. */
const cells = (md: string) =>
  md.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| :")).map((l) =>
    l.split(" | ").map((c) => c.replace(/^\|/, "").replace(/\|$/, "").trim())
  );

Deno.test("docs/variants.md: the operator table is the registry's (scripts/operator_table.ts)", async () => {
  const table = operatorTable(Object.values(operators));
  const doc = await Deno.readTextFile("docs/variants.md");
  const at = doc.indexOf("| operator ");
  assert.ok(at >= 0, "docs/variants.md has the table");
  const written = doc.slice(at, doc.indexOf("\n\n", at));
  assert.deepEqual(
    cells(written),
    cells(table),
    "run deno run --allow-read --allow-write scripts/operator_table.ts && deno fmt docs/variants.md",
  );
  // Rewriting the file with the registry's table changes only the table.
  const rewritten = withOperatorTable(doc, table);
  assert.equal(rewritten.slice(0, at), doc.slice(0, at));
  assert.equal(rewritten.slice(rewritten.indexOf("\n\n", at)), doc.slice(doc.indexOf("\n\n", at)));
});
