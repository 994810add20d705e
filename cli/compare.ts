import { compareRuns, UsageError } from "../run/mod.ts";
import { command } from "./command.ts";

/** `tooltrial compare`: two runs side by side, paired statistics on the episodes they share. */
export const compare = command({
  name: "compare",
  summary: "two reports side by side, with paired statistics on shared episodes",
  usage: "compare A B",
  flags: {
    pair: { type: "string" },
    by: { type: "string", multiple: true },
  },
  help: `Usage: tooltrial compare A B [--pair episode|task] [--by NAME_A=NAME_B …]

A and B are run folders or report.json files. Prints a Markdown table per agent × protocol ×
variant: both success rates, the difference, and — on the episodes both runs share — a paired
bootstrap interval and an exact McNemar test. When no episode pairs, says why (exit 2).

Options:
  --pair episode       pair the same agent's episodes (env, task, variant, protocol, seed, sample;
                       the default)
  --pair task          pair any agent of A with any agent of B on the same env, task, variant,
                       protocol, seed and sample: two models run separately under their own names
  --by a=b             read agent a of A as agent b of B (repeatable), with --pair episode
  -h, --help           show this help`,
  async run({ values, positionals }) {
    if (positionals.length !== 2) {
      throw new UsageError(
        "compare takes two reports: tooltrial compare a/report.json b/report.json",
      );
    }
    const pair = values.pair ?? "episode";
    if (pair !== "episode" && pair !== "task") {
      throw new UsageError(`--pair must be episode or task: current value is "${pair}"`);
    }
    const by = new Map<string, string>();
    for (const m of values.by ?? []) {
      const [x, y, ...rest] = m.split("=");
      if (!x || !y || rest.length > 0) {
        throw new UsageError(
          `--by takes NAME_A=NAME_B (an agent of A read as one of B): got "${m}"`,
        );
      }
      by.set(x, y);
    }
    console.log(await compareRuns(positionals[0], positionals[1], { pair, by }));
    return 0;
  },
});
