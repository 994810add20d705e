// A run's middle: open the agents, lock the folder, open (or resume) the log, run the episodes.
import { join } from "node:path";
import {
  type Agent,
  EpisodePool,
  inShard,
  lockRunDir,
  openRunLog,
  planRun,
  runsInWorkers,
  runSuite,
  sortLog,
  type StartedWorkers,
  userToOpen,
} from "../runners/mod.ts";
import {
  agentKind,
  checkEndpoints,
  closeAgent,
  closeAgents,
  type EndpointAgent,
  isEndpointAgent,
  openAgent,
  openAgents,
} from "../runners/agents/mod.ts";
import { Collector, FailureCollector, progressBar } from "../reports/mod.ts";
import type { RunHeader } from "../runners/mod.ts";
import type { SuiteSpec, TaskSpec } from "../spec/mod.ts";
import { VERSION } from "../version.ts";
import { runProvenance } from "./run_provenance.ts";
import { type EndpointCache, EPISODES_PER_WORKER, type RunOutput } from "./run_settings.ts";
import type { Selection, Shard } from "./selection.ts";
import { UsageError } from "./usage_error.ts";

/** Where and how a bench, reproduce or training run writes its episodes. */
export interface RunSettings extends RunOutput {
  out: string;
  id: string;
  shard?: Shard;
  concurrency: number;
  command: string[];
  /** Say why GPU providers were passed over. */
  verbose?: boolean;
  record?: boolean;
  cache: EndpointCache;
  /**
   * Worker threads running the episodes (default 1: all in this thread; `auto`: one per core, at
   * most one per {@linkcode EPISODES_PER_WORKER} episodes); results do not depend on it.
   */
  workers?: number | "auto";
  /**
   * Workers the caller started before it loaded the suite (`EpisodePool.start`): the run's pool
   * takes them, and the run ends any it does not need.
   */
  started?: StartedWorkers;
}

/** What a run leaves: its log, how many episodes it planned, how many it found done. */
export interface RunInto {
  logPath: string;
  planned: number;
  resumed: number;
  /**
   * What the report needs, gathered while the log was written: present when this process wrote
   * every episode of the log (nothing resumed, not a shard), so the report need not read it back.
   */
  collected?: CollectedRun;
}

/** A run's report material, gathered as its log was written. */
export interface CollectedRun {
  /** The log's header. */
  header: RunHeader;
  /** Every variant record and episode summary, in log order. */
  collector: Collector;
  /** Every failed episode, for report.html. */
  failures: FailureCollector;
}

const say = (opts: RunOutput, line: string) => opts.log?.(line);

/** Run a selection of a suite into `out`, resuming a run there; returns the log path and count. */
export async function runInto(
  suite: SuiteSpec,
  sel: Selection,
  opts: RunSettings,
): Promise<RunInto> {
  try {
    return await runPlanned(suite, sel, opts);
  } finally {
    opts.started?.cancel();
  }
}

async function runPlanned(suite: SuiteSpec, sel: Selection, opts: RunSettings): Promise<RunInto> {
  const plan = planRun(suite, sel).filter((p) => inShard(p, opts.shard));
  const planned = plan.length;
  if (planned === 0) {
    throw new UsageError(
      "nothing to run: the suite has no tasks for the selected agents, protocols, variants and splits",
    );
  }
  const needed = new Set(plan.map((p) => p.agent));
  const pool = await openPool(suite, sel, plan, opts);
  // Model agents load first: the provenance records the execution provider each one got. Those
  // the workers run are open there; this thread opens the rest (endpoint agents).
  let agents: Map<string, Agent>;
  const endpoints = { cacheDir: opts.cache.dir, noCache: opts.cache.off };
  // The model playing the user runs beside the episodes this thread runs (workers open their own).
  let user: Agent | undefined;
  // The judge grades the judge: checks of the episodes run here; each worker opens its own.
  let judge: Agent | undefined;
  try {
    agents = await openAgents(
      suite.agents.filter((a) => needed.has(a.name) && !pool?.runs(a.name)),
      { endpoints },
    );
    try {
      const here = plan.some((p) => !pool?.runs(p.agent));
      const toOpen = userToOpen(suite);
      if (toOpen && here) user = await openAgent(toOpen.agent, { endpoints });
      // A model judge loads here only for episodes run here; an endpoint one always opens, to be
      // checked for reachability before anything runs.
      if (suite.judge && (here || suite.judge.kind !== "onnx")) {
        judge = await openAgent(suite.judge, { endpoints });
      }
    } catch (err) {
      await closeAgent(user);
      await closeAgents(agents);
      throw err;
    }
  } catch (err) {
    await pool?.close();
    throw err;
  }
  const playing = user?.info && !agents.has(user.name) ? [user] : [];
  const models = [
    ...[...agents.values(), ...playing].filter((a) => a.info),
    ...(pool?.models ?? []).map((m) => ({ ...m, start: () => unreachable() }) as Agent),
  ].sort((a, b) => suiteOrder(suite, a.name) - suiteOrder(suite, b.name));
  for (const [line, names] of providerLines(models, opts.verbose ?? false)) {
    say(opts, `${names.join(", ")}: ${names.length > 1 ? "run" : "runs"} on ${line}`);
  }
  try {
    // An endpoint that cannot be reached is bad input, said before any episode runs.
    await checkEndpoints(agents, (note) => say(opts, note));
    if (user) await checkEndpoints(new Map([[user.name, user]]), (note) => say(opts, note));
    if (judge) await checkEndpoints(new Map([["judge", judge]]), (note) => say(opts, note));
    const judging = judgeLine(suite, plan);
    if (judging) say(opts, judging);
    const ran = await runOpened(suite, sel, {
      ...opts,
      planned,
      ids: new Set(plan.map((p) => p.id)),
      agents,
      user,
      judge,
      models,
      pool,
    });
    for (const a of [...agents.values(), ...(user ? [user] : [])].filter(isEndpointAgent)) {
      say(opts, endpointSummary(a, a === user ? " (playing the user)" : ""));
    }
    // Where workers ran every episode, their own copies of the judge did the grading.
    if (judge && isEndpointAgent(judge) && judge.stats.live + judge.stats.cached > 0) {
      say(opts, endpointSummary(judge));
    }
    return ran;
  } finally {
    await pool?.close();
    await closeAgents(agents);
    await closeAgent(user);
    await judge?.close?.();
  }
}

