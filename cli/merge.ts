import { overallMarkdown } from "../reports/mod.ts";
import { mergeShards, UsageError } from "../run/mod.ts";
import { command } from "./command.ts";

/** `tooltrial merge`: one report from the shards of a run. */
export const merge = command({
  name: "merge",
  summary: "combine the logs of a sharded run into one report",
  usage: "merge SHARD...",
  flags: { out: { type: "string" } },
  help: `Usage: tooltrial merge SHARD_DIR... [--out DIR]

Reads the episodes.jsonl of every shard of one run (bench --shard i/n), checks they are all there
and complete, and writes report.json, report.md and report.html — the same figures a single
machine would have produced.

Options:
  --out DIR            output folder (default runs/<suite>-<run id>)
  -h, --help           show this help`,
  async run({ values, positionals }) {
    if (positionals.length === 0) {
      throw new UsageError(
        "merge needs the shard folders: tooltrial merge runs/x-shard0of2 runs/x-shard1of2",
      );
    }
    const { report, out, logs } = await mergeShards(positionals, { out: values.out });
    console.log(overallMarkdown(report));
    console.log(`\nmerged ${logs.length} shard logs (${report.episodes.length} episodes) → ${out}`);
    return 0;
  },
});
