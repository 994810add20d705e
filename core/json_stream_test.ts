import assert from "node:assert/strict";
import fc from "fast-check";
import { writeJsonAtomic } from "./json_stream.ts";

const FC = { seed: 20261206, numRuns: 150 } as const;

Deno.test("property: writeJsonAtomic writes JSON.stringify(value, null, 2) + newline, at any depth and chunk size", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        fc.jsonValue({ maxDepth: 2 }),
        fc.array(fc.oneof(tie("node"), fc.constant(undefined)), { maxLength: 5 }),
        fc.dictionary(
          fc.string({ maxLength: 6 }),
          fc.oneof(tie("node"), fc.constant(undefined)),
          { maxKeys: 5 },
        ),
        fc.date({ noInvalidDate: true }),
      ),
    })).node;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        value,
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 1, max: 64 }),
        async (v, depth, chunk) => {
          const path = `${dir}/r${n++}.json`;
          await writeJsonAtomic(path, v, { depth, chunk });
          const want = JSON.stringify(v, null, 2);
          // What JSON cannot hold at the top (undefined) has no text; the writer writes null.
          assert.equal(await Deno.readTextFile(path), (want ?? "null") + "\n");
        },
      ),
      FC,
    );
    // Nothing is left beside the files.
    assert.ok([...Deno.readDirSync(dir)].every((e) => /^r\d+\.json$/.test(e.name)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeJsonAtomic: a report-shaped value, members written one at a time, is byte-identical", async () => {
  const f = await Deno.makeTempFile();
  const report = {
    format: "x",
    episodes: Array.from({ length: 500 }, (_, i) => ({ id: `e${i}`, ms: i / 7, tags: ["a\nb"] })),
    empty: [],
    none: {},
    nested: { deep: [[1, [2, [3]]], { k: "\u2028<" }] },
  };
  await writeJsonAtomic(f, report, { chunk: 100 });
  assert.equal(await Deno.readTextFile(f), JSON.stringify(report, null, 2) + "\n");
  await Deno.remove(f);
});
