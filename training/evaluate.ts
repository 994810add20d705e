import { dirname, join, resolve } from "node:path";
import { parse as parseYamlText, stringify } from "yaml";
import { brokenCells, oracleAgents } from "../reports/mod.ts";
import { wilson } from "../reports/metrics.ts";
import { mcnemarExact } from "../reports/stats.ts";
import type { EpisodeSummary, Report } from "../reports/types.ts";
import { AgentSetupError, LogError } from "../runners/mod.ts";
import { runBench, UsageError } from "../run/mod.ts";
import { type EpisodeSplit, loadSuite, SpecError, withSchemaLine } from "../spec/mod.ts";
import type { SuiteSpec } from "../spec/types.ts";
import type { TrainingContext } from "./context.ts";
import { TrainingError } from "./learner.ts";
import { type EvaluateStage, type StageSpec, trainedProtocol } from "./spec.ts";

/** The columns of the stage comparison: where each episode stands relative to training. */
export const COLUMNS = [
  {
    name: "seen · clean",
    test: (e: EpisodeSummary) => e.split === "seen" && e.variant === "clean",
  },
  {
    name: "seen · perturbed",
    test: (e: EpisodeSummary) => e.split === "seen" && e.variant !== "clean",
  },
  { name: "unseen task", test: (e: EpisodeSummary) => e.split === "unseen_task" },
  { name: "unseen tool", test: (e: EpisodeSummary) => e.split === "unseen_tool" },
  { name: "unseen env", test: (e: EpisodeSummary) => e.split === "unseen_env" },
] as const;

/** The protocol a scripted reference agent is built for (others: every protocol counts). */
const SCRIPTED_PROTOCOL: Record<string, string> = {
  explorer: "trial",
  memorizer: "direct",
  oracle: "direct",
  random: "direct",
};

/**
 * The stage comparison as Markdown: success (with 95% Wilson interval) per agent and column, each
 * agent under the protocol it was trained on (`protocolOf`; agents not listed count every
 * protocol), the other protocols as a secondary column; then each agent paired against `baseline`
 * on the very same tasks, variants and seeds (difference and exact McNemar p), each under its own
 * protocol.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { comparisonMarkdown } from "./evaluate.ts";
 * const md = comparisonMarkdown([], { agents: ["a"], protocolOf: { a: "direct" } });
 * assert.ok(md.includes("| a (direct) |"));
 * ```
 */
