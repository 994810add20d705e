// The public surface stays documented: `deno doc --lint mod.ts` finds nothing but the five places
// where our API hands out an npm package's own type (Deno cannot lint through those; see
// docs/architecture.md).
import assert from "node:assert/strict";
import { repoFiles } from "./testdata/tree.ts";

/** The known, accepted findings: an npm package's type in a public signature. */
const ACCEPTED = [
  "public type 'ModelFolder[\"tokenizer\"]' references private type 'Tokenizer'",
  "public type 'createApp' references private type 'Hono'",
  "public type 'createModelApp' references private type 'Hono'",
  "public type 'tokenizeChat' references private type 'Tokenizer'",
  "public type 'toolAjv' references private type 'Ajv2020'",
];

Deno.test("deno doc --lint mod.ts: every public symbol documented, no private type exposed", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", "mod.ts"],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  const found = [...text.matchAll(/error\[[a-z-]+\]: (.+)/g)].map((m) => m[1].trim()).sort();
  assert.deepEqual(found, [...ACCEPTED].sort(), text.slice(0, 4000));
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
