import assert from "node:assert/strict";
import { join } from "node:path";
import type { SpecError } from "../spec/mod.ts";
import { readJsonRecords } from "./input.ts";

Deno.test("readJsonRecords: JSON Lines records locate issues on their own line", async () => {
  const dir = await Deno.makeTempDir();
  const f = join(dir, "q.json"); // BFCL names its JSON Lines files .json
  await Deno.writeTextFile(f, '{"id": "a"}\n\n{"id": "b",\n');
  await assert.rejects(() => readJsonRecords(f, { what: "q" }), (e: SpecError) => {
    assert.equal(e.issues[0].line, 3);
    assert.match(e.issues[0].message, /^not JSON/);
    return true;
  });
  await Deno.writeTextFile(f, '{"id": "a"}\n\n{"id": "b", "x": {"y": 1}}\n');
  const recs = await readJsonRecords(f, { what: "q" });
  assert.equal(recs.length, 2);
  const issue = recs[1].issue("/x/y", "bad");
  assert.deepEqual([issue.line, issue.col, issue.pointer], [3, 24, "/x/y"]);
});

Deno.test("readJsonRecords: one JSON document spanning lines", async () => {
  const dir = await Deno.makeTempDir();
  const f = join(dir, "t.json");
  await Deno.writeTextFile(f, '[\n  {"name": "a"},\n  {"name": 2}\n]\n');
  const [rec] = await readJsonRecords(f, { what: "t" });
  assert.equal((rec.value as unknown[]).length, 2);
  assert.deepEqual([rec.issue("/1/name", "x").line, rec.issue("/1/name", "x").col], [3, 12]);
  await Deno.writeTextFile(f, "  \n");
  await assert.rejects(() => readJsonRecords(f, { what: "t" }), /t is empty/);
});
