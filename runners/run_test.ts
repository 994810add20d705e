import assert from "node:assert/strict";
import { loadSuite } from "../spec/mod.ts";
import type { EpisodeRecord } from "./events.ts";
import { planRun, runSuite, variantEnvs } from "./run.ts";
import { CLEAN } from "../variants/mod.ts";

const suite = await loadSuite("testdata/good/suite.yaml");

/** Everything but timing. */
function strip(recs: EpisodeRecord[]): string {
  return JSON.stringify(recs, (k, v) => (k === "ms" ? undefined : v));
}

Deno.test("plan: env × variant × task × agent × protocol × seed × sample, in a fixed order", () => {
  const plan = planRun(suite);
  assert.equal(plan.length, 3 * 2 * 3 * 2 * 2 * 2);
  assert.equal(plan[0].id, "mini/clean/mini-1/oracle/direct/0.0");
  assert.deepEqual([...new Set(plan.map((p) => p.variant.name))], ["clean", "renamed", "v2"]);
  const clean = plan.filter((p) => p.variant.name === "clean");
  assert.equal(new Set(clean.map((p) => p.episodeSeed)).size, clean.length);
  // A task's episode under a variant draws the same seed as its clean twin: comparisons are paired.
  const twin = plan.find((p) =>
    p.variant.name === "v2" && p.id.endsWith("/mini-1/oracle/direct/0.0")
  );
  assert.equal(twin?.episodeSeed, plan[0].episodeSeed);
});

Deno.test("variantEnvs: each interface built once; with a limit, only the most recently used are kept", () => {
  const renamed = suite.variants.find((v) => v.name === "renamed")!;
  const all = variantEnvs(suite);
  assert.equal(all("mini", renamed, 1), all("mini", renamed, 1));
  const some = variantEnvs(suite, undefined, { limit: 2 });
  const one = some("mini", renamed, 1);
  const first2 = some("mini", renamed, 2);
  assert.equal(some("mini", renamed, 1), one, "kept, and now the most recently used");
  some("mini", renamed, 3); // seed 2 goes
  assert.equal(some("mini", renamed, 1), one);
  const two = some("mini", renamed, 2);
  assert.notEqual(two, first2, "built again…");
  assert.deepEqual(two.tools, all("mini", renamed, 2).tools, "…as the same interface");
  assert.deepEqual(two.applied, all("mini", renamed, 2).applied);
  // Without operators, one interface serves every seed; each carries its own seed.
  const [c1, c2] = [all("mini", CLEAN, 1), all("mini", CLEAN, 2)];
  assert.deepEqual([c1.seed, c2.seed], [1, 2]);
  assert.equal(c1.tools, c2.tools);
  assert.equal(c1.step, c2.step);
});

Deno.test("plan: variants and splits can be selected", () => {
  const plan = planRun(suite, { variants: ["v2"], splits: ["unseen_task"] });
  assert.ok(plan.length > 0);
  assert.ok(plan.every((p) => p.variant.name === "v2" && p.split === "unseen_task"));
});

Deno.test("results do not depend on concurrency, and reruns are identical", async () => {
  const a = await runSuite(suite, { concurrency: 1 });
  const b = await runSuite(suite, { concurrency: 7 });
  const c = await runSuite(suite, { concurrency: 3 });
  assert.equal(strip(a), strip(b));
  assert.equal(strip(a), strip(c));
});

Deno.test("onEpisode fires in plan order", async () => {
  const order: string[] = [];
  const recs = await runSuite(suite, { concurrency: 5, onEpisode: (r) => void order.push(r.id) });
  assert.deepEqual(order, recs.map((r) => r.id));
  assert.deepEqual(order, planRun(suite).map((p) => p.id));
});

Deno.test("oracle and explorer solve the mini suite; random does not", async () => {
  const recs = await runSuite(suite);
  const rate = (agent: string) =>
    recs.filter((r) => r.agent === agent && r.success).length /
    recs.filter((r) => r.agent === agent).length;
  assert.equal(rate("oracle"), 1);
  assert.equal(rate("explorer"), 1);
  assert.ok(rate("random") < 0.5);
});

Deno.test("every event validates against runners/schema/episode.v1.json", async () => {
  const { Ajv2020 } = await import("ajv/dist/2020.js");
  const schema = JSON.parse(await Deno.readTextFile("runners/schema/episode.v1.json"));
  const validate = new Ajv2020({ strict: false, allowUnionTypes: true }).compile(schema);
  const recs = await runSuite(suite);
  let n = 0;
  for (const e of recs.flatMap((r) => r.events)) {
    // Through JSON, as a reader of episodes.jsonl sees it.
    const event = JSON.parse(JSON.stringify(e));
    assert.ok(
      validate(event),
      `${JSON.stringify(event).slice(0, 200)}: ${JSON.stringify(validate.errors?.slice(0, 3))}`,
    );
    n++;
  }
  assert.ok(n > 100);
  // And a malformed one is rejected.
  assert.ok(!validate({ v: 1, type: "tool", episode: "x", phase: "later" }));
});
