import assert from "node:assert/strict";
import { loadSuite } from "../spec/mod.ts";
import { envTable } from "./env_table.ts";

/** Table rows as trimmed cells, so Markdown column alignment does not matter. */
const cells = (md: string) =>
  md.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| :")).map((l) =>
    l.split("|").slice(1, -1).map((c) => c.trim())
  );

Deno.test("README: the environment table shows the suites' current figures", async () => {
  const table = envTable(await loadSuite("suites/full.yaml"), await loadSuite("suite.yaml"));
  const readme = await Deno.readTextFile("README.md");
  const at = readme.indexOf("| environment |");
  assert.ok(at >= 0, "README has the table");
  const end = readme.indexOf("\n\n", at);
  assert.deepEqual(cells(readme.slice(at, end)), cells(table));
});
