/**
 * The tooltrial command line: `bench`, `validate`, `list`, `report`, `show`, `merge`, `compare`,
 * `reproduce`, `serve`, `import`, `train`.
 * Exit codes: 0 ok, 1 the run failed, 2 bad input (spec, flag or path).
 * @module
 */
import { parseArgs } from "node:util";
import { basename, dirname, join } from "node:path";
import { closeNames, loadAny, loadSuite, sha256Hex, SpecError } from "./spec/mod.ts";
import type { EpisodeSplit, SuiteSpec } from "./spec/types.ts";
import { type Agent, AgentSetupError } from "./runners/agent.ts";
import {
  checkEndpoints,
  closeAgents,
  type EndpointAgent,
  isEndpointAgent,
  openAgents,
} from "./runners/agents/mod.ts";
import {
  auditTasks,
  type EpisodeEvent,
  inShard,
  lockRunDir,
  LogError,
  openRunLog,
  planRun,
  readHeader,
  runSuite,
  sortLog,
  writeFileAtomic,
} from "./runners/mod.ts";
import { episodeSplit, SPLITS } from "./tasks/mod.ts";
import { operators, variantsFor } from "./variants/mod.ts";
import {
  assertValidReport,
  brokenCells,
  compareMarkdown,
  EPISODE_FIELDS,
  type EpisodeField,
  type EpisodeFilter,
  episodeJson,
  episodeText,
  FailureCollector,
  type FailureData,
  logEpisodes,
  machineProvenance,
  oracleAgents,
  overallMarkdown,
  progressBar,
  type Provenance,
  renderHtml,
  renderJunit,
  renderMarkdown,
  type Report,
  reportFigures,
  reportFromLogs,
  selectEpisodes,
  suiteProvenance,
  whyNothingPairs,
} from "./reports/mod.ts";
import { createApp, createModelApp } from "./serve/app.ts";
import { closeServedModels, openServedModels, parseModelFlag } from "./serve/openai_api.ts";
import {
  bfclEnv,
  envName,
  openAiToolsEnv,
  readJsonRecords,
  rotbenchEnvs,
} from "./importers/mod.ts";
import { envFromDoc } from "./spec/load_env.ts";
import { parseYaml } from "./spec/yaml.ts";
import { formatIssue } from "./spec/errors.ts";
import { Backends, closeAllBackends } from "./tools/mod.ts";
import { VERSION } from "./version.ts";

/** Bad command-line input: printed without a stack trace, exit 2. */
export class UsageError extends Error {}

const HELP: Record<string, string> = {
  main: `tooltrial ${VERSION} — can an agent learn a tool it has never seen by trying it?

Usage: tooltrial <command> [options]

Commands:
  bench [suite.yaml]     run a suite (default suite.yaml) and write a report; resumes an interrupted run
  validate FILE...       check env or suite specs; exit 2 on any problem
  list [suite.yaml]      show a suite's environments, tools, tasks, variants, agents and protocols
  report RUN             render a run folder or report.json as md, html, junit or json
  show RUN               print a run's episodes (--failed: its failures) with their transcripts
  merge SHARD...         combine the logs of a sharded run into one report
  compare A B            two reports side by side, with paired statistics on shared episodes
  reproduce REPORT       rerun exactly what a report describes and check every figure matches
  serve [suite.yaml]     HTTP environment API, MCP endpoint and report viewer (hono)
  import KIND FILE       make an env folder from OpenAI/Anthropic tool lists, BFCL or RoTBench data
  train training.yaml    run training stages (synthesize, sft, grpo, export, evaluate); cached

Run "tooltrial <command> --help" for a command's options.
Exit codes: 0 ok, 1 run failed, 2 bad input.`,
  bench: `Usage: tooltrial bench [suite.yaml] [options]

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
  --concurrency N      episodes in flight at once (default 4); results do not depend on it.
                       Endpoint agents (openai:, anthropic:) run their own concurrency (default 16)
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
  validate: `Usage: tooltrial validate FILE... [--fast]

Loads each env (a folder with env.yaml, or the YAML file), suite or training file, checks it against the
JSON Schemas in spec/schema/ and every cross-reference (tools, tables, expressions, data files),
then proves each task right: its gold calls replayed as the oracle makes them, on a fresh copy of
the state, under clean and every variant of the suite (a bare env: the seven default variants,
see docs/spec.md), must all succeed and its checks must pass with the reference answer; every value
an answer check expects must appear in the gold calls' results or the query (unless the task is
tagged compute or says grounded: false); no two tasks may share a query or accept each other's
answer. Tasks whose gold calls need an MCP server are not replayed (listed). Prints each problem
as file:line:col with a hint. Exit 2 if any file has a problem.

Options:
  --fast               skip the replay (schema and cross-references only)
  -h, --help           show this help`,
  report: `Usage: tooltrial report RUN [--format md|html|junit|json] [--out FILE]

RUN is a run folder (its report.json, or its episodes.jsonl when the report is missing) or a
report.json. Prints to stdout unless --out is given. Every format is rendered from the report alone,
except that html takes every failure's transcript from the run's episodes.jsonl when it is there.

Options:
  --format F           md (default), html, junit (JUnit XML for CI systems) or json
  --out FILE           write there instead of stdout
  -h, --help           show this help`,
  show: `Usage: tooltrial show RUN [--failed] [--agent A] [--variant V] [--task T] [--env E]
                      [--protocol P] [--split S] [--limit N] [--json]

RUN is a run folder (or its episodes.jsonl). Prints the episodes that match, in plan order, each
with a header line (outcome ✓/✗, env/task, agent, variant, protocol, seed, split, failure kind,
calls, tokens and cost where the agent reports them), every turn (calls with their arguments, the
canonical call a variant mapped it to, results cut to the width, errors), the answer, and every
check with why it failed. The log is checked as report checks it; a run still going shows the
episodes finished so far. Filters take exact names (a,b for either); a name the run does not have
is an error that lists the ones it has.

Options:
  --failed             failed episodes only
  --agent A            only this agent's episodes (likewise --variant, --task, --env, --protocol,
                       --split)
  --limit N            print at most N episodes (default 20; 0: all) and say how many more match
  --json               one JSON object per episode instead (identity, outcome, failure kind, events)
  -h, --help           show this help`,
  merge: `Usage: tooltrial merge SHARD_DIR... [--out DIR]

Reads the episodes.jsonl of every shard of one run (bench --shard i/n), checks they are all there
and complete, and writes report.json, report.md and report.html — the same figures a single
machine would have produced.