export function comparisonMarkdown(
  episodes: readonly EpisodeSummary[],
  opts: {
    agents: string[];
    baseline?: string;
    protocolOf?: Record<string, string | null>;
    /** Per episode id: did its first execution call reach the task's first gold tool? */
    firstTool?: ReadonlyMap<string, boolean>;
  },
): string {
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const protocolOf = opts.protocolOf ?? {};
  const matched = (a: string) => (e: EpisodeSummary) =>
    e.agent === a && (!protocolOf[a] || e.protocol === protocolOf[a]);
  const other = (a: string) => (e: EpisodeSummary) =>
    e.agent === a && !!protocolOf[a] && e.protocol !== protocolOf[a];
  const label = (a: string) => protocolOf[a] ? `${a} (${protocolOf[a]})` : a;
  const cell = (g: readonly EpisodeSummary[]) => {
    if (g.length === 0) return "–";
    const k = g.filter((e) => e.success).length;
    const [lo, hi] = wilson(k, g.length);
    return `${pct(k / g.length)} (${pct(lo)}–${pct(hi)}, n=${g.length})`;
  };
  const head = `| agent (protocol) | ${
    COLUMNS.map((c) => c.name).join(" | ")
  } | all | all, other protocol |`;
  const rule = `|---|${COLUMNS.map(() => "---|").join("")}---|---|`;
  const cols = [...COLUMNS.map((c) => c.test), () => true];
  const rows = opts.agents.map((a) => {
    const mine = episodes.filter(matched(a));
    const cells = cols.map((t) => cell(mine.filter(t)));
    const rest = episodes.filter(other(a));
    const protocols = [...new Set(rest.map((e) => e.protocol))].join(", ");
    cells.push(rest.length ? `${cell(rest)} ${protocols}` : "–");
    return `| ${label(a)} | ${cells.join(" | ")} |`;
  });
  const out = [head, rule, ...rows];
  const firstTool = opts.firstTool;
  if (firstTool) {
    // Reading the interface, whatever the arguments: the share of episodes whose first execution
    // call went to the right tool (by its canonical name), under each agent's own protocol.
    out.push(
      "",
      "First execution call to the task's first gold tool (the right tool, whatever its arguments), same episodes:",
      "",
      `| agent (protocol) | ${COLUMNS.map((c) => c.name).join(" | ")} | all |`,
      `|---|${COLUMNS.map(() => "---|").join("")}---|`,
    );
    for (const a of opts.agents) {
      const mine = episodes.filter(matched(a));
      const cells = cols.map((t) =>
        cell(mine.filter(t).map((e) => ({ ...e, success: firstTool.get(e.id) ?? false })))
      );
      out.push(`| ${label(a)} | ${cells.join(" | ")} |`);
    }
  }
  const base = opts.baseline;
  if (base && opts.agents.includes(base)) {
    const key = (e: EpisodeSummary) => [e.env, e.task, e.variant, e.seed, e.sample].join("/");
    const baseBy = new Map(episodes.filter(matched(base)).map((e) => [key(e), e]));
    out.push(
      "",
      `Paired against ${
        label(base)
      } on the same tasks, variants and seeds, each agent under its own protocol: success difference (discordant pairs b/c, exact McNemar p).`,
      "",
      `| agent − ${base} | ${COLUMNS.map((c) => c.name).join(" | ")} | all |`,
      `|---|${COLUMNS.map(() => "---|").join("")}---|`,
    );
    for (const a of opts.agents) {
      if (a === base) continue;
      const mine = episodes.filter(matched(a));
      const cells = cols.map((t) => {
        const pairs = mine.filter(t).flatMap((e) => {
          const b = baseBy.get(key(e));
          return b ? [[e.success, b.success]] : [];
        });
        if (pairs.length === 0) return "–";
        const b = pairs.filter(([x, y]) => x && !y).length;
        const c = pairs.filter(([x, y]) => !x && y).length;
        const diff = (b - c) / pairs.length;
        return `${diff >= 0 ? "+" : ""}${Math.round(diff * 100)} pts (${b}/${c}, p=${
          mcnemarExact(b, c).p_value.toPrecision(2)
        })`;
      });
      out.push(`| ${label(a)} | ${cells.join(" | ")} |`);
    }
  }
  return out.join("\n") + "\n";
}

/**
 * For each episode of a run's `episodes.jsonl`: did its first execution-phase call reach the
 * task's first gold tool (the call's canonical name, so a renamed tool counts as itself)?
 */
export async function firstCallRight(
  file: string,
  episodes: readonly EpisodeSummary[],
  suite: SuiteSpec,
): Promise<Map<string, boolean>> {
  const first = new Map<string, string | null>();
  const text = await Deno.readTextFile(file);
  for (const line of text.split("\n")) {
    if (!line.includes('"type":"tool"')) continue;
    const ev = JSON.parse(line);
    if (ev.type !== "tool" || ev.phase === "trial" || first.has(ev.episode)) continue;
    first.set(ev.episode, ev.canonical?.tool ?? null);
  }
  const out = new Map<string, boolean>();
  for (const e of episodes) {
    const task = suite.envs.find((x) => x.name === e.env)?.tasks.find((t) => t.id === e.task);
    const want = task?.gold[0]?.tool;
    out.set(e.id, want !== undefined && first.get(e.id) === want);
  }
  return out;
}

/**
 * Run the training file's suite with every listed export stage's model folder as an ONNX agent
 * (plus any scripted references), on the evaluation splits, variants, protocols and seeds, and
 * write the suite's report and a stage comparison (`comparison.md`).
 */
