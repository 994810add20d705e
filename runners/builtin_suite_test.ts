import assert from "node:assert/strict";
import { loadSuite } from "../spec/mod.ts";
import { runSuite } from "./run.ts";

// The built-in suite is what `deno task bench` runs: its reference agents must behave as documented.
const suite = await loadSuite("suite.yaml");
const episodes = await runSuite(suite, { concurrency: 4 });
const byAgent = (agent: string) => episodes.filter((e) => e.agent === agent);
const rate = (agent: string) =>
  byAgent(agent).filter((e) => e.success).length / byAgent(agent).length;

Deno.test("built-in suite: at least 3 environments and 60 tasks, seen and unseen", () => {
  const tasks = suite.envs.flatMap((e) => e.tasks);
  assert.ok(suite.envs.length >= 3, `${suite.envs.length} envs`);
  assert.ok(tasks.length >= 60, `${tasks.length} tasks`);
  assert.ok(tasks.some((t) => t.split === "unseen") && tasks.some((t) => t.split === "seen"));
  for (const env of suite.envs) {
    assert.ok(env.tools.some((t) => t.effect.length > 0), `${env.name} has stateful tools`);
  }
});

Deno.test("built-in suite: oracle solves every task under every protocol", () => {
  const failed = byAgent("oracle").filter((e) => !e.success);
  assert.deepEqual(failed.map((e) => `${e.id}: ${e.error ?? JSON.stringify(e.events.at(-1))}`), []);
});

Deno.test("built-in suite: explorer solves every clean task", () => {
  const failed = byAgent("explorer").filter((e) => !e.success);
  assert.deepEqual(failed.map((e) => e.id), []);
});

Deno.test("built-in suite: random is far below the oracle", () => {
  assert.ok(rate("random") < 0.25, `random success ${rate("random")}`);
});

Deno.test("built-in suite: no gold call of the oracle hits an error", () => {
  const bad = byAgent("oracle").flatMap((e) =>
    e.events.filter((ev) => ev.type === "tool" && !ev.observation.ok).map(() => e.id)
  );
  assert.deepEqual(bad, []);
});