/**
 * The worker pool a run asks for, or none: one worker runs here, as do runs that record HTTP
 * cassettes (each cassette is written whole by one process) and runs of endpoint agents only.
 */
async function openPool(
  suite: SuiteSpec,
  sel: Selection,
  plan: { agent: string }[],
  opts: RunSettings,
): Promise<EpisodePool | undefined> {
  const inWorkers = new Set(suite.agents.filter(runsInWorkers).map((a) => a.name));
  const episodes = plan.filter((p) => inWorkers.has(p.agent)).length;
  const asked = opts.workers ?? 1;
  const count = asked === "auto"
    ? Math.min(navigator.hardwareConcurrency, Math.ceil(episodes / EPISODES_PER_WORKER))
    : Math.min(asked, episodes);
  if (count <= 1) return undefined;
  if (opts.record) {
    say(opts, `--record: the episodes run in one worker (each cassette is written by one process)`);
    return undefined;
  }
  const user = userToOpen(suite);
  if (user && !runsInWorkers(user.agent)) {
    // An endpoint user keeps one response cache, as endpoint agents do: it runs in this thread.
    say(opts, `the user is played by an endpoint agent: the episodes run in one worker`);
    return undefined;
  }
  return await EpisodePool.open(suite, {
    started: opts.started,
    workers: count,
    concurrency: opts.concurrency,
    selection: sel,
    backendOptions: { http: "replay" },
    endpoints: { endpoints: { cacheDir: opts.cache.dir, noCache: opts.cache.off } },
  });
}

const suiteOrder = (suite: SuiteSpec, name: string) =>
  suite.agents.findIndex((a) => a.name === name);

function unreachable(): never {
  throw new Error("a worker's agent is not started here");
}

/** Where the model agents run, one line per distinct outcome: four models on one CPU say it once. */
function providerLines(models: Agent[], verbose: boolean): Map<string, string[]> {
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
      tried.length && verbose
        ? ` (${tried.map((t) => `${t.provider}: ${t.error}`).join("; ")})`
        : tried.length
        ? ` (${tried.map((t) => t.provider).join(", ")} unavailable; --verbose says why)`
        : ""
    }`;
    const name = `${a.name}${a.info!.grammar ? " (grammar-constrained tool calls)" : ""}`;
    where.set(line, [...where.get(line) ?? [], name]);
  }
  return where;
}

/** One line on what an endpoint agent asked its server, and what the cache answered instead. */
function endpointSummary(a: EndpointAgent, role = ""): string {
  const s = a.stats;
  const turns = s.live + s.cached;
  const k = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : String(n));
  return `${a.name}${role}: ${turns} turns — ${s.live} requests to the endpoint${
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
  /** The model playing the user, open here. */
  user?: Agent;
  /** The judge grading judge: checks, open here. */
  judge?: Agent;
  models: Agent[];
  pool?: EpisodePool;
}

async function runOpened(suite: SuiteSpec, sel: Selection, opts: OpenedRun): Promise<RunInto> {
  await Deno.mkdir(opts.out, { recursive: true });
  // One writer per folder: two runs would interleave their lines in one log.
  const unlock = await lockRunDir(opts.out);
  try {
    return await runLocked(suite, sel, opts);
  } finally {
    await unlock();
  }
}

