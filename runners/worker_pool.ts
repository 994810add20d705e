import type { AgentSpec, EpisodeSplit, SuiteSpec } from "../spec/types.ts";
import type { BackendOptions } from "../tools/mod.ts";
import { type AgentInfo, AgentSetupError } from "./agent.ts";
import { EpisodeLines } from "./episode_lines.ts";
import type { VariantEvent } from "./events.ts";
import type { EpisodeRunner } from "./run.ts";
import type { Done, ToWorker } from "./_episode_worker.ts";
import type { OpenOptions } from "./agents/registry.ts";
import { TurnBatch } from "./_turn_batch.ts";

/** What a pool's workers run: the suite (loaded again from its file) and the run's selection. */
export interface PoolOptions {
  /** Workers to start (≥ 1). */
  workers: number;
  /** The selection the run plans with (the workers plan the same episodes). */
  selection: {
    agents?: string[];
    protocols?: string[];
    variants?: string[];
    splits?: EpisodeSplit[];
    samples?: number;
    seeds?: number[];
  };
  /** How each worker builds its backends (sandboxes, servers, HTTP mode). */
  backendOptions?: BackendOptions;
  /** Cores the workers share: an ONNX agent's intra-op threads × workers stays within them. */
  cores?: number;
  /** How the suite's judge, opened in each worker, keeps endpoint replies (default: no cache). */
  endpoints?: OpenOptions;
  /** Episodes each worker runs at once (default 4); the pool sends it `QUEUED` times as many. */
  concurrency?: number;
}

/**
 * Episodes the parent keeps sent to a worker, per episode it runs at once: the others wait there,
 * so a worker goes on while its finished episodes travel back and new ones come. A scripted
 * episode of the full suite takes about a quarter of a millisecond: with four times as many (16 at
 * the default concurrency), each worker ran out of episodes and waited for the round trip through
 * this thread about once every 16 (some 800 times a run).
 */
export const QUEUED = 32;

/** A model agent as the worker running it opened it: what the run's provenance and status lines record. */
export interface PooledModel {
  /** The agent's name. */
  name: string;
  /** What it runs on, as the worker's copy reported it. */
  info: AgentInfo;
  /** Providers tried before the one it got, with why each failed. */
  attempts: { provider: string; error: string }[];
}

/** Endpoint agents run in the parent: their requests wait on a server, and they share one reply cache and one rate limit. */
const PARENT_KINDS: ReadonlySet<AgentSpec["kind"]> = new Set(["openai", "anthropic"]);

/** Whether a worker runs this agent's episodes (everything but endpoint agents). */
export function runsInWorkers(spec: AgentSpec): boolean {
  return !PARENT_KINDS.has(spec.kind);
}

/**
 * The intra-op threads an ONNX agent gets in each of `workers` workers sharing `cores`: its own
 * setting when that fits (`auto` is one thread on the CPU), else the cores split evenly (≥ 1).
 */
export function threadsPerWorker(
  setting: number | "auto",
  workers: number,
  cores: number,
): number | "auto" {
  if (setting === "auto" || workers <= 1) return setting;
  const share = Math.max(1, Math.floor(cores / workers));
  return setting === 0 ? share : Math.min(setting, share);
}

type FromWorker =
  | { t: "ready"; models: PooledModel[] }
  | { t: "done"; items: Done[] }
  | { t: "failed"; index?: number; error: { name: string; message: string; stack?: string } }
  | { t: "stopped" }
  | { t: "closed" };

interface Pending {
  resolve: (r: { episode: EpisodeLines; variant?: VariantEvent }) => void;
  reject: (err: Error) => void;
}

/**
 * Workers started before the suite is loaded in this thread, each loading it from its file at once
 * (`EpisodePool.start`): loading it is most of what starting a worker costs, and it goes on beside
 * this thread's own loading. `EpisodePool.open` takes them; `cancel` ends any it did not take.
 */
export class StartedWorkers {
  /** The suite file the workers load. */
  readonly file: string;
  /** Workers started on `file` (`EpisodePool.start` makes them and hands them over). */
  constructor(file: string) {
    this.file = file;
  }

  /** End the workers no pool took (none once taken). */
  cancel(): void {
    for (const s of takeStarted(this)) s.worker.terminate();
  }
}

/** The workers behind each StartedWorkers, until a pool (or `cancel`) takes them. */
const startedSlots = new WeakMap<StartedWorkers, Slot[]>();

/** The workers started, once: whoever takes them owns them. */
function takeStarted(started: StartedWorkers): Slot[] {
  const slots = startedSlots.get(started) ?? [];
  startedSlots.delete(started);
  return slots;
}