Options:
  --out DIR            output folder (default runs/<suite>-<run id>)
  -h, --help           show this help`,
  compare: `Usage: tooltrial compare A B [--pair episode|task] [--by NAME_A=NAME_B …]

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
  reproduce: `Usage: tooltrial reproduce REPORT [--out DIR] [--concurrency N] [--no-cache]

Reruns exactly what a report describes: same suite, selection, seeds and samples. Refuses (exit 2)
with a list of changed files when a spec or data file no longer matches the hashes in the report.
Exit 0 when every figure is identical (timings aside), 1 when something differs.

Options:
  --out DIR            where the rerun goes (default a temporary folder)
  --concurrency N      episodes in flight (default: the report's)
  --cache-dir DIR      endpoint agents replay replies from here (default runs/cache): a run of
                       endpoint agents reproduces with no calls when its replies are there
  --no-cache           call the endpoints again for every turn
  -h, --help           show this help`,
  serve: `Usage: tooltrial serve [suite.yaml] [options]
       tooltrial serve --model NAME=PATH [--model NAME=PATH …] [suite.yaml] [options]

Serves the suite's environments — with their variants — to agents and RL trainers outside this
process, and the runs folder's reports:
  /v1/...              environment API (sessions: create, step, state, close; lists); /openapi.json
  /mcp/<session>       MCP (Streamable HTTP) endpoint exposing one session's tools
  /                    report viewer: runs, their reports, live progress of running benches
With --model, ONNX policies (model folders as onnx: agents load them) answer OpenAI's API:
  /v1/models, /v1/chat/completions   (without a suite file, only these routes are served)

Options:
  --host H             address to bind (default 127.0.0.1); anything but loopback needs --token
  --port N             port (default 8787; 0 picks a free one)
  --token T            bearer token every request must send (or TOOLTRIAL_TOKEN)
  --runs DIR           runs folder for the viewer (default runs)
  --ttl S              drop sessions idle for S seconds (default 600)
  --max-sessions N     most sessions open at once (default 1000)
  --model NAME=PATH    serve the model folder PATH as NAME on /v1/chat/completions (repeatable)
  --expose-state       GET /v1/sessions/{id} includes the session's state (what checks read;
                       off by default so an agent-side client cannot see the answer key)
  --grammar            constrain the models' tool calls to the request's tools and their schemas
                       (guided decoding, as onnx: agents' grammar: true)
  -h, --help           show this help`,
  import: `Usage: tooltrial import openai-tools TOOLS.json [--out DIR] [--name NAME]
       tooltrial import bfcl QUESTIONS.json [--answers POSSIBLE_ANSWER.json] [--out DIR]
                             [--name NAME] [--mode bfcl|strict] [--skip-bad]
       tooltrial import rotbench FIRST_TURN.json [--out DIR] [--name NAME] [--skip-bad] [--limit N]

openai-tools: an OpenAI ([{"type": "function", "function": {name, description, parameters}}]) or
  Anthropic ([{name, description, input_schema}]) tool list → DIR/env.yaml, a skeleton whose tools
  return a placeholder you must replace (the file says where), with a sample task, and
  DIR/suite.yaml to bench it.
bfcl: BFCL's question+function file (JSON lines with id, question, function) and its
  possible-answer file (id, ground_truth) → DIR/env.yaml with the union of the functions as tools
  (dotted names become valid tool names; each call is acknowledged with its arguments) and one task
  per entry, checked by a calls check against the possible answers, and DIR/suite.yaml. The
  oracle replays each entry's first possible answer and must score 100%. irrelevance and
  live_irrelevance entries (told by their ids) need no answers: their check is "no call";
  live_relevance entries are checked for at least one call.
rotbench: a RoTBench Data/First_Turn file (clean, slight, medium, heavy, union) → one task per
  case offering the case's tools under their noisy names, judged on its first action against the
  accepted actions with RoTBench's rules; cases whose tool names clash go to separate envs
  (DIR/NAME-01/env.yaml, …) under one DIR/suite.yaml. See docs/importers-rotbench.md.

Nothing is written when the input has a problem: every problem is printed as file:line:col.

Options:
  --out DIR            output folder (default ./NAME); refused if it already holds an env.yaml
                       the import would write
  --name NAME          env name (default from the file name)
  --answers FILE       bfcl: the possible-answer file (else each entry's own ground_truth)
  --mode M             bfcl: the calls checks' mode, bfcl (default: the leaderboard's rules) or strict
  --skip-bad           bfcl, rotbench: leave out entries with problems (each listed on stderr with
                       its reason, none of their tools kept) instead of stopping
  --limit N            rotbench: import only the file's first N cases
  -h, --help           show this help`,
  list: `Usage: tooltrial list [suite.yaml]

Shows the suite's environments with their tools and task counts per split, its variants, what it
holds out of training, its agents and protocols, and how many episodes a bench run makes.

Variant operators: ${Object.values(operators).map((o) => o.name).join(", ")}.

Options:
  -h, --help           show this help`,
};

HELP.train = `Usage: tooltrial train training.yaml [options]

Runs the stages of a training file in order: synthesize (teacher rollouts → chat JSONL), sft,
grpo (ONNX rollouts against the environments), export (ONNX folder, logits parity checked) and
evaluate (a suite run comparing the exported policies). Each stage's output goes to
OUT/<stage>-<key>, the key hashing its settings and inputs: a rerun skips finished stages, a
changed stage reruns with every stage that reads it, and a stage cut short resumes from its last
checkpoint. The learner is a separate process (training/trainer.py, PyTorch: Debian
python3-torch) speaking JSON lines over stdio.

Options:
  --until STAGE        stop after this stage
  --quiet              print nothing but errors
  -h, --help           show this help`;

type Flags = Record<string, { type: "string" | "boolean"; short?: string }>;

function parse<T extends Flags>(args: string[], options: T) {
  try {
    const all = { help: { type: "boolean", short: "h" }, ...options } as const;
    return parseArgs({ args, options: all, allowPositionals: true, strict: true }) as {
      values: { [K in keyof T]?: T[K]["type"] extends "string" ? string : boolean } & {
        help?: boolean;
      };
      positionals: string[];
    };
  } catch (err) {
    const msg = (err as Error).message.replace(/\. To specify a positional.*$/s, "");
    throw new UsageError(msg);
  }
}

function intFlag(v: string | undefined, name: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${v}"`);
  }
  return n;
}

function listFlag(
  v: string | undefined,
  name: string,
  known: string[],
  where = "in the suite",
): string[] | undefined {
  if (v === undefined) return undefined;
  const items = v.split(",").map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!known.includes(item)) {
      const close = closeNames(item, known, 1);
      throw new UsageError(
        `--${name}: "${item}" is not ${where}${
          close.length ? ` (did you mean "${close[0]}"?)` : ""
        }; known: ${known.join(", ")}`,
      );
    }
  }
  return items;
}

async function gitInfo(): Promise<{ commit: string | null; dirty: boolean | null }> {
  try {
    const run = async (...args: string[]) => {
      const out = await new Deno.Command("git", { args, stdout: "piped", stderr: "null" }).output();
      if (!out.success) throw new Error("git failed");
      return new TextDecoder().decode(out.stdout).trim();
    };
    const commit = await run("rev-parse", "HEAD");
    const dirty = (await run("status", "--porcelain", "--untracked-files=no")).length > 0;
    return { commit, dirty };
  } catch {
    return { commit: null, dirty: null };
  }
}

