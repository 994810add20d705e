// The public surface stays documented: `deno doc --lint mod.ts` finds nothing. Where our API would
// hand out an npm package's class (Hono, Tokenizer, ajv), it names our own narrow interface instead
// (HttpApp, TextTokenizer, ToolValidator), which Deno can lint.
import assert from "node:assert/strict";
import { repoFiles } from "./testdata/tree.ts";

Deno.test("deno doc --lint mod.ts: every public symbol documented, no private type exposed", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", "mod.ts"],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  const found = [...text.matchAll(/error\[[a-z-]+\]: (.+)/g)].map((m) => m[1].trim()).sort();
  assert.deepEqual(found, [], text.slice(0, 4000));
  assert.equal(out.code, 0, text.slice(0, 4000));
});

Deno.test("doc examples assert with node:assert, whose failures fail the run (console.assert only prints)", async () => {
  const found: string[] = [];
  for await (const p of repoFiles(".", (name) => name.endsWith(".ts"))) {
    (await Deno.readTextFile(p)).split("\n").forEach((l, i) => {
      if (/^\s*\*.*\bconsole\.assert\(/.test(l)) found.push(`${p}:${i + 1}`);
    });
  }
  assert.deepEqual(found, [], 'use assert.ok (import assert from "node:assert/strict") instead');
});
