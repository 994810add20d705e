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
