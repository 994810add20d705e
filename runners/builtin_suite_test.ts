import assert from "node:assert/strict";
import { loadSuite } from "../spec/mod.ts";
import { runSuite } from "./run.ts";
import type { EpisodeRecord } from "./events.ts";

// The built-in suite is what `deno task bench` runs: its reference agents must behave as documented,
// clean and under every variant.
const suite = await loadSuite("suite.yaml");
const episodes = await runSuite(suite, { concurrency: 4 });
const of = (agent: string, variant?: string, protocol?: string) =>
  episodes.filter((e) =>
    e.agent === agent && (!variant || e.variant === variant) &&
    (!protocol || e.protocol === protocol)
  );
const rate = (eps: EpisodeRecord[]) => eps.filter((e) => e.success).length / eps.length;
const variants = suite.variants.map((v) => v.name);

Deno.test("built-in suite: every built-in environment, a sample of seen and unseen tasks each", () => {
  const tasks = suite.envs.flatMap((e) => e.tasks);
  assert.ok(suite.envs.length >= 8, `${suite.envs.length} envs`);
  assert.ok(tasks.length >= 90, `${tasks.length} tasks`);
  assert.ok(tasks.some((t) => t.split === "unseen") && tasks.some((t) => t.split === "seen"));
  for (const env of suite.envs) {
    assert.ok(env.tools.some((t) => t.effect.length > 0), `${env.name} has stateful tools`);
    assert.ok(env.tasks.length <= (suite.tasksPerEnv ?? Infinity), env.name);
  }
  const splits = new Set(episodes.map((e) => e.split));
  assert.deepEqual([...splits].sort(), ["seen", "unseen_env", "unseen_task", "unseen_tool"]);
});

Deno.test("built-in suite: at least 6 variants, using every operator", () => {
  assert.ok(variants.length >= 6, variants.join());
  const used = new Set(suite.variants.flatMap((v) => v.ops.map((o) => o.op)));
  assert.equal(used.size, 11, [...used].join());
});

Deno.test("built-in suite: oracle solves every task under every protocol and variant", () => {
  const failed = of("oracle").filter((e) => !e.success);
  assert.deepEqual(failed.map((e) => `${e.id}: ${e.error ?? JSON.stringify(e.events.at(-1))}`), []);
  assert.ok(of("oracle").every((e) => e.metrics.ast_match), "gold calls match after mapping back");
});

Deno.test("built-in suite: explorer solves every clean task", () => {
  const failed = of("explorer", "clean").filter((e) => !e.success);
  assert.deepEqual(failed.map((e) => e.id), []);
});

Deno.test("built-in suite: memorizer collapses under renames and deprecations, not under doc changes", () => {
  assert.equal(rate(of("memorizer", "clean")), 1);
  for (const v of ["typos", "renamed", "shuffled"]) {
    assert.ok(rate(of("memorizer", v)) < 0.15, `${v}: ${rate(of("memorizer", v))}`);
  }
  for (const v of ["deprecated", "v2"]) {
    assert.ok(rate(of("memorizer", v)) < 0.5, `${v}: ${rate(of("memorizer", v))}`);
  }
  // Same names, same arguments: reworded docs, distractors, faults and text output do not matter
  // to an agent that retries faults and never reads docs.
  for (const v of ["doc_drift", "noisy"]) assert.equal(rate(of("memorizer", v)), 1, v);
});

Deno.test("built-in suite: explorer with the trial protocol recovers most of what renames cost", () => {
  for (const v of variants) {
    const explorer = rate(of("explorer", v, "trial"));
    const memorizer = rate(of("memorizer", v, "trial"));
    assert.ok(explorer >= 0.7, `${v}: explorer ${explorer}`);
    assert.ok(explorer >= memorizer, `${v}: explorer ${explorer} < memorizer ${memorizer}`);
  }
  const varied = of("explorer", undefined, "trial").filter((e) => e.variant !== "clean");
  assert.ok(rate(varied) >= 0.9, `explorer/trial across variants: ${rate(varied)}`);
});

Deno.test("built-in suite: random is far below the oracle", () => {
  assert.ok(rate(of("random")) < 0.25, `random success ${rate(of("random"))}`);
});

Deno.test("built-in suite: no gold call of the oracle hits an error, faults aside", () => {
  const bad = of("oracle").flatMap((e) =>
    e.events.filter((ev) =>
      ev.type === "tool" && !ev.observation.ok && ev.observation.error.kind !== "unavailable"
    ).map(() => e.id)
  );
  assert.deepEqual(bad, []);
});
