import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "../testdata/cli.ts";
import { bigEnv } from "./big_env.ts";

Deno.test("big_env: the generated environment validates, every task replayed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tooltrial-big-" });
  try {
    await Deno.writeTextFile(join(dir, "env.yaml"), bigEnv(30, 90));
    const r = await runCli("validate", join(dir, "env.yaml"));
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /30 tools, 90 tasks; 720 task replays/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("big_env: a large spec (read in pieces) validates, and a mistake deep in it is located", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tooltrial-big-" });
  try {
    const text = bigEnv(100, 6000, { distinct: true });
    assert.ok(text.length > 1 << 20, "large enough to be read in pieces");
    const file = join(dir, "env.yaml");
    await Deno.writeTextFile(file, text);
    const ok = await runCli("validate", file, "--fast");
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /100 tools, 6000 tasks/);
    // A misspelt key in task t4321: found on the fast path, located by the full parse.
    const lines = text.split("\n");
    const at = lines.indexOf("  - id: t4321") + 4;
    assert.equal(lines[at], "    answer: rice");
    lines[at] = "    answr: rice";
    await Deno.writeTextFile(file, lines.join("\n"));
    const bad = await runCli("validate", file, "--fast");
    assert.equal(bad.code, 2, bad.err);
    assert.ok(bad.err.includes(`env.yaml:${at + 1}:5`), bad.err);
    assert.match(bad.err, /unknown key "answr"[^]*did you mean "answer"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
