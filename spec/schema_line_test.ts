import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { parse } from "yaml";
import { specKind } from "./schema_line.ts";
import { repoFiles } from "../testdata/tree.ts";

// testdata/bad holds broken specs whose expected errors name line numbers.
const yamlFiles = (dir: string) =>
  repoFiles(dir, (name) => /\.ya?ml$/.test(name), [join("testdata", "bad")]);

Deno.test("every spec the project ships opens in an editor with its schema", async () => {
  const wrong: string[] = [];
  let specs = 0;
  for await (const file of yamlFiles(".")) {
    const text = await Deno.readTextFile(file);
    const kind = specKind(text);
    if (!kind || (parse(text) as Record<string, unknown> | null)?.tooltrial === undefined) continue;
    specs++;
    const schema = text.split("\n")[0].match(/^# yaml-language-server: \$schema=(.+)$/)?.[1];
    const want = relative(dirname(file), join("spec", "schema", `${kind}.json`));
    if (schema !== want) {
      wrong.push(`${file}: first line should be "# yaml-language-server: $schema=${want}"`);
    }
  }
  assert.ok(specs >= 30, `only ${specs} specs found`);
  assert.deepEqual(wrong, []);
});
