import type {
  EnvSpec,
  EpisodeSplit,
  ProtocolSpec,
  SuiteSpec,
  TaskSpec,
  VariantSpec,
} from "../spec/types.ts";
import { episodeSplit } from "../tasks/mod.ts";
import { type BackendOptions, Backends, declarativeEnv, type Env } from "../tools/mod.ts";
import { applyVariant, variantsFor } from "../variants/mod.ts";
import type { VariantEnv } from "../variants/types.ts";
import type { Agent } from "./agent.ts";
import { closeAgents, openAgent, openAgents } from "./agents/mod.ts";
import { runEpisode } from "./episode.ts";
import { type UserPlayer, userPlayer, userToOpen } from "./user_sim.ts";
import { judgeGrader } from "./judge_grader.ts";
import { EpisodeLines } from "./episode_lines.ts";
import type { EpisodeRecord, VariantEvent } from "./events.ts";
import { deriveSeed } from "./rng.ts";

/** One planned episode. */
export interface PlannedEpisode {
  /** Position in the full plan (before sharding): logs merge in this order. */
  index: number;
  /** Episode id (unique in the run). */
  id: string;
  /** The environment. */
  env: EnvSpec;
  /** The task. */
  task: TaskSpec;
  /** The variant it runs under. */
  variant: VariantSpec;
  /** Where the task stands relative to training. */
  split: EpisodeSplit;
  /** Agent name. */
  agent: string;
  /** Protocol name. */
  protocol: string;
  /** The run seed (a suite `seeds` entry). */
  seed: number;
  /** Sample index for this task and seed. */
  sample: number;
  /**
   * Seed of this episode's generator: a function of (run seed, env, task, agent, protocol, sample)
   * — not of the variant, so clean and varied episodes of a task are paired draw for draw.
   */
  episodeSeed: number;
}

/** What `runSuite` runs and how: selections, callbacks, sharding, resumption and backends. */
export interface RunOptions {
  /** Restrict to these agent names (default: all in the suite). */
  agents?: string[];
  /** Restrict to these protocol names (default: all in the suite). */
  protocols?: string[];
  /** Restrict to these variants (`clean` included); default all. */
  variants?: string[];
  /** Restrict to these splits; default all. */
  splits?: EpisodeSplit[];
  /** Samples per task and seed (default: the suite's). */
  samples?: number;
  /** Run seeds (default: the suite's). */
  seeds?: number[];
  /** Episodes in flight at once; results do not depend on it. */
  concurrency?: number;
  /** Called in plan order as soon as each episode (and all before it) is done. */
  onEpisode?: (rec: EpisodeRecord, done: number, total: number) => void | Promise<void>;
  /**
   * As `onEpisode`, with the episode as {@linkcode EpisodeLines}: a worker's episode arrives as its
   * log lines, and is parsed into a record only where someone asks for one (`onEpisode`, `keep`).
   */
  onLines?: (ep: EpisodeLines, done: number, total: number) => void | Promise<void>;
  /** Called once per (env, variant, seed), in plan order, before its first episode's `onEpisode`. */
  onVariant?: (ev: VariantEvent) => void | Promise<void>;
  /** Run only this slice of the plan: episodes whose plan index ≡ `index` (mod `count`). */
  shard?: { index: number; count: number };
  /** Episode ids already done (a resumed run): skipped. */
  skip?: ReadonlySet<string>;
  /** `env/variant/seed` interfaces already announced by `onVariant` (a resumed run). */
  announced?: ReadonlySet<string>;
  /** Keep finished records in memory and return them (default true; a CLI run streams instead). */
  keep?: boolean;
  /**
   * Agents already opened by the caller (who then closes them); default: opened here for the
   * planned agents and closed when the run ends.
   */
  open?: Map<string, Agent>;
  /**
   * The agent playing the user of conversational tasks (the suite's `user:`), opened by the
   * caller (who then closes it); default: opened here when the suite has one.
   */
  user?: Agent;
  /**
   * The suite's judge, already opened by the caller (who then closes it); default: opened here
   * when the suite has one, and closed when the run ends.
   */
  judge?: Agent;
  /**
   * The backends (sandboxes, servers, cassettes) to run on; the run closes them when it ends.
   * Default: new ones with `backendOptions`.
   */
  backends?: Backends;
  /** How to build the default backends (sandbox, servers, HTTP mode). */
  backendOptions?: BackendOptions;
  /**
   * Worker threads that run the episodes of the agents they hold (worker_pool.ts); the others
   * (endpoint agents) run here. Each worker keeps `concurrency` episodes in flight. Records still
   * come back in plan order, the same for any number of workers.
   */
  pool?: EpisodeRunner;
}

