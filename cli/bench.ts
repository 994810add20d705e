import { join } from "node:path";
import {
  brokenCells,
  failedOnlyByJudge,
  oracleAgents,
  overallMarkdown,
  type Report,
} from "../reports/mod.ts";
import { type EpisodeSplit, loadSuite, type SuiteSpec } from "../spec/mod.ts";
import { EpisodePool, type StartedWorkers } from "../runners/mod.ts";
import { SPLITS } from "../tasks/mod.ts";
import { runBench, type Selection, UsageError, variantNames } from "../run/mod.ts";
import { command } from "./command.ts";
import {
  cacheFlags,
  type Flags,
  intFlag,
  listFlag,
  shardFlag,
  type Values,
  workersFlag,
} from "./flags.ts";
import { runOutput } from "./_run_output.ts";

const BENCH_FLAGS = {
  out: { type: "string" },
  agents: { type: "string" },
  protocols: { type: "string" },
  variants: { type: "string" },
  splits: { type: "string" },
  samples: { type: "string" },
  seed: { type: "string" },
  shard: { type: "string" },
  concurrency: { type: "string" },
  workers: { type: "string" },
  quiet: { type: "boolean" },
  verbose: { type: "boolean" },
  record: { type: "boolean" },
  "cache-dir": { type: "string" },
  "no-cache": { type: "boolean" },
  "allow-broken-tasks": { type: "boolean" },
} satisfies Flags;

/** `tooltrial bench`: run a suite and write its report. */
export const bench = command({
  name: "bench",
  summary: "run a suite (default suite.yaml) and write a report; resumes an interrupted run",
  usage: "bench [suite.yaml]",
  flags: BENCH_FLAGS,
  help: `Usage: tooltrial bench [suite.yaml] [options]

Runs every (env, variant, task, agent, protocol, seed, sample) episode of the suite and writes
  DIR/episodes.jsonl   every event of every episode, and each variant's mapping (versioned JSONL)
  DIR/report.json      aggregated results with provenance (reports/schema/report.v1.json)
  DIR/report.md        the same as Markdown tables
  DIR/report.html      one self-contained page with charts, every failure with its transcript,
                       and per-task drill-downs

Rerunning the same command after a crash or kill resumes: finished episodes are kept, the rest run.

Options:
  --out DIR            output folder (default runs/<suite>-<run id>)
  --agents a,b         only these agents (default: all in the suite)
  --protocols p,q      only these protocols (default: all in the suite)
  --variants v,w       only these variants (clean is the baseline; default: all)
  --splits s,t         only these splits: seen, unseen_task, unseen_tool, unseen_env
  --samples N          episodes per (task, agent, protocol, seed) (default: the suite's)
  --seed N             use this one seed instead of the suite's seeds
  --shard i/n          run only slice i of n (0-based) of the episode grid; auto/n takes i from
                       JOB_COMPLETION_INDEX (Kubernetes) or SLURM_ARRAY_TASK_ID (Slurm);
                       combine the slices with tooltrial merge
  --workers N          worker threads running episodes (default: one per core; 1: all in one
                       thread); the log and report are the same for any N. Each worker loads
                       the suite and its own agents; ONNX agents get at most cores/N threads
                       each. Endpoint agents run in the main thread; --record uses one worker
  --concurrency N      episodes in flight at once in each worker (default 4); results do not
                       depend on it. Endpoint agents (openai:, anthropic:) run their own
                       concurrency (default 16)
  --cache-dir DIR      where endpoint agents keep replies (default runs/cache): a rerun, resume
                       or reproduce replays them and calls the endpoint only for turns not there
  --no-cache           call the endpoint for every turn (replies are still stored)
  --record             HTTP tools call their live API and record the answers into each env's
                       cassette (needs --allow-net); without it they replay the cassette
  --allow-broken-tasks exit 0 even when the oracle fails somewhere (by default that is exit 1:
                       a gold call or a check is wrong there; tooltrial validate locates it)
  --quiet              print nothing but errors
  --verbose            also say why GPU execution providers were passed over
  -h, --help           show this help`,
  async run({ values, positionals, args }) {
    if (positionals.length > 1) {
      throw new UsageError(
        `bench takes one suite file, got ${positionals.length}: ${positionals.join(" ")}`,
      );
    }
    const file = positionals[0] ?? "suite.yaml";
    const workers = workersFlag(values.workers);
    // Asked for several workers: they load the suite beside this thread, not after it.
    const started = typeof workers === "number" && workers > 1 && !values.record
      ? EpisodePool.start(file, workers)
      : undefined;
    try {
      return await benchSuite(await loadSuite(file), { values, args, workers, started });
    } finally {
      started?.cancel();
    }
  },
});

