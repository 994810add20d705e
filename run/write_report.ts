import { join } from "node:path";
import {
  assertValidReport,
  FailureCollector,
  type FailureData,
  renderHtml,
  renderMarkdown,
  type Report,
  reportFromLogs,
} from "../reports/mod.ts";
import { writeFileAtomic } from "../runners/mod.ts";

/**
 * Write report.json, report.md and report.html into a folder (report.json last: it marks "done").
 * `failures`: every failed episode as the log holds it, for report.html.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadSuite } from "../spec/mod.ts";
 * import { runBench } from "./run_bench.ts";
 * import { writeReport } from "./write_report.ts";
 * const suite = await loadSuite("testdata/good/suite.yaml");
 * const run = await runBench(suite, { out: await Deno.makeTempDir() });
 * const copy = await Deno.makeTempDir();
 * await writeReport(copy, run.report!);
 * assert.ok((await Deno.stat(`${copy}/report.json`)).isFile);
 * ```
 */
export async function writeReport(
  out: string,
  report: Report,
  failures?: FailureData,
): Promise<void> {
  assertValidReport(report);
  await writeFileAtomic(join(out, "report.md"), renderMarkdown(report));
  // A merged run's episodes stay in its shards' folders: `show` reads those.
  const runDir = report.provenance.shards ? undefined : out;
  await writeFileAtomic(join(out, "report.html"), renderHtml(report, { failures, runDir }));
  await writeFileAtomic(join(out, "report.json"), JSON.stringify(report, null, 2) + "\n");
}

/** Build the report of episode logs (a run's, or a sharded run's) and write it into `out`. */
export async function writeLogsReport(out: string, logs: string[]): Promise<Report> {
  const failures = new FailureCollector();
  const report = await reportFromLogs(logs, { onEpisode: (e) => failures.add(e) });
  await writeReport(out, report, failures.data());
  return report;
}