/** A run id: hash of what determines the results (specs, agents, protocols, seeds, samples, version). */
export async function runId(
  suite: SuiteSpec,
  sel: {
    agents?: string[];
    protocols?: string[];
    variants?: string[];
    splits?: string[];
    samples: number;
    seeds: number[];
  },
): Promise<string> {
  const key = JSON.stringify({
    v: VERSION,
    suite: suite.sha256,
    agents: suite.agents.filter((a) => !sel.agents || sel.agents.includes(a.name)),
    protocols: suite.protocols.filter((p) => !sel.protocols || sel.protocols.includes(p.name)),
    samples: sel.samples,
    seeds: sel.seeds,
    ...(sel.variants ? { variants: sel.variants } : {}),
    ...(sel.splits ? { splits: sel.splits } : {}),
  });
  return (await sha256Hex(key)).slice(0, 16);
}

/** Every variant name the suite runs on some environment, clean first. */
function variantNames(suite: SuiteSpec): string[] {
  return [...new Set(suite.envs.flatMap((e) => variantsFor(suite, e).map((v) => v.name)))];
}

/** `i/n`, or `auto/n` (index from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID). */
export function shardFlag(v: string | undefined): { index: number; count: number } | undefined {
  if (v === undefined) return undefined;
  const m = v.match(/^(\d+|auto)\/(\d+)$/);
  if (!m) {
    throw new UsageError(`--shard must be i/n (e.g. 0/4) or auto/n, got "${v}"`);
  }
  const count = Number(m[2]);
  let index: number;
  if (m[1] === "auto") {
    const job = Deno.env.get("JOB_COMPLETION_INDEX");
    const slurm = Deno.env.get("SLURM_ARRAY_TASK_ID");
    if (job === undefined && slurm === undefined) {
      throw new UsageError(
        "--shard auto/n needs JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID (Slurm array) in the environment",
      );
    }
    index = job !== undefined
      ? Number(job)
      : Number(slurm) - Number(Deno.env.get("SLURM_ARRAY_TASK_MIN") ?? 0);
  } else index = Number(m[1]);
  if (!Number.isInteger(index) || count < 1 || index < 0 || index >= count) {
    throw new UsageError(`--shard ${v}: the index must be 0 … ${count - 1}`);
  }
  return { index, count };
}

/** What a bench run selects from its suite; also what a report records and `reproduce` replays. */
interface Selection {
  agents?: string[];
  protocols?: string[];
  variants?: string[];
  splits?: EpisodeSplit[];
  samples: number;
  seeds: number[];
}

/** Where and how a bench, reproduce or training run writes its episodes. */
interface RunSettings {
  out: string;
  id: string;
  shard?: { index: number; count: number };
  concurrency: number;
  command: string[];
  quiet: boolean;
  /** Say why GPU providers were passed over. */
  verbose?: boolean;
  record?: boolean;
}

/** Run a selection of a suite into `out`, resuming a run there; returns the log path and count. */
async function runInto(
  suite: SuiteSpec,
  sel: Selection,
  opts: RunSettings & { cache: EndpointCache },
): Promise<{ logPath: string; planned: number; resumed: number }> {
  const plan = planRun(suite, sel).filter((p) => inShard(p, opts.shard));
  const planned = plan.length;
  if (planned === 0) {
    throw new UsageError(
      "nothing to run: the suite has no tasks for the selected agents, protocols, variants and splits",
    );
  }
  // Model agents load first: the provenance records the execution provider each one got.
  const needed = new Set(plan.map((p) => p.agent));
  const agents = await openAgents(suite.agents.filter((a) => needed.has(a.name)), {
    endpoints: { cacheDir: opts.cache.dir, noCache: opts.cache.off },
  });
  const models = [...agents.values()].filter((a) => a.info);
  // One line per distinct outcome: four models on the same CPU say it once.
  const where = new Map<string, string[]>();
  for (const a of models.filter((m) => m.info!.provider !== "remote")) {
    const tried = (a as { attempts?: { provider: string; error: string }[] }).attempts ?? [];
    // Why the GPU providers were passed over is for --verbose: on a machine without one it is
    // expected, and said on every run it is noise.
    const t = a.info!.threads;
    const threads = t === undefined
      ? ""
      : t === 0
      ? ", a thread per core"
      : `, ${t} thread${t > 1 ? "s" : ""}`;
    const line = `${a.info!.provider}${threads}${
      tried.length && opts.verbose
        ? ` (${tried.map((t) => `${t.provider}: ${t.error}`).join("; ")})`
        : tried.length
        ? ` (${tried.map((t) => t.provider).join(", ")} unavailable; --verbose says why)`
        : ""
    }`;
    const name = `${a.name}${a.info!.grammar ? " (grammar-constrained tool calls)" : ""}`;
    where.set(line, [...where.get(line) ?? [], name]);
  }
  if (!opts.quiet) {
    for (const [line, names] of where) {
      console.error(`${names.join(", ")}: ${names.length > 1 ? "run" : "runs"} on ${line}`);
    }
  }
  try {
    // An endpoint that cannot be reached is bad input, said before any episode runs.
    await checkEndpoints(agents, (note) => opts.quiet || console.error(note));
    const ran = await runOpened(suite, sel, {
      ...opts,
      planned,
      ids: new Set(plan.map((p) => p.id)),
      agents,
      models,
    });
    if (!opts.quiet) {
      for (const a of [...agents.values()].filter(isEndpointAgent)) {
        console.error(endpointSummary(a));
      }
    }
    return ran;
  } finally {
    await closeAgents(agents);
  }
}

/** Where endpoint agents keep replies (`--cache-dir`), and whether they replay them (`--no-cache`). */
interface EndpointCache {
  dir: string;
  off: boolean;
}

/** The response cache a command uses, from its `--cache-dir` and `--no-cache` flags. */
function cacheFlags(values: { "cache-dir"?: string; "no-cache"?: boolean }): EndpointCache {
  return { dir: values["cache-dir"] ?? join("runs", "cache"), off: values["no-cache"] ?? false };
}

/** One line on what an endpoint agent asked its server, and what the cache answered instead. */
function endpointSummary(a: EndpointAgent): string {
  const s = a.stats;
  const turns = s.live + s.cached;
  const k = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : String(n));
  return `${a.name}: ${turns} turns — ${s.live} requests to the endpoint${
    s.retries ? ` (${s.retries} retries)` : ""
  }, ${s.cached} replayed from the cache${a.cacheFile ? ` ${a.cacheFile}` : ""}${
    turns > 0 && s.live === 0 ? " (no endpoint calls)" : ""
  }; ${k(s.promptTokens)} prompt + ${k(s.completionTokens)} completion tokens`;
}

/** Requests in flight and tokens of the endpoint agents, for the progress line. */
function endpointStatus(agents: Map<string, Agent>): (() => string) | undefined {
  const eps = [...agents.values()].filter(isEndpointAgent);
  if (eps.length === 0) return undefined;
  return () =>
    eps.map((a) =>
      `${a.name}: ${a.stats.inFlight} in flight · ${
        ((a.stats.promptTokens + a.stats.completionTokens) / 1000).toFixed(1)
      }k tok${a.stats.cached ? ` · ${a.stats.cached} cached` : ""}`
    ).join("  ");
}

