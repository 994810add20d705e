import { type Report, reportFigures } from "../reports/mod.ts";
import { type EpisodeSplit, loadSuite, type SuiteSpec } from "../spec/mod.ts";
import { runInto } from "./_run_into.ts";
import { loadReport } from "./load_report.ts";
import { runId } from "./run_id.ts";
import { DEFAULT_CACHE, type EndpointCache, type RunOutput } from "./run_settings.ts";
import type { Selection } from "./selection.ts";
import { UsageError } from "./usage_error.ts";
import { writeRunReport } from "./write_report.ts";

/** How {@linkcode reproduceRun} reruns a report. */
export interface ReproduceOptions extends RunOutput {
  /** Where the rerun goes (default a new temporary folder). */
  out?: string;
  /** Episodes in flight in each worker (default: the report's). */
  concurrency?: number;
  /**
   * Worker threads running the episodes, as `bench --workers` (default 1; the CLI's default is
   * `auto`, one per core); no figure depends on it.
   */
  workers?: number | "auto";
  /** Where endpoint agents replay replies from (default runs/cache). */
  cache?: EndpointCache;
  /** The command line recorded in the rerun's provenance (default `reproduce <path>`). */
  command?: string[];
}

/**
 * What {@linkcode reproduceRun} found: the specs changed since the run (nothing ran), the run id
 * changed (another tooltrial version; nothing ran), or it reran and every figure is `identical`
 * (timings aside) or `different`.
 */
export type ReproduceResult =
  | {
    /** The spec or data files no longer match the report's hashes. */
    status: "specs changed";
    /** The report's run id. */
    runId: string;
    /** One line per changed file: `- gone`, `~ changed`, `+ new`. */
    changes: string[];
  }
  | {
    /** The same selection hashes to another run id now. */
    status: "id changed";
    /** The report's run id. */
    runId: string;
    /** The id it has now. */
    id: string;
  }
  | {
    /** Whether every figure of the rerun matches. */
    status: "identical" | "different";
    /** The run id. */
    runId: string;
    /** The rerun's folder. */
    out: string;
    /** The rerun's report. */
    report: Report;
    /** `agent/protocol/variant: then, now` for each overall success rate that moved. */
    differences: string[];
  };

/**
 * Rerun exactly what a report describes — same suite, selection, seeds and samples — and compare
 * every figure. `path` is a report.json or a run folder. A merged report is a
 * {@linkcode UsageError}: each shard reruns with its own bench command.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadSuite } from "../spec/mod.ts";
 * import { reproduceRun } from "./reproduce_run.ts";
 * import { runBench } from "./run_bench.ts";
 * const run = await runBench(await loadSuite("testdata/good/suite.yaml"), {
 *   out: await Deno.makeTempDir(),
 * });
 * const again = await reproduceRun(run.out);
 * assert.ok(again.status === "identical");
 * ```
 */
export async function reproduceRun(
  path: string,
  opts: ReproduceOptions = {},
): Promise<ReproduceResult> {
  const old = await loadReport(path);
  const p = old.provenance;
  if (p.shards) {
    throw new UsageError(
      "this report merges shards: reproduce each shard with its bench command, then merge",
    );
  }
  if (p.command?.[0] === "judge") {
    throw new UsageError(
      `this report scored recorded calls (tooltrial ${
        p.command.join(" ")
      }): run that command again; reproduce reruns suites`,
    );
  }
  const suite = await loadSuite(p.suite.file);
  const changes = specChanges(old, suite);
  if (changes.length > 0) return { status: "specs changed", runId: old.run_id, changes };
  const sel: Selection = {
    agents: p.selection.agents ?? undefined,
    protocols: p.selection.protocols ?? undefined,
    variants: p.selection.variants ?? undefined,
    splits: (p.selection.splits ?? undefined) as EpisodeSplit[] | undefined,
    samples: p.samples,
    seeds: p.seeds,
  };
  const id = await runId(suite, sel);
  if (id !== old.run_id) return { status: "id changed", runId: old.run_id, id };
  const out = opts.out ?? await Deno.makeTempDir({ prefix: `tooltrial-reproduce-${id}-` });
  const ran = await runInto(suite, sel, {
    log: opts.log,
    progress: opts.progress,
    onInterrupt: opts.onInterrupt,
    out,
    id,
    concurrency: opts.concurrency ?? p.concurrency,
    workers: opts.workers ?? 1,
    command: opts.command ?? ["reproduce", path],
    cache: opts.cache ?? DEFAULT_CACHE,
  });
  const again = await writeRunReport(out, ran);
  if (reportFigures(old) === reportFigures(again)) {
    return { status: "identical", runId: id, out, report: again, differences: [] };
  }
  const rows = (r: Report) =>
    new Map(r.overall.map((o) => [`${o.agent}/${o.protocol}/${o.variant}`, o.success_rate]));
  const [ra, rb] = [rows(old), rows(again)];
  const differences = [...ra].filter(([k, v]) => rb.get(k) !== v).map(([k, v]) =>
    `${k}: ${v} then, ${rb.get(k)} now`
  );
  return { status: "different", runId: id, out, report: again, differences };
}

/** The files whose hashes differ from the report's, one line each; the suite file last. */
function specChanges(old: Report, suite: SuiteSpec): string[] {
  const p = old.provenance;
  const before = new Map(p.specs.map((f) => [f.path, f.sha256]));
  const now = new Map(suite.envs.flatMap((e) => e.files).map((f) => [f.path, f.sha256]));
  const diff: string[] = [];
  for (const [path, h] of before) {
    if (!now.has(path)) diff.push(`- ${path} (${h.slice(0, 12)}…) is no longer part of the suite`);
    else if (now.get(path) !== h) {
      diff.push(`~ ${path}: ${h.slice(0, 12)}… then, ${now.get(path)!.slice(0, 12)}… now`);
    }
  }
  for (const [path, h] of now) {
    if (!before.has(path)) diff.push(`+ ${path} (${h.slice(0, 12)}…) is new`);
  }
  if (suite.sha256 !== p.suite.sha256 && diff.length === 0) {
    diff.push(`~ ${p.suite.file}: the suite file itself changed`);
  }
  return diff;
}
