import assert from "node:assert/strict";
import { BFCL_CATEGORIES, bfclCategoryOf, bfclTable } from "./bfcl_table.ts";
import type { EpisodeSummary } from "./types.ts";

const ep = (task: string, success: boolean, agent = "a") =>
  ({ agent, protocol: "direct", variant: "clean", task, success }) as EpisodeSummary;

Deno.test("bfclCategoryOf: BFCL ids, repeated ids, other ids", () => {
  assert.equal(bfclCategoryOf("live_irrelevance_12-0-3"), "live_irrelevance");
  assert.equal(bfclCategoryOf("simple_javascript_4"), "simple_javascript");
  assert.equal(bfclCategoryOf("parallel_multiple_7-2"), "parallel_multiple");
  assert.equal(bfclCategoryOf("lib-007"), undefined);
  assert.equal(bfclCategoryOf("multiple"), undefined);
});

Deno.test("bfclTable: BFCL's unweighted Non-Live and weighted Live summaries", () => {
  const eps: EpisodeSummary[] = [];
  // simple_python 1/2, simple_java 1/1, simple_javascript 0/1 → simple = (0.5 + 1 + 0) / 3
  eps.push(ep("simple_python_0", true), ep("simple_python_1", false));
  eps.push(ep("simple_java_0", true), ep("simple_javascript_0", false));
  // multiple 1/1, parallel 0/1, parallel_multiple 1/2
  eps.push(ep("multiple_0", true), ep("parallel_0", false));
  eps.push(ep("parallel_multiple_0", true), ep("parallel_multiple_1", false));
  // live: 3/3 of live_simple, 0/1 of each other → weighted 3/6
  eps.push(
    ep("live_simple_0-0-0", true),
    ep("live_simple_1-0-1", true),
    ep("live_simple_2-0-2", true),
  );
  eps.push(ep("live_multiple_0-0-0", false), ep("live_parallel_0-0-0", false));
  eps.push(ep("live_parallel_multiple_0-0-0", false), ep("lib-001", true));
  const [row, ...rest] = bfclTable(eps);
  assert.equal(rest.length, 0);
  assert.equal(row.non_live_simple, 0.5);
  assert.equal(row.non_live_ast, Math.round(((0.5 + 1 + 0 + 0.5) / 4) * 10000) / 10000);
  assert.equal(row.live_ast, 0.5);
  assert.deepEqual(Object.keys(row.categories), BFCL_CATEGORIES.filter((c) => row.categories[c]));
  assert.equal(row.categories.simple_python.episodes, 2);
  // Without simple_java, BFCL shows N/A for the summaries that need it.
  const partial = bfclTable(eps.filter((e) => e.task !== "simple_java_0"))[0];
  assert.equal(partial.non_live_simple, null);
  assert.equal(partial.non_live_ast, null);
  assert.equal(partial.live_ast, 0.5);
  assert.deepEqual(bfclTable([ep("lib-001", true)]), []);
});