/** What a run with its agents open needs to know. */
interface OpenedRun extends RunSettings {
  planned: number;
  /** The planned episodes' ids (a log with a cut header is recognised by them). */
  ids: ReadonlySet<string>;
  agents: Map<string, Agent>;
  models: Agent[];
}

async function runOpened(
  suite: SuiteSpec,
  sel: Selection,
  opts: OpenedRun,
): Promise<{ logPath: string; planned: number; resumed: number }> {
  await Deno.mkdir(opts.out, { recursive: true });
  // One writer per folder: two runs would interleave their lines in one log.
  const unlock = await lockRunDir(opts.out);
  try {
    return await runLocked(suite, sel, opts);
  } finally {
    await unlock();
  }
}

async function runLocked(
  suite: SuiteSpec,
  sel: Selection,
  opts: OpenedRun,
): Promise<{ logPath: string; planned: number; resumed: number }> {
  const { planned, agents, models } = opts;
  const git = await gitInfo();
  const provenance: Omit<Provenance, "finished_at" | "shards"> & { finished_at: string } = {
    tooltrial_version: VERSION,
    git_commit: git.commit,
    git_dirty: git.dirty,
    ...machineProvenance(),
    onnxruntime: models.find((a) => a.info?.runtime)?.info?.runtime ?? null,
    started_at: new Date().toISOString(),
    finished_at: "",
    command: opts.command,
    ...suiteProvenance(suite),
    selection: {
      agents: sel.agents ?? null,
      protocols: sel.protocols ?? null,
      variants: sel.variants ?? null,
      splits: sel.splits ?? null,
    },
    execution_providers: Object.fromEntries(
      models.map((a) => [a.name, a.info!.provider ?? "remote"]),
    ),
    seeds: sel.seeds,
    samples: sel.samples,
    concurrency: opts.concurrency,
  };
  const logPath = join(opts.out, "episodes.jsonl");
  const { log, done, announced, notes } = await openRunLog(logPath, {
    v: 1,
    type: "run",
    run_id: opts.id,
    shard: opts.shard ?? null,
    planned,
    provenance,
  }, {
    // A complete log without its report: the report phase was cut short; only it runs again.
    finished: !opts.shard && !(await exists(join(opts.out, "report.json"))) ? "keep" : "restart",
    planned: opts.ids,
  });
  if (!opts.quiet) { for (const n of notes) console.error(n); }
  // The log is this run's (openRunLog refuses another run's folder, which is left untouched): a
  // report from an interrupted earlier attempt must not pass for this run's.
  for (const f of ["report.json", "report.md", "report.html"]) {
    await Deno.remove(join(opts.out, f)).catch(() => {});
  }
  const bar = progressBar(planned, {
    label: `${suite.name} `,
    enabled: !opts.quiet,
    start: done.size,
    status: endpointStatus(agents),
  });
  if (!opts.quiet) {
    console.error(
      `tooltrial ${VERSION}: ${planned} episodes (${suite.envs.length} envs, run ${opts.id}${
        opts.shard ? `, shard ${opts.shard.index}/${opts.shard.count}` : ""
      }${done.size > 0 ? `, resuming after ${done.size} done` : ""}) → ${opts.out}`,
    );
  }
  // An interrupt stops the sandboxes and servers the run started before the process exits.
  const interrupted = () => {
    console.error(
      `\ninterrupted: the finished episodes are in ${logPath}; run the same command again to resume`,
    );
    void closeAllBackends().finally(() => Deno.exit(130));
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const sig of signals) Deno.addSignalListener(sig, interrupted);
  try {
    await runSuite(suite, {
      ...sel,
      shard: opts.shard,
      skip: done,
      announced,
      concurrency: opts.concurrency,
      backendOptions: { http: opts.record ? "record" : "replay" },
      keep: false,
      open: agents,
      onVariant: (ev) => log.note(ev),
      onEpisode: async (rec, n) => {
        await log.append(rec);
        bar.tick(done.size + n);
      },
    });
  } finally {
    for (const sig of signals) Deno.removeSignalListener(sig, interrupted);
    log.close();
  }
  // Episodes rerun after a damaged one went to the end of the log: back into plan order.
  if (notes.length > 0) await sortLog(logPath);
  bar.done();
  return { logPath, planned, resumed: done.size };
}

/** Whether a file exists. */
async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/**
 * Write report.json, report.md and report.html into a folder (report.json last: it marks "done").
 * `failures`: every failed episode as the log holds it, for report.html.
 */
async function writeReport(out: string, report: Report, failures?: FailureData): Promise<void> {
  assertValidReport(report);
  await writeFileAtomic(join(out, "report.md"), renderMarkdown(report));
  // A merged run's episodes stay in its shards' folders: `show` reads those.
  const runDir = report.provenance.shards ? undefined : out;
  await writeFileAtomic(join(out, "report.html"), renderHtml(report, { failures, runDir }));
  await writeFileAtomic(join(out, "report.json"), JSON.stringify(report, null, 2) + "\n");
}

async function bench(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      out: { type: "string" },
      agents: { type: "string" },
      protocols: { type: "string" },
      variants: { type: "string" },
      splits: { type: "string" },
      samples: { type: "string" },
      seed: { type: "string" },
      shard: { type: "string" },
      concurrency: { type: "string" },
      quiet: { type: "boolean" },
      verbose: { type: "boolean" },
      record: { type: "boolean" },
      "cache-dir": { type: "string" },
      "no-cache": { type: "boolean" },
      "allow-broken-tasks": { type: "boolean" },
    } as const,
  );
  if (values.help) return print(HELP.bench);
  if (positionals.length > 1) {
    throw new UsageError(
      `bench takes one suite file, got ${positionals.length}: ${positionals.join(" ")}`,
    );
  }
  const suite = await loadSuite(positionals[0] ?? "suite.yaml");
  const seed = intFlag(values.seed, "seed", 0);
  const sel: Selection = {
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
  const id = await runId(suite, sel);
  const out = values.out ??
    join("runs", `${suite.name}-${id}${shard ? `-shard${shard.index}of${shard.count}` : ""}`);
  const quiet = values.quiet ?? false;
  const { logPath } = await runInto(suite, sel, {
    out,
    id,
    shard,
    concurrency,
    command: ["bench", ...args],
    quiet,
    verbose: values.verbose ?? false,
    record: values.record ?? false,
    cache: cacheFlags(values),
  });
  if (shard) {
    if (!quiet) {
      console.log(
        `shard ${shard.index}/${shard.count} done: ${logPath}\nwhen every shard is done: tooltrial merge <each shard's folder> --out DIR`,
      );
    }
    return 0;
  }
  const failures = new FailureCollector();
  const report = await reportFromLogs([logPath], { onEpisode: (e) => failures.add(e) });
  await writeReport(out, report, failures.data());
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
  const cells = brokenCells(report.episodes, oracleAgents(report));
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

async function validate(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { fast: { type: "boolean" } });
  if (values.help) return print(HELP.validate);
  if (positionals.length === 0) {
    throw new UsageError("validate needs at least one file: tooltrial validate envs/library");
  }
  let bad = 0;
  for (const file of positionals) {
    try {
      if (
        /\.ya?ml$/.test(file) && /^training:/m.test(await Deno.readTextFile(file).catch(() => ""))
      ) {
        const { loadTraining } = await import("./training/mod.ts");
        const t = await loadTraining(file);
        console.log(`ok  ${file}  (training "${t.name}": ${t.stages.length} stages)`);
        continue;
      }
      const r = await loadAny(file);
      const what = r.kind === "env"
        ? `env "${r.spec.name}": ${r.spec.tools.length} tools, ${r.spec.tasks.length} task${
          r.spec.tasks.length === 1 ? "" : "s"
        }`
        : `suite "${r.spec.name}": ${r.spec.envs.length} envs, ${
          r.spec.envs.reduce((n, e) => n + e.tasks.length, 0)
        } tasks`;
      const audit = values.fast ? undefined : await auditTasks(
        r.kind === "env" ? [r.spec] : r.spec.envs,
        r.kind === "suite" ? { suite: r.spec } : {},
      );
      if (audit && audit.issues.length > 0) throw new SpecError(audit.issues);
      const replayed = audit ? `; ${audit.replayed} task replays` : "";
      console.log(`ok  ${file}  (${what}${replayed})`);
      if (audit && audit.skipped.length > 0) {
        const reasons = new Map<string, string[]>();
        for (const s of audit.skipped) {
          const k = `${s.env}: ${s.reason}`;
          reasons.set(k, [...reasons.get(k) ?? [], s.task]);
        }
        for (const [reason, tasks] of reasons) {
          const some = tasks.length > 4 ? `${tasks.slice(0, 4).join(", ")}, …` : tasks.join(", ");
          console.log(`    not replayed: ${reason}: ${tasks.length} (${some})`);
        }
      }
    } catch (err) {
      if (!(err instanceof SpecError)) throw err;
      bad++;
      console.error(err.format());
    }
  }
  if (bad > 0) {
    console.error(
      `\n${bad} of ${positionals.length} file${positionals.length > 1 ? "s" : ""} invalid`,
    );
  }
  return bad > 0 ? 2 : 0;
}

