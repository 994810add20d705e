import { reproduceRun, UsageError } from "../run/mod.ts";
import { command } from "./command.ts";
import { cacheFlags, intFlag, workersFlag } from "./flags.ts";
import { runOutput } from "./_run_output.ts";

/** `tooltrial reproduce`: rerun what a report describes and check every figure matches. */
export const reproduce = command({
  name: "reproduce",
  summary: "rerun exactly what a report describes and check every figure matches",
  usage: "reproduce REPORT",
  flags: {
    out: { type: "string" },
    concurrency: { type: "string" },
    workers: { type: "string" },
    "cache-dir": { type: "string" },
    "no-cache": { type: "boolean" },
  },
  help: `Usage: tooltrial reproduce REPORT [--out DIR] [--workers N] [--concurrency N] [--no-cache]

Reruns exactly what a report describes: same suite, selection, seeds and samples. Refuses (exit 2)
with a list of changed files when a spec or data file no longer matches the hashes in the report.
Exit 0 when every figure is identical (timings aside), 1 when something differs.

Options:
  --out DIR            where the rerun goes (default a temporary folder)
  --workers N          worker threads running episodes, as bench --workers (default: one per
                       core); no figure depends on it
  --concurrency N      episodes in flight in each worker (default: the report's)
  --cache-dir DIR      endpoint agents replay replies from here (default runs/cache): a run of
                       endpoint agents reproduces with no calls when its replies are there
  --no-cache           call the endpoints again for every turn
  -h, --help           show this help`,
  async run({ values, positionals, args }) {
    if (positionals.length !== 1) {
      throw new UsageError("reproduce takes one report: tooltrial reproduce runs/<id>/report.json");
    }
    const r = await reproduceRun(positionals[0], {
      ...runOutput(false),
      out: values.out,
      concurrency: intFlag(values.concurrency, "concurrency", 1),
      workers: workersFlag(values.workers),
      command: ["reproduce", ...args],
      cache: cacheFlags(values),
    });
    switch (r.status) {
      case "specs changed":
        console.error(
          `cannot reproduce run ${r.runId}: the specs changed since it ran\n${
            r.changes.join("\n")
          }`,
        );
        console.error("\ncheck out the commit it ran at (provenance.git_commit) and try again");
        return 2;
      case "id changed":
        console.error(
          `cannot reproduce: the run id is now ${r.id}, the report's is ${r.runId} (another tooltrial version?)`,
        );
        return 2;
      case "identical":
        console.log(
          `reproduced run ${r.runId}: ${r.report.episodes.length} episodes, every figure identical (timings aside) → ${r.out}`,
        );
        return 0;
      case "different":
        console.error(
          `run ${r.runId} did NOT reproduce: the figures differ${
            r.differences.length
              ? `\n${r.differences.map((d) => `  ${d}`).join("\n")}`
              : " (details below overall level)"
          }\nnew report: ${r.out}`,
        );
        return 1;
    }
  },
});
