import assert from "node:assert/strict";
import { ResponseCache } from "./response_cache.ts";

Deno.test("response cache: replies survive a reopen; a line cut off by a crash is skipped", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/sub/openai-m.jsonl`;
  try {
    const c = await ResponseCache.open(file);
    assert.equal(c.size, 0);
    await Promise.all([c.put("a", { n: 1 }, 5), c.put("b", { n: 2 }, 7)]);
    await c.close();
    await Deno.writeTextFile(file, '{"k": "c", "r": {"n"', { append: true });
    const again = await ResponseCache.open(file);
    assert.equal(again.size, 2);
    assert.deepEqual(again.get("b"), { n: 2 });
    assert.equal(again.get("c"), undefined);
    // What is stored after the cut-off line is read back.
    await again.put("d", { n: 4 }, 1);
    await again.close();
    assert.deepEqual((await ResponseCache.open(file)).get("d"), { n: 4 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