/** One worker thread and what it has in flight. */
class Slot {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  #waiters = new Map<string, (m: FromWorker) => void>();
  failure: Error | undefined;
  #onFail: (err: Error) => void;
  constructor(onFail: (err: Error) => void) {
    this.#onFail = onFail;
    this.worker = new Worker(new URL("./_episode_worker.ts", import.meta.url), { type: "module" });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      if (m.t === "done") {
        for (const d of m.items) {
          const p = this.pending.get(d.index)!;
          this.pending.delete(d.index);
          p.resolve({ episode: EpisodeLines.fromText(d.text, d.meta), variant: d.variant });
        }
      } else if (m.t === "failed") {
        const err = rebuild(m.error);
        this.failure = err;
        if (m.index !== undefined && this.pending.has(m.index)) {
          this.pending.get(m.index)!.reject(err);
          this.pending.delete(m.index);
        }
        this.#waiters.get("ready")?.(m);
        this.#onFail(err);
      } else {
        this.#waiters.get(m.t)?.(m);
      }
    };
    this.worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      const err = new Error(`a bench worker failed: ${e.message}`);
      this.failure = err;
      this.#waiters.get("ready")?.({ t: "failed", error: { name: "Error", message: err.message } });
      this.#onFail(err);
    };
  }
  /** Where a failure once the pool runs goes (a prestarted worker learns it when a pool takes it). */
  set onFail(f: (err: Error) => void) {
    this.#onFail = f;
  }
  send(m: ToWorker): void {
    this.worker.postMessage(m);
  }
  /** Plan indices handed out in one turn of this event loop, sent to the worker in one message. */
  #runs = new TurnBatch<number>((indices) => this.send({ t: "run", indices }));
  /** Send the worker this episode, with the others handed out in the same turn. */
  run(index: number): void {
    this.#runs.push(index);
  }
  /** Wait for the worker's reply of kind `t` (or its failure), at most `ms` when given. */
  reply(t: "ready" | "stopped" | "closed", ms?: number): Promise<FromWorker | undefined> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => resolve(undefined), ms);
      this.#waiters.set(t, (m) => {
        clearTimeout(timer);
        this.#waiters.delete(t);
        resolve(m);
      });
    });
  }
}

/**
 * Episodes on worker threads (Deno Workers, inheriting this process's permissions, so handler
 * sandboxes and MCP servers start from them as from here). Each worker loads the suite from its
 * file, opens its own copy of the scripted agents (model agents: see `open`), builds its own
 * backends, and runs the plan indices it is sent; an episode depends only on its seeds, so where
 * it ran changes nothing.
 * A model agent's episodes go to the one worker it is open in; the others to the worker with the
 * fewest in flight.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadSuite } from "../spec/mod.ts";
 * import { EpisodePool } from "./worker_pool.ts";
 * import { runSuite } from "./run.ts";
 * const suite = await loadSuite("testdata/good/suite.yaml");
 * const selection = { agents: ["oracle"], variants: ["clean"], seeds: [0], samples: 1 };
 * const pool = await EpisodePool.open(suite, { workers: 2, selection });
 * try {
 *   const recs = await runSuite(suite, { ...selection, pool });
 *   assert.ok(recs.length > 0 && recs.every((r) => r.success));
 * } finally {
 *   await pool.close();
 * }
 * ```
 */
export class EpisodePool implements EpisodeRunner {
  readonly #slots: Slot[];
  readonly #agents: ReadonlySet<string>;
  /** Model agents and the one worker each is open in. */
  readonly #pinned: ReadonlyMap<string, number>;
  /** The model agents the workers opened, as each one reported them, in suite order. */
  readonly models: PooledModel[];
  #failure: Error | undefined;

  private constructor(
    slots: Slot[],
    agents: ReadonlySet<string>,
    pinned: ReadonlyMap<string, number>,
    models: PooledModel[],
  ) {
    this.#slots = slots;
    this.#agents = agents;
    this.#pinned = pinned;
    this.models = models;
  }

  /**
   * Start `workers` workers that begin loading the suite at `file` at once, before this thread has
   * loaded it; `open` with `started` takes them (one whose file turns out to differ fails there).
   */
  static start(file: string, workers: number): StartedWorkers {
    const slots = Array.from({ length: Math.max(1, workers) }, () => new Slot(() => {}));
    for (const s of slots) s.send({ t: "load", file });
    const started = new StartedWorkers(file);
    startedSlots.set(started, slots);
    return started;
  }

