// The README's "Write your own environment in five minutes" is examples/pantry/ and
// examples/my-suite.yaml: the files shown are these files, and they validate and run as shown.
import assert from "node:assert/strict";
import { runCli as cli } from "../testdata/cli.ts";

const FENCE = "`".repeat(3);

/** The README's fenced blocks: their language and their lines, list indentation removed. */
function blocks(md: string): { lang: string; lines: string[] }[] {
  const out: { lang: string; lines: string[] }[] = [];
  const lines = md.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(new RegExp(`^(\\s*)${FENCE}(\\w*)\\s*$`));
    if (!open) continue;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i].trim() !== FENCE; i++) {
      body.push(lines[i].slice(open[1].length));
    }
    out.push({ lang: open[2], lines: body });
  }
  return out;
}

const readme = blocks(await Deno.readTextFile(new URL("../README.md", import.meta.url)));

Deno.test("walkthrough: the README's example files are the ones in examples/", async () => {
  const shown = readme.filter((b) => b.lang === "yaml" && /^# examples\/\S+$/.test(b.lines[0]));
  assert.deepEqual(shown.map((b) => b.lines[0]), [
    "# examples/pantry/env.yaml",
    "# examples/my-suite.yaml",
  ]);
  for (const b of shown) {
    const file = await Deno.readTextFile(b.lines[0].slice(2));
    assert.equal(
      b.lines.slice(1).join("\n") + "\n",
      file,
      `${b.lines[0].slice(2)} as the README shows it`,
    );
  }
  assert.equal(await Deno.readTextFile("examples/pantry/items.csv"), "id,name,qty\np1,rice,2\n");
});

Deno.test("walkthrough: the example validates, and bench prints the README's rows", async () => {
  const v = await cli("validate", "examples/pantry/", "examples/my-suite.yaml");
  assert.equal(v.code, 0, v.err);
  const out = await Deno.makeTempDir();
  try {
    const r = await cli("bench", "examples/my-suite.yaml", "--out", out);
    assert.equal(r.code, 0, r.err);
    const table = readme.find((b) =>
      b.lines[0]?.startsWith("| agent | protocol | clean | renamed")
    );
    assert.ok(table, "the README shows the example's results");
    for (const row of table.lines.filter((l) => l.startsWith("|"))) {
      assert.ok(r.out.includes(row), `bench printed\n${r.out}\nwithout the README's row\n${row}`);
    }
    // The variants do what the walkthrough says: the memorizer loses what the oracle keeps.
    assert.match(r.out, /\| memorizer \| direct \| 100\.0% \| 0\.0% \(−100\.0\) \|/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
