import { join } from "node:path";
import { FailureCollector, type Report, reportFromLogs } from "../reports/mod.ts";
import { UsageError } from "./usage_error.ts";
import { writeReport } from "./write_report.ts";

/** What {@linkcode mergeShards} wrote. */
export interface MergeResult {
  /** The merged report: the figures a single machine would have produced. */
  report: Report;
  /** Where it went. */
  out: string;
  /** The shard logs it read. */
  logs: string[];
}

/**
 * Combine the logs of a sharded run (bench with `shard`) into one report: checks every shard is
 * there and complete, and writes report.json, report.md and report.html into `out` (default
 * runs/<suite>-<run id>). Each path is a shard's run folder or its episodes.jsonl.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergeShards } from "./merge_shards.ts";
 * import { UsageError } from "./usage_error.ts";
 * const err = await mergeShards(["no/such/shard"]).catch((e) => e);
 * assert.ok(err instanceof UsageError && err.message.includes("not found"));
 * ```
 */
export async function mergeShards(
  paths: string[],
  opts: { out?: string } = {},
): Promise<MergeResult> {
  const logs = paths.map((p) => (p.endsWith(".jsonl") ? p : join(p, "episodes.jsonl")));
  for (const l of logs) {
    try {
      await Deno.stat(l);
    } catch {
      throw new UsageError(`${l} not found: give each shard's run folder`);
    }
  }
  const failures = new FailureCollector();
  const report = await reportFromLogs(logs, { onEpisode: (e) => failures.add(e) });
  const out = opts.out ?? join("runs", `${report.provenance.suite.name}-${report.run_id}`);
  await Deno.mkdir(out, { recursive: true });
  await writeReport(out, report, failures.data());
  return { report, out, logs };
}