  /**
   * Start `workers` workers on a suite loaded from its file (or take those `started` on that file,
   * ending any beyond `workers`); resolves once every one is ready.
   * Scripted agents open in every worker. A model agent opens in one worker only (the agents are
   * dealt round the workers, in suite order), which runs all its episodes: loading a model and
   * building its tool-call grammar once, as one thread would, rather than once per worker.
   */
  static async open(
    suite: SuiteSpec,
    opts: PoolOptions & { started?: StartedWorkers },
  ): Promise<EpisodePool> {
    const inWorkers = suite.agents.filter((a) =>
      runsInWorkers(a) && (!opts.selection.agents || opts.selection.agents.includes(a.name))
    );
    const count = Math.max(1, opts.workers);
    const pinned = new Map(
      inWorkers.filter((a) => a.kind === "onnx").map((a, i) => [a.name, i % count]),
    );
    // A worker that fails once the pool runs fails every episode in flight (set below).
    const failed: { to?: (err: Error) => void } = {};
    const onFail = (err: Error) => failed.to?.(err);
    // Prestarted workers loading this suite's file are taken first; any beyond `count` end.
    const started = opts.started?.file === suite.file ? takeStarted(opts.started) : [];
    opts.started?.cancel();
    for (const s of started.splice(count)) s.worker.terminate();
    for (const s of started) s.onFail = onFail;
    const slots = [
      ...started,
      ...Array.from({ length: count - started.length }, () => new Slot(onFail)),
    ];
    const ready = slots.map((s) => s.reply("ready"));
    for (const [w, s] of slots.entries()) {
      s.send({
        t: "init",
        file: suite.file,
        sha256: suite.sha256,
        agents: inWorkers.map((a) => a.name).filter((n) => (pinned.get(n) ?? w) === w),
        selection: opts.selection,
        backendOptions: opts.backendOptions ?? {},
        workers: count,
        cores: opts.cores ?? navigator.hardwareConcurrency,
        endpoints: opts.endpoints ?? {},
        concurrency: opts.concurrency ?? 4,
      });
    }
    const replies = await Promise.all(ready);
    if (replies.some((r) => r?.t === "failed")) {
      for (const s of slots) s.worker.terminate();
      throw slots.find((s) => s.failure)?.failure ?? new Error("a bench worker failed to start");
    }
    const order = (name: string) => suite.agents.findIndex((a) => a.name === name);
    const models = replies.flatMap((r) => (r as { models: PooledModel[] }).models)
      .sort((a, b) => order(a.name) - order(b.name));
    const pool = new EpisodePool(slots, new Set(inWorkers.map((a) => a.name)), pinned, models);
    failed.to = (err) => pool.#fail(err);
    return pool;
  }

  /** Workers in the pool. */
  get size(): number {
    return this.#slots.length;
  }

  /** Episodes sent to each worker at once per episode it runs ({@linkcode QUEUED}). */
  get queued(): number {
    return QUEUED;
  }

  /** Whether the workers run this agent's episodes. */
  runs(agent: string): boolean {
    return this.#agents.has(agent);
  }

  /**
   * Run the episode with this full-plan index: a model agent's on the worker it is open in, any
   * other on the worker with the fewest in flight.
   */
  run(
    { index, agent }: { index: number; agent: string },
  ): Promise<{ episode: EpisodeLines; variant?: VariantEvent }> {
    if (this.#failure) return Promise.reject(this.#failure);
    const pin = this.#pinned.get(agent);
    const slot = pin !== undefined
      ? this.#slots[pin]
      : this.#slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    return new Promise((resolve, reject) => {
      slot.pending.set(index, { resolve, reject });
      slot.run(index);
    });
  }

  /** Stop every worker's sandboxes and servers (an interrupt), waiting at most `ms` for them. */
  async stop(ms = 3000): Promise<void> {
    const replies = this.#slots.map((s) => s.reply("stopped", ms));
    for (const s of this.#slots) s.send({ t: "stop" });
    await Promise.all(replies);
  }

  /** Close the workers' agents and backends, then end the workers. */
  async close(): Promise<void> {
    const replies = this.#slots.map((s) => s.reply("closed", 30_000));
    for (const s of this.#slots) s.send({ t: "close" });
    await Promise.all(replies);
    for (const s of this.#slots) s.worker.terminate();
  }

  /** A worker failed outside an episode: every episode in flight fails with it. */
  #fail(err: Error): void {
    this.#failure ??= err;
    for (const s of this.#slots) {
      for (const p of s.pending.values()) p.reject(err);
      s.pending.clear();
    }
  }
}

/** The error a worker reported, as this side's class where the CLI tells them apart. */
function rebuild(e: { name: string; message: string; stack?: string }): Error {
  const err = e.name === "AgentSetupError" ? new AgentSetupError(e.message) : new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}