async function list(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {});
  if (values.help) return print(HELP.list);
  const suite = await loadSuite(positionals[0] ?? "suite.yaml");
  const lines = [`suite ${suite.name}${suite.description ? ` — ${suite.description}` : ""}`, ""];
  for (const e of suite.envs) {
    const counts = new Map<string, number>();
    for (const t of e.tasks) {
      const s = episodeSplit(suite, e, t);
      counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    lines.push(
      `env ${e.name} (${e.file}): ${e.tasks.length} tasks (${
        SPLITS.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s}`).join(", ")
      })`,
    );
    lines.push(`  tools: ${e.tools.map((t) => t.name).join(", ")}`);
    lines.push(
      `  state: ${Object.entries(e.state).map(([k, rows]) => `${k} (${rows.length})`).join(", ")}`,
    );
  }
  lines.push("", "variants:");
  for (const name of variantNames(suite)) {
    const v = suite.variants.find((x) => x.name === name) ??
      suite.envs.flatMap((e) => e.variants).find((x) => x.name === name);
    const ops = v ? v.ops.map((o) => o.op).join(" → ") : "";
    const only = suite.envs.filter((e) => variantsFor(suite, e).some((x) => x.name === name));
    lines.push(
      `  ${name}: ${ops || "no operators (baseline)"}${
        only.length < suite.envs.length ? ` (only ${only.map((e) => e.name).join(", ")})` : ""
      }`,
    );
  }
  if (suite.heldout.envs.length + suite.heldout.tools.length > 0) {
    lines.push(
      `held out of training: envs [${suite.heldout.envs.join(", ")}], tools [${
        suite.heldout.tools.join(", ")
      }]`,
    );
  }
  lines.push(
    "",
    `agents: ${
      suite.agents.map((a) =>
        `${a.name} (${
          a.kind === "scripted"
            ? a.scripted
            : a.kind === "onnx"
            ? `onnx ${a.onnx.path}`
            : a.kind === "openai"
            ? `openai ${a.openai.model} @ ${a.openai.base_url}`
            : `anthropic ${a.anthropic.model} @ ${a.anthropic.base_url}`
        }${a.only ? `, only ${JSON.stringify(a.only)}` : ""})`
      ).join(", ")
    }`,
  );
  lines.push(
    `protocols: ${
      suite.protocols.map((p) =>
        p.kind === "trial" ? `${p.name} (trial, budget ${p.trialBudget})` : `${p.name} (direct)`
      ).join(", ")
    }`,
  );
  lines.push(
    `seeds: ${suite.seeds.join(", ")} · samples: ${suite.samples} · episodes per bench run: ${
      planRun(suite).length
    }`,
  );
  console.log(lines.join("\n"));
  return 0;
}

/** Load a report: report.json, or a run folder (its report.json, else rebuilt from its log). */
async function loadReport(path: string): Promise<Report> {
  let file = path;
  try {
    if ((await Deno.stat(path)).isDirectory) {
      file = join(path, "report.json");
      try {
        await Deno.stat(file);
      } catch {
        return await reportFromLogs([join(path, "episodes.jsonl")]).catch((err) => {
          throw err instanceof LogError || err instanceof Deno.errors.NotFound
            ? new UsageError(`${path}: ${err.message}`)
            : err;
        });
      }
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${path} not found: give a report.json or a run folder`);
  }
  let data: unknown;
  try {
    data = JSON.parse(await Deno.readTextFile(file));
  } catch (err) {
    throw new UsageError(`${file}: not a readable JSON report (${(err as Error).message})`);
  }
  try {
    assertValidReport(data);
  } catch (err) {
    throw new UsageError(`${file}: ${(err as Error).message}`);
  }
  return data;
}

const FORMATS: Record<string, (r: Report) => string> = {
  md: renderMarkdown,
  html: renderHtml,
  junit: renderJunit,
  json: (r) => JSON.stringify(r, null, 2) + "\n",
};

async function report(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      format: { type: "string" },
      out: { type: "string" },
    } as const,
  );
  if (values.help) return print(HELP.report);
  if (positionals.length !== 1) {
    throw new UsageError("report takes one run folder or report.json: tooltrial report runs/<id>");
  }
  const format = values.format ?? "md";
  const render = FORMATS[format];
  if (!render) {
    throw new UsageError(
      `--format must be one of ${Object.keys(FORMATS).join(", ")}, got "${format}"`,
    );
  }
  const data = await loadReport(positionals[0]);
  const text = format === "html"
    ? renderHtml(data, { ...await logFailures(positionals[0], data) })
    : render(data);
  if (values.out) await writeFileAtomic(values.out, text);
  else await Deno.stdout.write(new TextEncoder().encode(text));
  return 0;
}

/**
 * Every failure of a report's run as its log holds it (all transcripts), and the run's folder, when
 * the run's episodes.jsonl is beside the report; nothing otherwise (the page has the report's own).
 */
