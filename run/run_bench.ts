import { join } from "node:path";
import type { Report } from "../reports/mod.ts";
import type { SuiteSpec } from "../spec/mod.ts";
import type { StartedWorkers } from "../runners/mod.ts";
import { runInto } from "./_run_into.ts";
import { runId } from "./run_id.ts";
import { DEFAULT_CACHE, type EndpointCache, type RunOutput } from "./run_settings.ts";
import type { Selection, Shard } from "./selection.ts";
import { writeRunReport } from "./write_report.ts";

/** How {@linkcode runBench} runs a suite. */
export interface BenchOptions extends RunOutput {
  /** What to run (default: the whole suite, its samples and seeds). */
  selection?: Selection;
  /** The run folder (default runs/<suite>-<run id>, with -shard<i>of<n> for a shard). */
  out?: string;
  /** Run only this slice of the episode grid; a shard writes no report (merge the shards). */
  shard?: Shard;
  /** Episodes in flight at once, in each worker (default 4); results do not depend on it. */
  concurrency?: number;
  /**
   * Worker threads running the episodes (default 1: all in this thread; the CLI's default is one
   * per core, `auto`). Recorded in the provenance; neither the run id nor any result depends on it.
   */
  workers?: number | "auto";
  /**
   * Workers started before the suite was loaded (`EpisodePool.start` on its file): the run takes
   * what it needs of them and ends the rest.
   */
  started?: StartedWorkers;
  /** The command line recorded in the provenance (default `bench <suite file>`). */
  command?: string[];
  /** Say why GPU execution providers were passed over. */
  verbose?: boolean;
  /** HTTP tools call their live API and record the answers into each env's cassette. */
  record?: boolean;
  /** Where endpoint agents keep replies, and whether they replay them (default runs/cache). */
  cache?: EndpointCache;
}

/** What {@linkcode runBench} did. */
export interface BenchResult {
  /** The run id (a hash of what determines the results). */
  id: string;
  /** The run folder. */
  out: string;
  /** Its episodes.jsonl. */
  logPath: string;
  /** Episodes planned (in this shard). */
  planned: number;
  /** Episodes an earlier, interrupted attempt had finished: kept, not run again. */
  resumed: number;
  /** The report written into `out`; none for a shard. */
  report?: Report;
}

/**
 * Run a suite into a run folder and write its report: plan the episodes, open the agents, lock
 * the folder, resume what an earlier attempt left, run the rest, write report.json, .md and .html.
 * Prints nothing: status lines go to `log`, the progress display to `progress`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadSuite } from "../spec/mod.ts";
 * import { runBench } from "./run_bench.ts";
 * const suite = await loadSuite("testdata/good/suite.yaml");
 * const run = await runBench(suite, { out: await Deno.makeTempDir() });
 * assert.ok(run.report!.episodes.length === run.planned && run.resumed === 0);
 * ```
 */
export async function runBench(suite: SuiteSpec, opts: BenchOptions = {}): Promise<BenchResult> {
  const sel = opts.selection ?? { samples: suite.samples, seeds: suite.seeds };
  const { shard } = opts;
  const id = await runId(suite, sel);
  const out = opts.out ??
    join("runs", `${suite.name}-${id}${shard ? `-shard${shard.index}of${shard.count}` : ""}`);
  const ran = await runInto(suite, sel, {
    log: opts.log,
    progress: opts.progress,
    onInterrupt: opts.onInterrupt,
    out,
    id,
    shard,
    concurrency: opts.concurrency ?? 4,
    workers: opts.workers ?? 1,
    started: opts.started,
    command: opts.command ?? ["bench", suite.file],
    verbose: opts.verbose ?? false,
    record: opts.record ?? false,
    cache: opts.cache ?? DEFAULT_CACHE,
  });
  if (shard) return { id, out, logPath: ran.logPath, planned: ran.planned, resumed: ran.resumed };
  const { collected: _, ...result } = ran;
  return { id, out, ...result, report: await writeRunReport(out, ran) };
}
