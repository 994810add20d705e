// The data flow of the layout is a rule: a package imports only packages below it.
import assert from "node:assert/strict";
import { repoFiles } from "./testdata/tree.ts";
import { dirname, join, normalize, relative } from "node:path";

/**
 * Each package's floor, lowest first: core (and version.ts) ← spec ← tasks ← tools ← variants and
 * onnx (the ONNX runtime and model builder, which know nothing of episodes) ← runners ← reports
 * and importers ← run (a run's life: bench, resume, reproduce, merge) ← serve and training ← cli/
 * (the table of commands) and mod.ts ← cli.ts (the entry). Scripts, benchmarks, model builders and
 * test fixtures sit on top: they may use anything, and nothing ships on them.
 */
/** The layer of what sits on top; within it, folders may use each other. */
const TOP = 11;

const LAYERS: Record<string, number> = {
  core: 0,
  "version.ts": 0,
  spec: 1,
  tasks: 2,
  tools: 3,
  variants: 4,
  onnx: 4,
  runners: 5,
  reports: 6,
  importers: 6,
  run: 7,
  serve: 8,
  training: 8,
  cli: 9,
  "mod.ts": 9,
  "cli.ts": 10,
  bench: TOP,
  scripts: TOP,
  models: TOP,
  testdata: TOP,
  examples: TOP,
};

/** The package a repository path belongs to: its top folder, or the file itself at the root. */
const packageOf = (path: string) => path.split("/")[0];

/** The shipped modules: every .ts file but tests. */
const sources = (dir: string) =>
  repoFiles(dir, (name) => name.endsWith(".ts") && !name.endsWith("_test.ts"));

Deno.test("imports run one way: no package imports one above it or beside it", async () => {
  const wrong: string[] = [];
  let seen = 0;
  for await (const file of sources(".")) {
    const path = relative(".", file);
    const from = packageOf(path);
    // Examples in doc comments import what a user would; they are not the module's imports.
    const code = (await Deno.readTextFile(file)).replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    const specifiers = [
      ...code.matchAll(/\b(?:import|export)\s[^;]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']/g),
      ...code.matchAll(/\bimport\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g),
    ].map((m) => m[1]);
    for (const spec of specifiers) {
      const to = packageOf(normalize(join(dirname(path), spec)));
      if (to === from) continue;
      seen++;
      const [a, b] = [LAYERS[from], LAYERS[to]];
      assert.ok(a !== undefined, `${path}: package ${from} has no layer in imports_test.ts`);
      assert.ok(b !== undefined, `${path} imports ${spec}: package ${to} has no layer`);
      if (b > a || (b === a && a < TOP)) wrong.push(`${path} (${from}) imports ${spec} (${to})`);
    }
  }
  assert.ok(seen > 100, `only ${seen} cross-package imports found: is the scan broken?`);
  assert.deepEqual(wrong, [], `upward or sideways imports:\n${wrong.join("\n")}`);
});
