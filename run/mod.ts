/**
 * A run's life: plan, open, lock, run and resume a bench into its folder and write the report;
 * reproduce a report, merge a sharded run's logs, compare two runs; provenance, run ids and
 * selections. Nothing here prints: status lines and progress go to the callbacks a caller passes
 * (the CLI prints them), and bad input is a {@linkcode UsageError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadSuite } from "../spec/mod.ts";
 * import { runBench } from "./mod.ts";
 * const lines: string[] = [];
 * const suite = await loadSuite("testdata/good/suite.yaml");
 * const run = await runBench(suite, { out: await Deno.makeTempDir(), log: (l) => lines.push(l) });
 * assert.ok(run.report !== undefined && lines.some((l) => l.includes(run.id)));
 * ```
 * @module
 */
export { compareRuns } from "./compare_runs.ts";
export { loadReport } from "./load_report.ts";
export { type MergeResult, mergeShards } from "./merge_shards.ts";
export { type ReproduceOptions, type ReproduceResult, reproduceRun } from "./reproduce_run.ts";
export { type BenchOptions, type BenchResult, runBench } from "./run_bench.ts";
export { runId } from "./run_id.ts";
export { type ProvenanceOptions, type RunProvenance, runProvenance } from "./run_provenance.ts";
export {
  DEFAULT_CACHE,
  type EndpointCache,
  EPISODES_PER_WORKER,
  type RunOutput,
} from "./run_settings.ts";
export { type Selection, type Shard, variantNames } from "./selection.ts";
export { UsageError } from "./usage_error.ts";
export { writeLogsReport, writeReport } from "./write_report.ts";
