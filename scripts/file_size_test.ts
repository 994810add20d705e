// A file a newcomer can read in one sitting: no TypeScript source over 600 lines. Generated data
// (none is TypeScript today) would be listed here with the reason.
import assert from "node:assert/strict";
import { repoFiles } from "../testdata/tree.ts";

const LIMIT = 600;

Deno.test("layout: no TypeScript file is over 600 lines", async () => {
  const files = await Array.fromAsync(repoFiles(".", (name) => name.endsWith(".ts")));
  assert.ok(files.length > 300, `found only ${files.length} .ts files: the walk is broken`);
  const long: string[] = [];
  for (const f of files) {
    const text = await Deno.readTextFile(f);
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    if (lines > LIMIT) long.push(`${f}: ${lines} lines`);
  }
  assert.deepEqual(long, [], `split these files (limit ${LIMIT} lines)`);
});
