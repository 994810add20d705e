import assert from "node:assert/strict";
import fc from "fast-check";
import type { TaskSpec } from "./types.ts";
import { sampleTasks } from "./task_sample.ts";
import { loadSuite } from "./load_suite.ts";
import { SpecError } from "./errors.ts";

const task = (id: string, split: "seen" | "unseen"): TaskSpec => ({
  id,
  env: "e",
  query: id,
  split,
  tags: [],
  gold: [],
  answer: "",
  check: {},
});

Deno.test("sampleTasks: n tasks in file order, splits in proportion, independent of input order", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z0-9]{1,6}$/), fc.boolean()), {
        minLength: 1,
        maxLength: 40,
        selector: (x) => x[0],
      }),
      fc.integer({ min: 1, max: 50 }),
      (rows, n) => {
        const tasks = rows.map(([id, u]) => task(id, u ? "unseen" : "seen"));
        const s = sampleTasks(tasks, n);
        assert.equal(s.length, Math.min(n, tasks.length));
        assert.deepEqual(s, tasks.filter((t) => s.includes(t)), "file order kept");
        const ids = (xs: TaskSpec[]) => xs.map((t) => t.id).sort();
        assert.deepEqual(ids(sampleTasks([...tasks].reverse(), n)), ids(s), "same set");
        const unseen = tasks.filter((t) => t.split === "unseen").length;
        if (n >= 2 && n < tasks.length && unseen > 0 && unseen < tasks.length) {
          const got = s.filter((t) => t.split === "unseen").length;
          assert.ok(got >= 1 && got <= n - 1, `unseen ${got} of ${n}`);
          assert.ok(Math.abs(got - (n * unseen) / tasks.length) <= 1, "in proportion");
        }
      },
    ),
    { seed: 7 },
  );
});

Deno.test("tasks_per_env: a bad value is a located error", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/s.yaml`;
  await Deno.writeTextFile(
    file,
    `tooltrial: 1\nsuite: s\nenvs: [${Deno.cwd()}/envs/library]\ntasks_per_env: 0\nagents: { o: { scripted: oracle } }\n`,
  );
  await assert.rejects(loadSuite(file), (err: unknown) => {
    assert.ok(err instanceof SpecError);
    assert.match(err.message, /s\.yaml:4:\d+ at \/tasks_per_env/);
    return true;
  });
});
