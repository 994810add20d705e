/**
 * What writing a run's report adds to the process's memory: runs a suite's episodes (default
 * suites/full.yaml, `--workers N`, default 1), then resets the kernel's peak-RSS mark, writes the
 * report and prints the peak over the resident set before it. `--from-log` writes it the way a
 * resumed run does, reading the log back, instead of from what the run collected as it wrote it.
 * Linux only (/proc/self/status, /proc/self/clear_refs).
 *
 * `deno run -A --v8-flags=--expose-gc bench/report_rss.ts [suite.yaml] [--workers N] [--from-log]`
 */
import { parseArgs } from "node:util";
import { loadSuite } from "../spec/mod.ts";
import { runInto } from "../run/_run_into.ts";
import { writeLogsReport, writeRunReport } from "../run/write_report.ts";
import { DEFAULT_CACHE } from "../run/run_settings.ts";
import { runId } from "../run/run_id.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { workers: { type: "string" }, "from-log": { type: "boolean" } },
  allowPositionals: true,
});
const file = positionals[0] ?? "suites/full.yaml";
const workers = Number(values.workers ?? 1);

/** A line of /proc/self/status, in MiB. */
async function status(key: "VmRSS" | "VmHWM"): Promise<number> {
  const text = await Deno.readTextFile("/proc/self/status");
  const kb = Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)![1]);
  return kb / 1024;
}
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

const suite = await loadSuite(file);
const out = await Deno.makeTempDir({ prefix: "tooltrial-rss-" });
const t0 = performance.now();
const sel = { samples: suite.samples, seeds: suite.seeds };
let ran = await runInto(suite, sel, {
  out,
  id: await runId(suite, sel),
  concurrency: 4,
  workers,
  command: ["bench", file],
  cache: DEFAULT_CACHE,
});
const episodesMs = performance.now() - t0;
const runPeak = await status("VmHWM");
if (values["from-log"]) ran = { ...ran, collected: undefined };
gc();
const before = await status("VmRSS");
const heap = Deno.memoryUsage().heapUsed / 2 ** 20;
// Writing 5 to clear_refs resets VmHWM to the current resident set (Linux ≥ 4.0).
await Deno.writeTextFile("/proc/self/clear_refs", "5");
const t1 = performance.now();
const report = values["from-log"]
  ? await writeLogsReport(out, [ran.logPath])
  : await writeRunReport(out, ran);
const reportMs = performance.now() - t1;
const peak = await status("VmHWM");
console.log(
  `${file}: ${report.episodes.length} episodes, ${workers} worker${
    workers > 1 ? "s" : ""
  }, report ${values["from-log"] ? "read back from the log" : "from what the run collected"}`,
);
console.log(
  `  episodes ${(episodesMs / 1000).toFixed(2)} s (peak RSS ${runPeak.toFixed(0)} MiB); report ${
    (reportMs / 1000).toFixed(2)
  } s: RSS ${before.toFixed(0)} MiB before (JS heap ${heap.toFixed(0)} MiB in use), peak ${
    peak.toFixed(0)
  } MiB: adds ${(peak - before).toFixed(0)} MiB`,
);
await Deno.remove(out, { recursive: true });