/** What runs episodes elsewhere (a pool of workers): `runSuite` hands it the plan index. */
export interface EpisodeRunner {
  /** Workers in the pool. */
  readonly size: number;
  /** Episodes to keep sent to each worker per episode it runs at once (default 1). */
  readonly queued?: number;
  /** Whether the pool runs this agent's episodes. */
  runs(agent: string): boolean;
  /**
   * Run a planned episode (by its full-plan index): it comes back as its log lines; `variant` comes
   * with a worker's first episode of an interface.
   */
  run(
    p: { index: number; agent: string },
  ): Promise<{ episode: EpisodeLines; variant?: VariantEvent }>;
}

/** The plan entries a shard runs: plan index ≡ shard index (mod count). */
export function inShard(p: PlannedEpisode, shard?: { index: number; count: number }): boolean {
  return !shard || p.index % shard.count === shard.index;
}

/** How a variant interface is named in `announced`. */
export const interfaceKey = (env: string, variant: string, seed: number): string =>
  `${env}/${variant}/${seed}`;

/** What names one episode of a suite. */
export interface EpisodeKey {
  env: string;
  variant: string;
  task: string;
  agent: string;
  protocol: string;
  seed: number;
  sample: number;
}

/**
 * An episode's id and generator seed, from its names. `bench` and `serve` both name episodes this
 * way, so an episode served over HTTP is the one a bench run would have run.
 */
export function episodeIdentity(k: EpisodeKey): { id: string; episodeSeed: number } {
  return {
    id: `${k.env}/${k.variant}/${k.task}/${k.agent}/${k.protocol}/${k.seed}.${k.sample}`,
    // Not a function of the variant: a task's clean and varied episodes are paired draw for draw.
    episodeSeed: deriveSeed(k.seed, k.env, k.task, k.agent, k.protocol, k.sample),
  };
}

/**
 * The (env, variant, seed) interfaces of a suite, each built once on first use: what `runSuite`
 * and the session store of `serve` step episodes against. `bases` are the suite's environments
 * built on their backends (default: declarative only, where other backends answer unavailable).
 * `limit` keeps only that many, the most recently used (a server whose clients pick any seed must
 * not keep one per seed forever); an interface is a pure function of its names, so one built again
 * is the same interface. A variant without operators (`clean`) is built once per environment: its
 * interfaces differ only in the seed they carry.
 */
export function variantEnvs(
  suite: SuiteSpec,
  bases: readonly Env[] = suite.envs.map((e) => declarativeEnv(e)),
  opts: { limit?: number } = {},
): (env: string, variant: VariantSpec, seed: number) => VariantEnv {
  const built = new Map<string, VariantEnv>();
  const seedless = new Map<string, VariantEnv>();
  const limit = opts.limit ?? Infinity;
  const build = (env: string, variant: VariantSpec, seed: number): VariantEnv => {
    const base = bases.find((b) => b.name === env)!;
    if (variant.ops.length > 0) return applyVariant(base, variant, { seed, pool: bases });
    const key = `${env}\u0000${variant.name}`;
    let e = seedless.get(key);
    if (!e) seedless.set(key, e = applyVariant(base, variant, { seed, pool: bases }));
    return e.seed === seed ? e : { ...e, seed };
  };
  return (env, variant, seed) => {
    const key = `${env}\u0000${variant.name}\u0000${seed}`;
    let e = built.get(key);
    if (e) {
      if (limit !== Infinity) built.delete(key), built.set(key, e);
    } else {
      built.set(key, e = build(env, variant, seed));
      if (built.size > limit) built.delete(built.keys().next().value!);
    }
    return e;
  };
}