async function logFailures(
  path: string,
  report: Report,
): Promise<{ failures?: FailureData; runDir?: string }> {
  const dir = (await Deno.stat(path)).isDirectory ? path : dirname(path);
  const log = join(dir, "episodes.jsonl");
  if (!(await exists(log))) return {};
  try {
    const header = await readHeader(log);
    if (header.run_id !== report.run_id || header.shard) return {};
    const failures = new FailureCollector();
    for await (const ep of logEpisodes(log)) failures.add(ep.events);
    return { failures: failures.data(), runDir: dir };
  } catch (err) {
    if (!(err instanceof LogError)) throw err;
    console.error(`note: failures' transcripts from the report alone: ${err.message}`);
    return {};
  }
}

/** The episode log of a run folder (or the log itself, or the log beside a report.json). */
async function runLogPath(path: string): Promise<string> {
  let dir = path;
  try {
    if (!(await Deno.stat(path)).isDirectory) {
      if (path.endsWith(".jsonl")) return path;
      dir = dirname(path);
      if (basename(path) !== "report.json") throw new Error();
    }
  } catch {
    throw new UsageError(
      `${path} not found: give a run folder (runs/<suite>-<run id>) or its episodes.jsonl`,
    );
  }
  const log = join(dir, "episodes.jsonl");
  if (await exists(log)) return log;
  const merged = await exists(join(dir, "report.json"));
  throw new UsageError(
    `${dir} has no episodes.jsonl${
      merged ? ": a merged run keeps its episodes in its shards' folders, show each of them" : ""
    }; give the folder a bench run wrote`,
  );
}

/** A filter name the run does not have: the names it has (the closest first), exit 2. */
function unknownName(field: EpisodeField, name: string, known: string[], log: string): UsageError {
  const close = closeNames(name, known, 1);
  const shown = known.length > 40 ? [...known.slice(0, 40), `… ${known.length - 40} more`] : known;
  return new UsageError(
    `--${field} "${name}": no ${field} of that name in ${log}${
      close.length ? ` (did you mean "${close[0]}"?)` : ""
    }; its ${field === "env" ? "envs" : `${field}s`}: ${shown.join(", ") || "none yet"}`,
  );
}

async function show(args: string[]): Promise<number> {
  const flags = Object.fromEntries(EPISODE_FIELDS.map((f) => [f, { type: "string" }] as const));
  const { values, positionals } = parse(
    args,
    {
      ...flags,
      failed: { type: "boolean" },
      limit: { type: "string" },
      json: { type: "boolean" },
    } as const,
  );
  if (values.help) return print(HELP.show);
  if (positionals.length !== 1) {
    throw new UsageError("show takes one run folder: tooltrial show runs/<suite>-<id> --failed");
  }
  const log = await runLogPath(positionals[0]);
  const header = await readHeader(log);
  const limit = intFlag(values.limit, "limit", 0) ?? 20;
  const filter: EpisodeFilter = { failed: values.failed ?? false };
  for (const f of EPISODE_FIELDS) {
    const v = (values as Record<string, string | undefined>)[f];
    if (v !== undefined) filter[f] = v.split(",").map((s) => s.trim()).filter(Boolean);
  }
  const tty = Deno.stdout.isTerminal();
  const style = {
    color: tty && !Deno.env.get("NO_COLOR"),
    // A terminal that reports no size (some CI runners, `script`) reads as the plain width.
    width: tty ? Math.max(60, Deno.consoleSize().columns || 120) : 120,
  };
  const emit = (events: EpisodeEvent[], n: number) => {
    if (values.json) console.log(JSON.stringify(episodeJson(events)));
    else console.log(`${n > 1 ? "\n" : ""}${episodeText(events, style)}`);
  };
  // Nothing is printed before every name is known to be the run's; with no limit, a first pass
  // checks the names and a second prints, so memory holds one episode at a time.
  const kept: EpisodeEvent[][] = [];
  const sel = await selectEpisodes(log, filter, {
    onMatch: limit === 0 ? undefined : (ep, n) => void (n <= limit && kept.push(ep.events)),
  });
  for (const f of EPISODE_FIELDS) {
    for (const name of filter[f] ?? []) {
      if (!sel.names[f].includes(name)) throw unknownName(f, name, sel.names[f], log);
    }
  }
  if (limit === 0) await selectEpisodes(log, filter, { onMatch: (ep, n) => emit(ep.events, n) });
  else kept.forEach((events, i) => emit(events, i + 1));
  const unfinished = sel.episodes < header.planned
    ? ` (the run is not finished: ${sel.episodes} of ${header.planned} episodes so far)`
    : "";
  const count = (n: number) => n.toLocaleString("en-US");
  const what = values.failed ? "failed episodes" : "episodes";
  const summary = sel.matched === 0
    ? `no ${what} match, of ${count(sel.episodes)} in ${log}${unfinished}`
    : limit > 0 && sel.matched > limit
    ? `${count(limit)} of ${count(sel.matched)} matching ${what} shown (${
      count(sel.episodes)
    } in the run)${unfinished}; ${
      count(sel.matched - limit)
    } more: --limit N shows N, --limit 0 all, or narrow with --agent, --variant, --task`
    : `${count(sel.matched)} matching ${what} (${count(sel.episodes)} in the run)${unfinished}`;
  if (values.json || sel.matched === 0) console.error(summary);
  else console.log(`\n${summary}`);
  return 0;
}

async function merge(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { out: { type: "string" } } as const);
  if (values.help) return print(HELP.merge);
  if (positionals.length === 0) {
    throw new UsageError(
      "merge needs the shard folders: tooltrial merge runs/x-shard0of2 runs/x-shard1of2",
    );
  }
  const logs = positionals.map((p) => (p.endsWith(".jsonl") ? p : join(p, "episodes.jsonl")));
  for (const l of logs) {
    try {
      await Deno.stat(l);
    } catch {
      throw new UsageError(`${l} not found: give each shard's run folder`);
    }
  }
  const failures = new FailureCollector();
  const merged = await reportFromLogs(logs, { onEpisode: (e) => failures.add(e) });
  const out = values.out ?? join("runs", `${merged.provenance.suite.name}-${merged.run_id}`);
  await Deno.mkdir(out, { recursive: true });
  await writeReport(out, merged, failures.data());
  console.log(overallMarkdown(merged));
  console.log(`\nmerged ${logs.length} shard logs (${merged.episodes.length} episodes) → ${out}`);
  return 0;
}

async function compare(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      pair: { type: "string" },
      by: { type: "string", multiple: true },
    } as const,
  );
  if (values.help) return print(HELP.compare);
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
  for (const m of [(values as { by?: string | string[] }).by ?? []].flat()) {
    const [x, y, ...rest] = m.split("=");
    if (!x || !y || rest.length > 0) {
      throw new UsageError(`--by takes NAME_A=NAME_B (an agent of A read as one of B): got "${m}"`);
    }
    by.set(x, y);
  }
  const [a, b] = await Promise.all(positionals.map(loadReport));
  const opts = { pair, by } as const;
  const why = whyNothingPairs(a, b, opts);
  if (why) throw new UsageError(`nothing to compare: ${why}`);
  console.log(compareMarkdown(a, b, { a: positionals[0], b: positionals[1] }, opts));
  return 0;
}

