import assert from "node:assert/strict";
import { parse } from "yaml";
import { generate, MARKER, withTasks } from "./main.ts";

// The committed data files and tasks are exactly what the seeded generator writes.
for (const env of generate()) {
  Deno.test(`envgen: envs/${env.name} is up to date with scripts/envgen`, async () => {
    const dir = new URL(`../../envs/${env.name}/`, import.meta.url);
    for (const [name, text] of Object.entries(env.files)) {
      assert.equal(
        await Deno.readTextFile(new URL(name, dir)),
        text,
        `${name}: run deno task envgen`,
      );
    }
    const spec = await Deno.readTextFile(new URL("env.yaml", dir));
    assert.ok(spec.includes(MARKER), "marker line kept");
    assert.deepEqual(parse(spec).tasks, parse(withTasks(spec, env.tasks)).tasks);
  });
}

Deno.test("envgen: two runs give the same environments", () => {
  assert.deepEqual(generate(), generate());
});
