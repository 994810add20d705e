import { isAbsolute, join, resolve } from "node:path";
import { formatPercent, logEpisodes } from "../reports/mod.ts";
import {
  agentSpec,
  DEFAULT_MAX_TURNS,
  loadSuite,
  recordedKey,
  sha256Hex,
  SpecError,
  type SpecIssue,
} from "../spec/mod.ts";
import type { ProtocolSpec, RecordedAgentSpec, SuiteSpec } from "../spec/types.ts";
import { runBench, UsageError, variantNames } from "../run/mod.ts";
import { command } from "./command.ts";
import { listFlag } from "./flags.ts";
import { runOutput } from "./_run_output.ts";

/** `tooltrial judge`: score a file of recorded calls with the suite's checks, no model needed. */
export const judge = command({
  name: "judge",
  summary: "score calls recorded elsewhere (an external model's outputs) with the tasks' checks",
  usage: "judge CALLS.jsonl [--suite suite.yaml]",
  flags: {
    suite: { type: "string" },
    out: { type: "string" },
    variants: { type: "string" },
    name: { type: "string" },
    quiet: { type: "boolean" },
  },
  help: `Usage: tooltrial judge CALLS.jsonl [--suite suite.yaml] [options]

Scores what a model did elsewhere — an API run, another harness, BFCL's result files — with the
suite's own checks, without running a model: each line of CALLS.jsonl is one task,

  {"task": "env/task-id", "calls": [{"name": "f", "arguments": {…}}], "answer": "…"}

(arguments may be the JSON text an API returned; BFCL's {"id": …, "result": [{"f": {…}}]} works
too). Each task's calls are replayed against the environment as one turn, then its answer is
given, and the task's checks judge the final answer, state and calls. Only the tasks in the file
run, under the direct protocol, on the clean interface (recorded calls use the names the model
saw). The run is a normal run folder: report.html lists each failure with its reason.

Options:
  --suite FILE         the suite whose environments and checks apply (default suite.yaml)
  --out DIR            output folder (default runs/judge-<name>-<run id>)
  --variants v,w       judge under these variants too (the calls must use their names)
  --name NAME          the agent's name in the report (default: the file's name)
  --quiet              print nothing but errors
  -h, --help           show this help

Exit code: 0 when every task passed, 1 when some failed, 2 for bad input.
The same file can join any suite as an agent: agents: { mine: { recorded: CALLS.jsonl } }.`,
  async run({ values, positionals, args }) {
    if (positionals.length !== 1) {
      throw new UsageError(
        `judge takes one file of recorded calls, got ${positionals.length}${
          positionals.length ? `: ${positionals.join(" ")}` : ""
        }`,
      );
    }
    const file = positionals[0];
    const base = await loadSuite(values.suite ?? "suite.yaml");
    const name = values.name ??
      (file.split("/").at(-1) ?? "recorded").replace(/\.jsonl?$/, "").replace(
        /[^A-Za-z0-9_-]/g,
        "-",
      );
    const issue = (pointer: string, message: string, hint?: string): SpecIssue => ({
      file,
      line: 1,
      col: 1,
      pointer,
      message,
      ...(hint ? { hint } : {}),
    });
    const spec = await agentSpec(name, { recorded: isAbsolute(file) ? file : resolve(file) }, {
      dir: ".",
      at: issue,
    });
    if (!("kind" in spec)) throw new SpecError([spec]);
    const agent = spec as RecordedAgentSpec;
    if (Object.keys(agent.episodes).length === 0) {
      throw new UsageError(`${file} records no task: one JSON line per task, as --help shows`);
    }
    const suite = await judgedSuite(base, agent);
    const variants = listFlag(values.variants, "variants", variantNames(base));
    const quiet = values.quiet ?? false;
    const { out, report, logPath } = await runBench(suite, {
      ...runOutput(quiet),
      selection: {
        protocols: [suite.protocols[0].name],
        variants: ["clean", ...(variants ?? []).filter((v) => v !== "clean")],
        samples: 1,
        seeds: [base.seeds[0]],
      },
      out: values.out,
      command: ["judge", ...args],
    });
    if (!report) return 1;
    if (!quiet) console.log(await verdictText(out, logPath));
    return report.episodes.every((e) => e.success) ? 0 : 1;
  },
});

/**
 * The suite cut down to what a file of recorded calls covers: its tasks (by `env/id` or id, an
 * unknown one an error naming the line), one agent, one direct protocol. Its hash covers the
 * suite's and the file's, so a judged run has its own run id.
 */
async function judgedSuite(suite: SuiteSpec, agent: RecordedAgentSpec): Promise<SuiteSpec> {
  const covered = new Set<string>();
  const issues: SpecIssue[] = [];
  const envs = suite.envs.map((env) => ({
    ...env,
    tasks: env.tasks.filter((t) => {
      const key = recordedKey(agent.episodes, env.name, t.id);
      if (key) covered.add(key);
      return key !== undefined;
    }),
  })).filter((env) => env.tasks.length > 0);
  for (const [key, ep] of Object.entries(agent.episodes)) {
    if (covered.has(key)) continue;
    const all = suite.envs.flatMap((e) => e.tasks.map((t) => `${e.name}/${t.id}`));
    const near = all.filter((k) => k.endsWith(`/${key.split("/").at(-1)}`));
    issues.push({
      file: agent.recorded.path,
      line: ep.line,
      col: 1,
      pointer: "",
      message: `task ${key} is not in suite ${suite.name}`,
      hint: near.length > 0
        ? `did you mean ${near.slice(0, 3).join(", ")}?`
        : `name it as env/task-id, one of the suite's (e.g. ${all[0]}), or pass --suite`,
    });
  }
  if (issues.length > 0) throw new SpecError(issues);
  // The suite's direct protocol (its turn limit), or the default one when it has none.
  const direct: ProtocolSpec = suite.protocols.find((p) => p.kind === "direct") ??
    { name: "direct", kind: "direct", trialBudget: 0, maxTurns: DEFAULT_MAX_TURNS };
  return {
    ...suite,
    name: `judge-${agent.name}`,
    sha256: await sha256Hex(`${suite.sha256} ${agent.recorded.sha256}`),
    envs,
    agents: [agent],
    protocols: [direct],
  };
}

/** Each failed task with the reason its first failed check gives (from the log), then the totals. */
async function verdictText(out: string, logPath: string): Promise<string> {
  const lines: string[] = [];
  let n = 0, passed = 0;
  for await (const { head, result } of logEpisodes(logPath)) {
    n++;
    if (result.success) {
      passed++;
      continue;
    }
    const c = result.checks.find((c) => !c.passed);
    lines.push(
      `FAIL ${head.env}/${head.task}${head.variant === "clean" ? "" : ` (${head.variant})`}: ${
        c ? `${c.name}: ${c.detail ?? "false"}` : result.error ?? "failed"
      }`,
    );
  }
  lines.push(
    `${passed} of ${n} task${n === 1 ? "" : "s"} passed (${formatPercent(n ? passed / n : 0)})`,
    `report: ${join(out, "report.html")} · ${join(out, "report.md")} · ${join(out, "report.json")}`,
  );
  return lines.join("\n");
}