async function reproduce(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      out: { type: "string" },
      concurrency: { type: "string" },
      "cache-dir": { type: "string" },
      "no-cache": { type: "boolean" },
    } as const,
  );
  if (values.help) return print(HELP.reproduce);
  if (positionals.length !== 1) {
    throw new UsageError("reproduce takes one report: tooltrial reproduce runs/<id>/report.json");
  }
  const old = await loadReport(positionals[0]);
  const p = old.provenance;
  if (p.shards) {
    throw new UsageError(
      "this report merges shards: reproduce each shard with its bench command, then merge",
    );
  }
  const suite = await loadSuite(p.suite.file);
  const before = new Map(p.specs.map((f) => [f.path, f.sha256]));
  const now = new Map(suite.envs.flatMap((e) => e.files).map((f) => [f.path, f.sha256]));
  const diff: string[] = [];
  for (const [path, h] of before) {
    if (!now.has(path)) diff.push(`- ${path} (${h.slice(0, 12)}…) is no longer part of the suite`);
    else if (now.get(path) !== h) {
      diff.push(`~ ${path}: ${h.slice(0, 12)}… then, ${now.get(path)!.slice(0, 12)}… now`);
    }
  }
  for (const [path, h] of now) {
    if (!before.has(path)) diff.push(`+ ${path} (${h.slice(0, 12)}…) is new`);
  }
  if (suite.sha256 !== p.suite.sha256 && diff.length === 0) {
    diff.push(`~ ${p.suite.file}: the suite file itself changed`);
  }
  if (diff.length > 0) {
    console.error(
      `cannot reproduce run ${old.run_id}: the specs changed since it ran\n${diff.join("\n")}`,
    );
    console.error("\ncheck out the commit it ran at (provenance.git_commit) and try again");
    return 2;
  }
  const sel: Selection = {
    agents: p.selection.agents ?? undefined,
    protocols: p.selection.protocols ?? undefined,
    variants: p.selection.variants ?? undefined,
    splits: (p.selection.splits ?? undefined) as EpisodeSplit[] | undefined,
    samples: p.samples,
    seeds: p.seeds,
  };
  const id = await runId(suite, sel);
  if (id !== old.run_id) {
    console.error(
      `cannot reproduce: the run id is now ${id}, the report's is ${old.run_id} (another tooltrial version?)`,
    );
    return 2;
  }
  const out = values.out ?? await Deno.makeTempDir({ prefix: `tooltrial-reproduce-${id}-` });
  const { logPath } = await runInto(suite, sel, {
    out,
    id,
    concurrency: intFlag(values.concurrency, "concurrency", 1) ?? p.concurrency,
    command: ["reproduce", ...args],
    quiet: false,
    cache: cacheFlags(values),
  });
  const failures = new FailureCollector();
  const again = await reportFromLogs([logPath], { onEpisode: (e) => failures.add(e) });
  await writeReport(out, again, failures.data());
  const [x, y] = [reportFigures(old), reportFigures(again)];
  if (x === y) {
    console.log(
      `reproduced run ${id}: ${again.episodes.length} episodes, every figure identical (timings aside) → ${out}`,
    );
    return 0;
  }
  const rows = (r: Report) =>
    new Map(r.overall.map((o) => [`${o.agent}/${o.protocol}/${o.variant}`, o.success_rate]));
  const [ra, rb] = [rows(old), rows(again)];
  const changed = [...ra].filter(([k, v]) => rb.get(k) !== v).map(([k, v]) =>
    `  ${k}: ${v} then, ${rb.get(k)} now`
  );
  console.error(
    `run ${id} did NOT reproduce: the figures differ${
      changed.length ? `\n${changed.join("\n")}` : " (details below overall level)"
    }\nnew report: ${out}`,
  );
  return 1;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

async function serve(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      host: { type: "string" },
      port: { type: "string" },
      token: { type: "string" },
      runs: { type: "string" },
      ttl: { type: "string" },
      "max-sessions": { type: "string" },
      model: { type: "string", multiple: true },
      grammar: { type: "boolean" },
      "expose-state": { type: "boolean" },
    } as const,
  );
  if (values.help) return print(HELP.serve);
  if (positionals.length > 1) throw new UsageError("serve takes one suite file");
  const host = values.host ?? "127.0.0.1";
  const token = values.token ?? Deno.env.get("TOOLTRIAL_TOKEN");
  if (!LOOPBACK.has(host) && !token) {
    throw new UsageError(
      `binding ${host} exposes the server beyond this machine: give --token (or TOOLTRIAL_TOKEN), which every request must then send as a bearer token`,
    );
  }
  const port = intFlag(values.port, "port", 0) ?? 8787;
  const modelFlags = (values as { model?: string | string[] }).model ?? [];
  const specs = [modelFlags].flat().map((f) => {
    try {
      return parseModelFlag(f);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  });
  if (values.grammar && specs.length === 0) {
    throw new UsageError("--grammar constrains served models' tool calls: give --model NAME=PATH");
  }
  const models = specs.length > 0
    ? await openServedModels(specs, { grammar: values.grammar ?? false })
    : undefined;
  const listed = models
    ? `  models ${
      [...models.values()].map((m) => `${m.name} (${m.path}, ${m.chat.provider})`).join(", ")
    } on /v1/chat/completions`
    : "";
  const listen = (what: string) => ({ hostname, port }: { hostname: string; port: number }) =>
    console.error(
      `tooltrial ${VERSION} serving ${what} on http://${hostname}:${port}${listed}${
        token ? " — bearer token required" : ""
      }`,
    );
  if (models && positionals.length === 0) {
    const app = createModelApp({ models, token });
    const server = Deno.serve({ hostname: host, port, onListen: listen("models") }, app.fetch);
    const stop = () => server.shutdown();
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
    await server.finished;
    await closeServedModels(models);
    return 0;
  }
  const suite = await loadSuite(positionals[0] ?? "suite.yaml");
  // Handler sandboxes, MCP server pools and cassettes live as long as the server.
  const backends = new Backends();
  const bases = await Promise.all(suite.envs.map((e) => backends.env(e)));
  const { app, store } = createApp({
    suite,
    bases,
    token,
    models,
    runsDir: values.runs ?? "runs",
    ttlMs: (intFlag(values.ttl, "ttl", 1) ?? 600) * 1000,
    maxSessions: intFlag(values["max-sessions"], "max-sessions", 1),
    exposeState: values["expose-state"] ?? false,
  });
  const sweeper = setInterval(() => store.sweep(), 30_000);
  Deno.unrefTimer(sweeper);
  const server = Deno.serve({
    hostname: host,
    port,
    onListen: listen(
      `suite ${suite.name} (API /v1, OpenAPI /openapi.json, MCP /mcp/<session>, reports /)`,
    ),
  }, app.fetch);
  const stop = () => server.shutdown();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  await server.finished;
  clearInterval(sweeper);
  await backends.close();
  if (models) await closeServedModels(models);
  return 0;
}

const IMPORT_KINDS = ["openai-tools", "bfcl", "rotbench"];