/** Every episode the suite asks for, in a fixed order: env, variant, task, agent, protocol, seed, sample. */
export function planRun(suite: SuiteSpec, opts: RunOptions = {}): PlannedEpisode[] {
  const agents = suite.agents.filter((a) => !opts.agents || opts.agents.includes(a.name));
  const protocols = suite.protocols.filter((p) =>
    !opts.protocols || opts.protocols.includes(p.name)
  );
  const seeds = opts.seeds ?? suite.seeds;
  const samples = opts.samples ?? suite.samples;
  const plan: PlannedEpisode[] = [];
  for (const env of suite.envs) {
    const variants = variantsFor(suite, env).filter((v) =>
      !opts.variants || opts.variants.includes(v.name)
    );
    for (const variant of variants) {
      for (const [t, task] of env.tasks.entries()) {
        const split = episodeSplit(suite, env, task);
        if (opts.splits && !opts.splits.includes(split)) continue;
        for (const agent of agents) {
          const only = agent.only;
          if (only?.variants && !only.variants.includes(variant.name)) continue;
          if (only?.tasks_per_env !== undefined && t >= only.tasks_per_env) continue;
          for (const protocol of protocols) {
            if (only?.protocols && !only.protocols.includes(protocol.name)) continue;
            for (const seed of seeds) {
              for (let sample = 0; sample < samples; sample++) {
                plan.push({
                  index: plan.length,
                  ...episodeIdentity({
                    env: env.name,
                    variant: variant.name,
                    task: task.id,
                    agent: agent.name,
                    protocol: protocol.name,
                    seed,
                    sample,
                  }),
                  env,
                  task,
                  variant,
                  split,
                  agent: agent.name,
                  protocol: protocol.name,
                  seed,
                  sample,
                });
              }
            }
          }
        }
      }
    }
  }
  return plan;
}

/**
 * Run a suite's episodes with bounded concurrency. Records come back (and `onEpisode` fires) in
 * plan order, so the output is the same for any concurrency.
 */
export async function runSuite(suite: SuiteSpec, opts: RunOptions = {}): Promise<EpisodeRecord[]> {
  const backends = opts.backends ?? new Backends(opts.backendOptions);
  try {
    const plan = planRun(suite, opts).filter((p) =>
      inShard(p, opts.shard) && !opts.skip?.has(p.id)
    );
    // Backends start (sandboxes, servers) only where episodes run: not here when workers run all.
    const here = plan.some((p) => !opts.pool?.runs(p.agent));
    const bases = here ? await Promise.all(suite.envs.map((e) => backends.env(e))) : undefined;
    return await runPlan(suite, plan, { ...opts, interfaces: variantEnvs(suite, bases) });
  } finally {
    await backends.close();
  }
}

/** Run one planned episode on its interface with its agent. */
export function runPlanned(
  p: PlannedEpisode,
  env: VariantEnv,
  opts: { agent: Agent; protocol: ProtocolSpec; user?: UserPlayer; judge?: Agent },
): Promise<EpisodeRecord> {
  const { judge, ...rest } = opts;
  return runEpisode(env, p.task, {
    ...rest,
    ...(judge ? { grader: judgeGrader(judge, { task: p.task }) } : {}),
    episode: {
      id: p.id,
      seed: p.episodeSeed,
      sample: p.sample,
      split: p.split,
      index: p.index,
      runSeed: p.seed,
    },
  });
}

