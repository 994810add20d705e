/**
 * A bench worker (worker_pool.ts): a Deno Worker that loads the suite from its file, opens its own
 * copy of the agents it runs and its own backends, and runs the planned episodes it is sent by
 * plan index. It writes nothing: each episode goes back to the parent as its log lines (serialized here), which
 * the parent logs in plan order.
 * @module
 */
import { loadSuite, trustSpecs } from "../spec/mod.ts";
import type { AgentSpec } from "../spec/types.ts";
import { Backends, closeAllBackends } from "../tools/mod.ts";
import type { Agent } from "./agent.ts";
import { closeAgent, closeAgents, openAgent, openAgents, type OpenOptions } from "./agents/mod.ts";
import { type UserPlayer, userPlayer, userToOpen } from "./user_sim.ts";
import { EpisodeLines, type EpisodeMeta } from "./episode_lines.ts";
import type { VariantEvent } from "./events.ts";
import { interfaceKey, type PlannedEpisode, planRun, runPlanned, variantEnvs } from "./run.ts";
import { variantEvent } from "./run.ts";
import { type PoolOptions, threadsPerWorker } from "./worker_pool.ts";
import { TurnBatch } from "./_turn_batch.ts";

/** What the parent sends a worker. */
export type ToWorker =
  /** Start loading the suite now, before the parent has loaded it (a prestarted pool). */
  | { t: "load"; file: string }
  | {
    t: "init";
    file: string;
    sha256: string;
    agents: string[];
    selection: PoolOptions["selection"];
    backendOptions: NonNullable<PoolOptions["backendOptions"]>;
    workers: number;
    cores: number;
    /** How the suite's judge, opened here, keeps its endpoint replies (as the parent's agents do). */
    endpoints: OpenOptions;
    /** Episodes this worker runs at once; those sent beyond wait here, in order. */
    concurrency: number;
  }
  /** Plan indices to run, in order (those the parent handed out in one turn of its event loop). */
  | { t: "run"; indices: number[] }
  | { t: "stop" }
  | { t: "close" };

/** One finished episode as a worker sends it: its plan index, its lines, its record without events. */
export interface Done {
  index: number;
  text: string;
  meta: EpisodeMeta;
  /** The interface's mapping, with this worker's first episode of it. */
  variant?: VariantEvent;
}

interface Opened {
  plan: Map<number, PlannedEpisode>;
  agents: Map<string, Agent>;
  /** The suite's judge, opened in this worker (its episodes' judge: checks are graded here). */
  judge?: Agent;
  backends: Backends;
  interfaces: ReturnType<typeof variantEnvs>;
  protocols: Map<string, import("../spec/types.ts").ProtocolSpec>;
  /** Interfaces whose mapping this worker already sent. */
  sent: Set<string>;
  /** The model playing the user (the suite's `user:`), open here when the suite has one. */
  user?: UserPlayer;
}

// deno-lint-ignore no-explicit-any
const port = self as any as {
  postMessage(m: unknown): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  close(): void;
};
// The parent loads (and checks) the suite's files too, and compares its sha256 with this worker's
// before any episode runs: the checks that only find problems are the parent's to make.
trustSpecs(true);
let opened: Promise<Opened> | undefined;
/** The suite as a prestarted worker began loading it: kept for `init`, its failure said there. */
let loading: { file: string; suite: ReturnType<typeof loadSuite> } | undefined;

const failed = (err: unknown, index?: number) =>
  port.postMessage({
    t: "failed",
    index,
    error: err instanceof Error
      ? { name: err.constructor.name, message: err.message, stack: err.stack }
      : { name: "Error", message: String(err) },
  });

