import assert from "node:assert/strict";
import { tinyRandomFiles } from "./build.ts";

Deno.test("models: the committed tiny-random folder is exactly what `deno task models` builds", async () => {
  const files = await tinyRandomFiles();
  for (const [rel, data] of Object.entries(files)) {
    const want = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const have = await Deno.readFile(`models/tiny-random/${rel}`);
    assert.ok(
      have.length === want.length && have.every((b, i) => b === want[i]),
      `models/tiny-random/${rel} differs from a rebuild: run deno task models`,
    );
  }
});