async function runLocked(suite: SuiteSpec, sel: Selection, opts: OpenedRun): Promise<RunInto> {
  const { planned, agents, models } = opts;
  const provenance = await runProvenance(suite, sel, {
    command: opts.command,
    concurrency: opts.concurrency,
    workers: opts.pool?.size ?? 1,
    models,
  });
  const logPath = join(opts.out, "episodes.jsonl");
  const header: RunHeader = {
    v: 1,
    type: "run",
    run_id: opts.id,
    shard: opts.shard ?? null,
    planned,
    provenance,
  };
  const { log, done, announced, notes } = await openRunLog(logPath, header, {
    // A complete log without its report: the report phase was cut short; only it runs again.
    finished: !opts.shard && !(await exists(join(opts.out, "report.json"))) ? "keep" : "restart",
    planned: opts.ids,
  });
  for (const n of notes) say(opts, n);
  // The log is this run's (openRunLog refuses another run's folder, which is left untouched): a
  // report from an interrupted earlier attempt must not pass for this run's.
  for (const f of ["report.json", "report.md", "report.html"]) {
    await Deno.remove(join(opts.out, f)).catch(() => {});
  }
  const bar = progressBar(planned, {
    label: `${suite.name} `,
    enabled: opts.progress !== undefined,
    start: done.size,
    status: endpointStatus(agents),
    write: opts.progress,
  });
  say(
    opts,
    `tooltrial ${VERSION}: ${planned} episodes (${suite.envs.length} envs, run ${opts.id}${
      opts.shard ? `, shard ${opts.shard.index}/${opts.shard.count}` : ""
    }${opts.pool ? `, ${opts.pool.size} workers` : ""}${
      done.size > 0 ? `, resuming after ${done.size} done` : ""
    }) → ${opts.out}`,
  );
  // The caller's interrupt handler stops the sandboxes and servers before the process exits.
  const onInterrupt = opts.onInterrupt;
  const pool = opts.pool;
  // The workers' sandboxes and servers are theirs to stop: they go first.
  // The handler exits: what the log still holds back is written first.
  const bye = () => {
    log.flushSync();
    onInterrupt?.(logPath);
  };
  const interrupted = () => pool ? void pool.stop().finally(bye) : bye();
  const signals: Deno.Signal[] = !onInterrupt
    ? []
    : Deno.build.os === "windows"
    ? ["SIGINT"]
    : ["SIGINT", "SIGTERM"];
  for (const sig of signals) Deno.addSignalListener(sig, interrupted);
  // A report reads its episodes back from the log unless this process writes them all: then it
  // gathers them as they are written (a resumed run's earlier episodes are in the log only).
  const collected: CollectedRun | undefined = done.size === 0 && !opts.shard
    ? { header, collector: new Collector(), failures: new FailureCollector() }
    : undefined;
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
      ...(opts.user ? { user: opts.user } : {}),
      judge: opts.judge,
      pool,
      onVariant: (ev) => {
        collected?.collector.add(ev);
        return log.note(ev);
      },
      onLines: async (ep, n) => {
        collected?.collector.addEpisode(ep);
        collected?.failures.addEpisode(ep);
        await log.append(ep);
        bar.tick(done.size + n);
      },
    });
  } finally {
    for (const sig of signals) Deno.removeSignalListener(sig, interrupted);
    await log.close();
  }
  // Episodes rerun after a damaged one went to the end of the log: back into plan order.
  if (notes.length > 0) await sortLog(logPath);
  bar.done();
  return { logPath, planned, resumed: done.size, ...(collected ? { collected } : {}) };
}

/**
 * The one line a run says about its `judge:` checks, or nothing when it has none: who grades them,
 * or that they are not scored (success then rests on the tasks' other checks).
 */
function judgeLine(suite: SuiteSpec, plan: readonly { task: TaskSpec }[]): string {
  const tasks = new Set(plan.filter((p) => p.task.check.judge).map((p) => p.task));
  if (tasks.size === 0) return "";
  const assertions = [...tasks].reduce((n, t) => n + t.check.judge!.assertions.length, 0);
  const advisory = [...tasks].filter((t) => t.check.judge!.advisory).length;
  const what = `judge: checks of ${tasks.size} task${
    tasks.size === 1 ? "" : "s"
  } (${assertions} assertion${assertions === 1 ? "" : "s"}${
    advisory ? `; ${advisory === tasks.size ? "all" : advisory} advisory` : ""
  })`;
  return suite.judge
    ? `${what} graded by ${agentKind(suite.judge).describe(suite.judge)}`
    : `${what} not scored: the suite configures no judge (add judge: to the suite); those tasks' success rests on their other checks`;
}

/** Whether a file exists. */
export async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}
