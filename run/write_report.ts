import { join } from "node:path";
import {
  assertValidReport,
  FailureCollector,
  type FailureData,
  renderHtmlParts,
  renderMarkdown,
  type Report,
  reportFromCollected,
  reportFromLogs,
} from "../reports/mod.ts";
import type { CollectedRun } from "./_run_into.ts";
import { writeJsonAtomic, writePartsAtomic } from "../core/mod.ts";
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
  // The page and the JSON are written as they are made, a section or an episode at a time.
  await writePartsAtomic(join(out, "report.html"), renderHtmlParts(report, { failures, runDir }));
  await writeJsonAtomic(join(out, "report.json"), report);
}

/** Build the report of episode logs (a run's, or a sharded run's) and write it into `out`. */
export async function writeLogsReport(out: string, logs: string[]): Promise<Report> {
  const failures = new FailureCollector();
  const report = await reportFromLogs(logs, { onEpisode: (e) => failures.add(e) });
  await writeReport(out, report, failures.data());
  return report;
}

/**
 * Write the report of a run into `out`: from what the run collected as it wrote its log when it
 * wrote all of it, else (a resumed run) from its log.
 */
export async function writeRunReport(
  out: string,
  ran: { logPath: string; collected?: CollectedRun },
): Promise<Report> {
  if (!ran.collected) return await writeLogsReport(out, [ran.logPath]);
  const { header, collector, failures } = ran.collected;
  const report = reportFromCollected(header, collector);
  await writeReport(out, report, failures.data());
  return report;
}