async function runPlan(
  suite: SuiteSpec,
  plan: PlannedEpisode[],
  opts: RunOptions & { interfaces: ReturnType<typeof variantEnvs> },
): Promise<EpisodeRecord[]> {
  const { interfaces, pool } = opts;
  const keep = opts.keep ?? true;
  const envFor = (p: PlannedEpisode) => interfaces(p.env.name, p.variant, p.seed);
  const announced = new Set<string>(opts.announced ?? []);
  // Interfaces as the workers built them: each sends one with its first episode of it.
  const remote = new Map<string, VariantEvent>();
  const needed = new Set(plan.map((p) => p.agent).filter((a) => !pool?.runs(a)));
  const agents = opts.open ?? await openAgents(suite.agents.filter((a) => needed.has(a.name)));
  const toOpen = needed.size > 0 ? userToOpen(suite) : undefined;
  const userAgent = toOpen ? opts.user ?? await openAgent(toOpen.agent) : undefined;
  const user = userAgent && userPlayer(suite, userAgent);
  const ownJudge = !opts.judge && suite.judge && needed.size > 0;
  const judge = opts.judge ?? (ownJudge ? await openAgent(suite.judge!) : undefined);
  const protocols = new Map(suite.protocols.map((p) => [p.name, p]));
  // undefined: running; null: emitted and dropped (keep: false).
  const results: (EpisodeLines | null | undefined)[] = new Array(plan.length);
  let emitted = 0;
  let cursor = 0;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  // Agents with a limit of their own (endpoint agents: a server batches many requests) run that
  // many episodes besides the others, which share the run's limit.
  const shared = new Slots(concurrency * (pool ? pool.size * (pool.queued ?? 1) : 1));
  const own = new Map(
    [...needed].flatMap((n) => {
      const c = agents.get(n)?.concurrency;
      return c ? [[n, new Slots(c)] as const] : [];
    }),
  );
  const workers = shared.size + [...own.values()].reduce((s, x) => s + x.size, 0);
  let flushing = Promise.resolve();

  const flush = async () => {
    while (emitted < plan.length && results[emitted]) {
      const rec = results[emitted]!;
      const p = plan[emitted];
      if (!keep) results[emitted] = null;
      emitted++;
      const key = interfaceKey(p.env.name, p.variant.name, p.seed);
      if (!announced.has(key)) {
        announced.add(key);
        await opts.onVariant?.(remote.get(key) ?? variantEvent(envFor(p)));
      }
      await opts.onLines?.(rec, emitted, plan.length);
      await opts.onEpisode?.(rec.record(), emitted, plan.length);
    }
  };
  const worker = async () => {
    while (cursor < plan.length) {
      const pos = cursor++;
      const p = plan[pos];
      const slots = own.get(p.agent) ?? shared;
      await slots.take();
      try {
        if (pool?.runs(p.agent)) {
          const { episode, variant } = await pool.run(p);
          if (variant) {
            remote.set(interfaceKey(variant.env, variant.variant, variant.seed), variant);
          }
          results[pos] = episode;
        } else {
          results[pos] = EpisodeLines.of(
            await runPlanned(p, envFor(p), {
              agent: agents.get(p.agent)!,
              protocol: protocols.get(p.protocol)!,
              ...(user ? { user } : {}),
              judge,
            }),
          );
        }
      } finally {
        slots.give();
      }
      flushing = flushing.then(flush);
      await flushing;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(workers, plan.length) }, worker));
    await flushing;
  } finally {
    if (!opts.open) await closeAgents(agents);
    if (userAgent && !opts.user) await userAgent.close?.();
    if (ownJudge) await judge?.close?.();
  }
  return keep ? (results as EpisodeLines[]).map((r) => r.record()) : [];
}

/** The log record of how a variant changed an environment's interface. */
export function variantEvent(env: VariantEnv): VariantEvent {
  return {
    v: 1,
    type: "variant",
    env: env.name,
    variant: env.variant,
    seed: env.seed,
    ops: [...env.applied],
    tools: [...env.views],
  };
}

/** A counting semaphore: at most `size` holders at once, served in arrival order. */
class Slots {
  #free: number;
  #waiting: (() => void)[] = [];
  constructor(readonly size: number) {
    this.#free = size;
  }
  take(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((r) => this.#waiting.push(r));
  }
  give(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}