/** The flags bench parsed. */
type BenchValues = Values<typeof BENCH_FLAGS>;

/** Run the loaded suite as the flags say; print the overall table; the exit code. */
async function benchSuite(
  suite: SuiteSpec,
  { values, args, workers, started }: {
    values: BenchValues;
    args: string[];
    workers: number | "auto";
    started?: StartedWorkers;
  },
): Promise<number> {
  const seed = intFlag(values.seed, "seed", 0);
  const selection: Selection = {
    agents: listFlag(values.agents, "agents", suite.agents.map((a) => a.name)),
    protocols: listFlag(values.protocols, "protocols", suite.protocols.map((p) => p.name)),
    variants: listFlag(values.variants, "variants", variantNames(suite)),
    splits: listFlag(values.splits, "splits", [...SPLITS], "a split") as
      | EpisodeSplit[]
      | undefined,
    samples: intFlag(values.samples, "samples", 1) ?? suite.samples,
    seeds: seed !== undefined ? [seed] : suite.seeds,
  };
  const shard = shardFlag(values.shard);
  const concurrency = intFlag(values.concurrency, "concurrency", 1) ?? 4;
  const quiet = values.quiet ?? false;
  const { out, logPath, report } = await runBench(suite, {
    ...runOutput(quiet),
    selection,
    out: values.out,
    shard,
    concurrency,
    workers,
    started,
    command: ["bench", ...args],
    verbose: values.verbose ?? false,
    record: values.record ?? false,
    cache: cacheFlags(values),
  });
  if (!report) {
    if (!quiet) {
      console.log(
        `shard ${shard!.index}/${
          shard!.count
        } done: ${logPath}\nwhen every shard is done: tooltrial merge <each shard's folder> --out DIR`,
      );
    }
    return 0;
  }
  if (!quiet) {
    console.log(overallMarkdown(report));
    console.log(
      `\nreport: ${join(out, "report.html")} · ${join(out, "report.md")} · ${
        join(out, "report.json")
      } · episodes: ${logPath}`,
    );
  }
  return brokenTasksWarning(report, values["allow-broken-tasks"] ?? false);
}

/** Warn about (task, variant) cells the oracle failed; exit 1 for them unless allowed. */
function brokenTasksWarning(report: Report, allow: boolean): number {
  const oracles = oracleAgents(report);
  const judged = report.episodes.filter((e) => oracles.includes(e.agent) && failedOnlyByJudge(e));
  if (judged.length > 0) {
    console.error(
      `note: the judge failed the oracle in ${judged.length} episode${
        judged.length > 1 ? "s" : ""
      } on judge: checks alone (first: ${judged[0].env}/${judged[0].task} under ${
        judged[0].variant
      }) — the judge's grades or those assertions are wrong there; each grade's reason is in the episode log (tooltrial show)`,
    );
  }
  const cells = brokenCells(report.episodes, oracles);
  if (cells.length === 0) return 0;
  const shown = cells.slice(0, 10).map((c) =>
    `  ${c.env}/${c.task} under ${c.variant} (${
      c.protocols.join(", ")
    }: ${c.failed} of ${c.episodes} failed)`
  );
  console.error(
    [
      `warning: the oracle failed ${cells.length} (task, variant) cell${
        cells.length > 1 ? "s" : ""
      }: a gold call or a check is wrong there, or the variant breaks the task`,
      ...shown,
      ...(cells.length > 10 ? [`  … and ${cells.length - 10} more`] : []),
      `tooltrial validate ${report.provenance.suite.file} locates the problems${
        allow ? "" : "; --allow-broken-tasks exits 0 anyway"
      }`,
    ].join("\n"),
  );
  return allow ? 0 : 1;
}