async function importCmd(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      out: { type: "string" },
      name: { type: "string" },
      answers: { type: "string" },
      mode: { type: "string" },
      "skip-bad": { type: "boolean" },
      limit: { type: "string" },
    } as const,
  );
  if (values.help) return print(HELP.import);
  const [kind, file, ...extra] = positionals;
  if (kind === undefined || !IMPORT_KINDS.includes(kind)) {
    const close = kind ? closeNames(kind, IMPORT_KINDS, 1) : [];
    throw new UsageError(
      `import needs a kind: ${IMPORT_KINDS.join(" or ")}${
        kind ? `, got "${kind}"${close.length ? ` (did you mean "${close[0]}"?)` : ""}` : ""
      }`,
    );
  }
  if (file === undefined || extra.length > 0) {
    throw new UsageError(`import ${kind} takes one input file: tooltrial import ${kind} FILE`);
  }
  const only = {
    answers: ["bfcl"],
    mode: ["bfcl"],
    "skip-bad": ["bfcl", "rotbench"],
    limit: ["rotbench"],
  };
  for (const [flag, kinds] of Object.entries(only)) {
    if (values[flag as keyof typeof only] !== undefined && !kinds.includes(kind)) {
      throw new UsageError(`--${flag} only applies to import ${kinds.join(" and import ")}`);
    }
  }
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw new UsageError(`--limit must be a whole number above 0, got "${values.limit}"`);
  }
  if (values.mode !== undefined && values.mode !== "bfcl" && values.mode !== "strict") {
    throw new UsageError(`--mode must be bfcl or strict, got "${values.mode}"`);
  }
  const name = values.name === undefined ? undefined : envName(values.name);
  const records = await readJsonRecords(file, {
    what: kind === "bfcl"
      ? "BFCL questions file"
      : kind === "rotbench"
      ? "RoTBench data file"
      : "tool list",
  });
  const { files, skipped } = kind === "rotbench"
    ? rotbenchEnvs(records, { file, name, skipBad: values["skip-bad"], limit })
    : kind === "bfcl"
    ? bfclEnv(
      records,
      values.answers
        ? await readJsonRecords(values.answers, { what: "BFCL possible-answer file" })
        : undefined,
      {
        file,
        name,
        mode: values.mode as "bfcl" | "strict" | undefined,
        skipBad: values["skip-bad"],
      },
    )
    : openAiToolsEnv(records, { file, name });
  for (const issue of skipped) console.error(`skipped: ${formatIssue(issue)}`);
  const out = values.out ?? envName(name ?? file);
  const envFiles = Object.keys(files).filter((rel) => rel.endsWith("env.yaml"));
  for (const rel of envFiles) {
    if (await Deno.stat(join(out, rel)).then(() => true, () => false)) {
      throw new UsageError(
        `${join(out, rel)} already exists: pick another --out, or remove it first`,
      );
    }
  }
  // What we write must load; a failure here is a bug in the importer, not bad input.
  const envs = [];
  for (const rel of envFiles) {
    try {
      envs.push(await envFromDoc(parseYaml(files[rel], join(out, rel)), files[rel]));
    } catch (err) {
      if (!(err instanceof SpecError)) throw err;
      throw new Error(`the imported env does not load (an importer bug):\n${err.format()}`);
    }
  }
  for (const rel of Object.keys(files)) {
    await Deno.mkdir(dirname(join(out, rel)), { recursive: true });
    await writeFileAtomic(join(out, rel), files[rel]);
  }
  const envPath = join(out, "env.yaml");
  const [env] = envs;
  if (envFiles.length > 1 || envFiles[0] !== "env.yaml") {
    const tasks = envs.reduce((n, e) => n + e.tasks.length, 0);
    console.log(
      `wrote ${envs.length} env${envs.length === 1 ? "" : "s"} under ${out} (${tasks} task${
        tasks === 1 ? "" : "s"
      }${
        skipped.length
          ? `; ${skipped.length} problem${skipped.length === 1 ? "" : "s"} skipped`
          : ""
      }) and ${join(out, "suite.yaml")}\nnext: tooltrial validate ${
        join(out, "suite.yaml")
      } && tooltrial bench ${join(out, "suite.yaml")}`,
    );
    return 0;
  }
  console.log(
    `wrote ${envPath} (env "${env.name}": ${env.tools.length} tools, ${env.tasks.length} task${
      env.tasks.length === 1 ? "" : "s"
    }${
      skipped.length ? `; ${skipped.length} problem${skipped.length === 1 ? "" : "s"} skipped` : ""
    }) and ${join(out, "suite.yaml")}\nnext: tooltrial validate ${out} && tooltrial bench ${
      join(out, "suite.yaml")
    }`,
  );
  return 0;
}

async function train(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      until: { type: "string" },
      quiet: { type: "boolean" },
    } as const,
  );
  if (values.help) return print(HELP.train);
  if (positionals.length !== 1) {
    throw new UsageError(
      "train takes one training file: tooltrial train training/toolmaster-mini.yaml",
    );
  }
  const { loadTraining, runTraining, TrainingError } = await import("./training/mod.ts");
  const spec = await loadTraining(positionals[0]);
  if (values.until !== undefined && !spec.stages.some((s) => s.name === values.until)) {
    throw new UsageError(
      `--until ${values.until}: no such stage (stages: ${
        spec.stages.map((s) => s.name).join(", ")
      })`,
    );
  }
  const quiet = values.quiet ?? false;
  try {
    const results = await runTraining(spec, {
      until: values.until,
      log: quiet ? () => {} : (l) => console.error(l),
      bench: (a) => bench([...a, "--quiet"]),
    });
    if (!quiet) {
      for (const r of results) console.log(`${r.name}\t${r.status}\t${r.seconds} s\t${r.dir}`);
    }
    return 0;
  } catch (err) {
    if (err instanceof TrainingError) {
      console.error(`error: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

function print(text: string): number {
  console.log(text);
  return 0;
}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  bench,
  validate,
  list,
  report,
  show,
  merge,
  compare,
  reproduce,
  serve,
  import: importCmd,
  train,
};

/** Run the CLI with `args`; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  try {
    if (cmd === undefined || cmd === "help" || cmd === "--help" || cmd === "-h") {
      return print(HELP.main);
    }
    if (cmd === "--version" || cmd === "-V") return print(VERSION);
    const run = COMMANDS[cmd];
    if (!run) {
      const close = closeNames(cmd, Object.keys(COMMANDS), 1);
      throw new UsageError(
        `unknown command "${cmd}"${
          close.length ? ` (did you mean "${close[0]}"?)` : ""
        }; run "tooltrial --help" for the list`,
      );
    }
    return await run(rest);
  } catch (err) {
    if (err instanceof SpecError) {
      console.error(err.format());
      console.error(
        `\n${err.issues.length} problem${err.issues.length > 1 ? "s" : ""} found; nothing was run.`,
      );
      return 2;
    }
    // A log that is another run's, incomplete or damaged is bad input too: it says how to fix it.
    if (err instanceof UsageError || err instanceof LogError || err instanceof AgentSetupError) {
      console.error(`error: ${err.message}`);
      return 2;
    }
    console.error(
      `tooltrial failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`,
    );
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