async function open(m: Extract<ToWorker, { t: "init" }>): Promise<Opened> {
  const suite = await (loading?.file === m.file ? loading.suite : loadSuite(m.file)).catch(() => {
    // Loaded unchecked, a file that changed since the parent checked it may fail any way: load it
    // checked, for its located error (or for the sha256 below to tell).
    trustSpecs(false);
    return loadSuite(m.file);
  });
  loading = undefined;
  if (suite.sha256 !== m.sha256) {
    throw new Error(
      `${m.file} changed while the run started (its workers read another suite): run the command again`,
    );
  }
  const names = new Set(m.agents);
  const plan = new Map(
    planRun(suite, m.selection).filter((p) => names.has(p.agent)).map((p) => [p.index, p]),
  );
  const needed = new Set([...plan.values()].map((p) => p.agent));
  const specs = suite.agents.filter((a) => needed.has(a.name)).map((a) => fitThreads(a, m));
  const agents = await openAgents(specs);
  const backends = new Backends(m.backendOptions);
  let user: Agent | undefined;
  let judge: Agent | undefined;
  try {
    const toOpen = plan.size > 0 ? userToOpen(suite) : undefined;
    if (toOpen) user = await openAgent(fitThreads(toOpen.agent, m));
    if (suite.judge) judge = await openAgent(fitThreads(suite.judge, m), m.endpoints);
    const bases = await Promise.all(suite.envs.map((e) => backends.env(e)));
    return {
      plan,
      agents,
      ...(judge ? { judge } : {}),
      backends,
      interfaces: variantEnvs(suite, bases),
      protocols: new Map(suite.protocols.map((p) => [p.name, p])),
      sent: new Set(),
      ...(user ? { user: userPlayer(suite, user) } : {}),
    };
  } catch (err) {
    await backends.close();
    await closeAgents(agents);
    await closeAgent(user);
    await judge?.close?.();
    throw err;
  }
}

/** An ONNX agent's threads, so that the workers together stay within the cores. */
function fitThreads(spec: AgentSpec, m: { workers: number; cores: number }): AgentSpec {
  if (spec.kind !== "onnx") return spec;
  return {
    ...spec,
    onnx: { ...spec.onnx, threads: threadsPerWorker(spec.onnx.threads, m.workers, m.cores) },
  };
}

async function run(index: number): Promise<void> {
  const o = await opened!;
  const p = o.plan.get(index)!;
  const env = o.interfaces(p.env.name, p.variant, p.seed);
  const rec = await runPlanned(p, env, {
    agent: o.agents.get(p.agent)!,
    protocol: o.protocols.get(p.protocol)!,
    ...(o.user ? { user: o.user } : {}),
    judge: o.judge,
  });
  const key = interfaceKey(p.env.name, p.variant.name, p.seed);
  const first = !o.sent.has(key);
  o.sent.add(key);
  // Serialized here, beside the other workers: the parent only chains and appends the lines.
  const { text, meta } = EpisodeLines.serialize(rec);
  outbox.push({ index, text, meta, ...(first ? { variant: variantEvent(env) } : {}) });
}

/** Plan indices sent but not started: the parent sends ahead, so this worker never waits on it. */
const waiting: number[] = [];
let running = 0;
/** Episodes at once (the run's --concurrency), from `init`. */
let limit = 4;

/** Start waiting episodes while fewer than `limit` run. */
function pump(): void {
  while (running < limit && waiting.length > 0) {
    const index = waiting.shift()!;
    running++;
    run(index).catch((err) => failed(err, index)).finally(() => {
      running--;
      pump();
    });
  }
}

/**
 * Finished episodes sent at once, at most: scripted episodes whose tools are all expressions never
 * wait on I/O, so the whole queue runs in one turn of this worker's event loop; held to its end,
 * they reached the parent all together and this worker sat idle until the parent had logged them
 * and sent more (the parent keeps 32 × --concurrency here: about 200 such waits a run of the full
 * suite). Sent as they come, the next episodes are here before this worker runs out.
 */
const SEND_AT = 16;

/** Finished episodes, sent with the others that finish in the same turn (SEND_AT at most). */
const outbox = new TurnBatch<Done>((items) => port.postMessage({ t: "done", items }), SEND_AT);

port.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.t === "init") limit = Math.max(1, m.concurrency);
  if (m.t === "load") {
    loading = { file: m.file, suite: loadSuite(m.file) };
    // A failure is said by `init` (the parent loads the same file and says it first).
    loading.suite.catch(() => {});
  } else if (m.t === "init") {
    opened = open(m);
    opened.then((o) =>
      port.postMessage({
        t: "ready",
        models: [...o.agents.values()].filter((a) => a.info).map((a) => ({
          name: a.name,
          info: a.info,
          attempts: (a as { attempts?: unknown[] }).attempts ?? [],
        })),
      }), (err) => failed(err));
  } else if (m.t === "run") {
    for (const i of m.indices) waiting.push(i);
    pump();
  } else if (m.t === "stop") {
    closeAllBackends().finally(() => port.postMessage({ t: "stopped" }));
  } else {
    (async () => {
      const o = await opened?.catch(() => undefined);
      if (o) {
        await o.backends.close();
        await closeAgents(o.agents);
        await closeAgent(o.user?.agent);
        await o.judge?.close?.();
      }
    })().finally(() => port.postMessage({ t: "closed" }));
  }
};