export async function evaluate(
  ctx: TrainingContext,
  stage: StageSpec & EvaluateStage,
  opts: { dir: string; onInterrupt?: (logPath: string) => void },
): Promise<{ report: string; comparison: string; episodes: number; table: string }> {
  const spec = ctx.spec;
  const raw = parseYamlText(await Deno.readTextFile(spec.suite.file));
  const suiteDir = dirname(spec.suite.file);
  raw.suite = `${spec.name}-${stage.name}`;
  raw.description = `Stage comparison of training ${spec.name} (generated by tooltrial train).`;
  raw.envs = (raw.envs as string[]).map((p) => resolve(suiteDir, p));
  const only = stage.tasks_per_env ? { tasks_per_env: stage.tasks_per_env } : undefined;
  raw.agents = {};
  for (const name of stage.scripted) {
    raw.agents[name] = { scripted: name, ...(only ? { only } : {}) };
  }
  for (const name of stage.agents) {
    raw.agents[name] = {
      onnx: resolve(ctx.dirs.get(name)!, "model"),
      device: spec.trainer.device === "cuda" ? ["cuda", "cpu"] : ["cpu"],
      max_new_tokens: stage.max_new_tokens,
      temperature: 0,
      ...(stage.grammar ? { grammar: true } : {}),
      ...(only ? { only } : {}),
    };
  }
  raw.seeds = spec.evaluation.seeds;
  raw.samples = spec.evaluation.samples;
  const suiteFile = join(opts.dir, "suite.yaml");
  await Deno.writeTextFile(suiteFile, withSchemaLine(stringify(raw), suiteFile));
  const out = join(opts.dir, "run");
  const report = await evaluationRun(stage.name, suiteFile, {
    out,
    evaluation: spec.evaluation,
    onInterrupt: opts.onInterrupt,
  });
  const agents = [...stage.scripted, ...stage.agents];
  const baseline = stage.agents.find((a) => a.includes("trajectory")) ?? stage.agents[0];
  const ran = new Set(report.episodes.map((e) => e.protocol));
  const protocolOf: Record<string, string | null> = {};
  for (const a of stage.scripted) {
    protocolOf[a] = ran.has(SCRIPTED_PROTOCOL[a]) ? SCRIPTED_PROTOCOL[a] : null;
  }
  for (const a of stage.agents) {
    const p = trainedProtocol(spec.stages, a);
    // The base model was trained under no protocol: direct is its primary column.
    protocolOf[a] = p ?? (ran.has("direct") ? "direct" : null);
  }
  const firstTool = await firstCallRight(join(out, "episodes.jsonl"), report.episodes, spec.suite);
  const table = comparisonMarkdown(report.episodes, { agents, baseline, protocolOf, firstTool });
  const comparison = join(opts.dir, "comparison.md");
  await Deno.writeTextFile(
    comparison,
    `# ${spec.name}: stage comparison\n\nSuccess rate by where the task stands relative to training, each policy under the protocol it was trained on (trajectory-SFT: direct; trial-trained: trial), the other protocol in the last column (protocols run: ${
      spec.evaluation.protocols.join(", ")
    }; variants: ${spec.evaluation.variants.join(", ")}; seeds ${
      spec.evaluation.seeds.join(", ")
    }).\n\n${table}`,
  );
  ctx.log(table);
  return { report: join(out, "report.md"), comparison, episodes: report.episodes.length, table };
}

/**
 * Bench the evaluation suite into `out` and return its report. A run that cannot start (a bad
 * spec, a model that does not load) or whose oracle fails a task is the stage's failure.
 */
async function evaluationRun(
  stage: string,
  suiteFile: string,
  opts: {
    out: string;
    evaluation: { variants: string[]; splits: EpisodeSplit[]; protocols: string[] };
    onInterrupt?: (logPath: string) => void;
  },
): Promise<Report> {
  const { variants, splits, protocols } = opts.evaluation;
  let report: Report;
  try {
    const suite = await loadSuite(suiteFile);
    // Episodes in flight: what the ONNX agents batch together (results do not depend on it).
    const concurrency = 16;
    const run = await runBench(suite, {
      selection: { variants, splits, protocols, samples: suite.samples, seeds: suite.seeds },
      out: opts.out,
      concurrency,
      // What the same run is on the command line: its provenance, and what reproduce reruns.
      command: [
        "bench",
        suiteFile,
        "--out",
        opts.out,
        "--variants",
        variants.join(","),
        "--splits",
        splits.join(","),
        "--protocols",
        protocols.join(","),
        "--concurrency",
        String(concurrency),
        "--quiet",
      ],
      onInterrupt: opts.onInterrupt,
    });
    report = run.report!;
  } catch (err) {
    if (err instanceof SpecError) {
      throw new TrainingError(`stage ${stage}: the evaluation run failed:\n${err.format()}`);
    }
    if (
      err instanceof UsageError || err instanceof LogError || err instanceof AgentSetupError
    ) {
      throw new TrainingError(`stage ${stage}: the evaluation run failed: ${err.message}`);
    }
    throw err;
  }
  const broken = brokenCells(report.episodes, oracleAgents(report));
  if (broken.length > 0) {
    throw new TrainingError(
      `stage ${stage}: the evaluation run failed: the oracle failed ${broken.length} (task, variant) cell${
        broken.length > 1 ? "s" : ""
      } (${broken.slice(0, 3).map((c) => `${c.env}/${c.task} under ${c.variant}`).join(", ")}${
        broken.length > 3 ? ", …" : ""
      }); tooltrial validate ${suiteFile} locates the problems`,
    );
  }
  return report;
}
