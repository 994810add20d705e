import type {
  EnvSpec,
  EpisodeSplit,
  ProtocolSpec,
  SuiteSpec,
  TaskSpec,
  VariantSpec,
} from "../spec/types.ts";
import type { Agent } from "../runners/agent.ts";
import { EpisodeSession } from "../runners/episode.ts";
import { judgeGrader } from "../runners/judge_grader.ts";
import type { EpisodeRecord } from "../runners/events.ts";
import { episodeIdentity, variantEnvs } from "../runners/run.ts";
import type { Env } from "../tools/types.ts";
import { episodeSplit } from "../tasks/mod.ts";
import { variantsFor } from "../variants/mod.ts";

/** A request the store cannot serve: HTTP status, message and how to fix it. */
export class ApiError extends Error {
  /** HTTP status the server answers with. */
  readonly status: 400 | 404 | 409 | 413 | 422 | 429;
  /** How to fix the request, when there is something to say. */
  readonly hint?: string;
  /** A refusal with its status, message and optional hint. */
  constructor(status: ApiError["status"], message: string, hint?: string) {
    super(message);
    this.status = status;
    this.hint = hint;
  }
}

/** How many (env, variant, seed) interfaces a store keeps built (most recently used). */
const INTERFACES_KEPT = 256;

/** What a client asks for when it opens a session. */
export interface SessionRequest {
  /** Environment name. */
  env: string;
  /** Task id within the environment. */
  task: string;
  /** Variant name (default `clean`). */
  variant?: string;
  /** Protocol name (default: the suite's first). */
  protocol?: string;
  /** Run seed (default: the suite's first). */
  seed?: number;
  /** Sample index (default 0). */
  sample?: number;
  /** Agent name recorded with the episode (default `remote`). */
  agent?: string;
}

/** One open episode and its bookkeeping. */
export interface OpenSession {
  /** Session id the client uses in later requests. */
  id: string;
  /** The episode being driven. */
  episode: EpisodeSession;
  /** When the session was last touched (ms, the store's clock): the idle TTL counts from here. */
  lastUsed: number;
  /** A step in flight: steps of one session are strictly one at a time. */
  busy: boolean;
  /** The finished episode, once it ended. */
  record?: EpisodeRecord;
}

/**
 * Episodes driven over the network: isolated (each has its own episode and state), bounded in
 * number, and dropped after an idle TTL. An episode opened here is the one `bench` would run for the
 * same (env, variant, task, agent, protocol, seed, sample): same interface, same seed, same checks.
 */
export class SessionStore {
  /** The suite whose environments and tasks sessions run. */
  readonly suite: SuiteSpec;
  readonly #judge: Agent | undefined;
  /** Idle time after which a session is dropped (ms). */
  readonly ttlMs: number;
  /** Most sessions open at once. */
  readonly max: number;
  readonly #interfaces: ReturnType<typeof variantEnvs>;
  readonly #open = new Map<string, OpenSession>();
  /** Per environment, the variants it runs under; per task, its split (the suite never changes). */
  readonly #variants = new Map<EnvSpec, VariantSpec[]>();
  readonly #splits = new Map<TaskSpec, EpisodeSplit>();
  readonly #now: () => number;

  /** A store for `suite`; `bases` are its environments built on their backends, `now` a clock for tests. */
  constructor(
    suite: SuiteSpec,
    opts: {
      ttlMs?: number;
      max?: number;
      now?: () => number;
      bases?: readonly Env[];
      /** The suite's judge, opened: it grades served episodes' `judge:` checks. */
      judge?: Agent;
    } = {},
  ) {
    this.suite = suite;
    this.#judge = opts.judge;
    this.ttlMs = opts.ttlMs ?? 10 * 60_000;
    this.max = opts.max ?? 1000;
    this.#now = opts.now ?? (() => Date.now());
    // Clients choose seeds freely: keep a bounded set of interfaces, not one per seed ever seen.
    this.#interfaces = variantEnvs(suite, opts.bases, { limit: INTERFACES_KEPT });
  }

  /** Sessions open now. */
  get size(): number {
    return this.#open.size;
  }

  /** Drop sessions idle for longer than the TTL; returns how many went. */
  sweep(): number {
    const now = this.#now();
    let n = 0;
    for (const [id, s] of this.#open) {
      if (!s.busy && now - s.lastUsed > this.ttlMs) this.#drop(id, s), n++;
    }
    return n;
  }

  #pick<T extends { name: string }>(items: readonly T[], name: string, what: string): T {
    const found = items.find((x) => x.name === name);
    if (!found) {
      throw new ApiError(
        404,
        `no ${what} "${name}"`,
        `${what}s: ${items.map((x) => x.name).join(", ")}`,
      );
    }
    return found;
  }

  /** Open an episode; throws ApiError for unknown names or a full store. */
  create(req: SessionRequest): OpenSession {
    const env = this.#pick(this.suite.envs, req.env, "environment");
    const task: TaskSpec | undefined = env.tasks.find((t) => t.id === req.task);
    if (!task) {
      throw new ApiError(
        404,
        `no task "${req.task}" in ${env.name}`,
        `GET /v1/envs/${env.name}/tasks lists them`,
      );
    }
    const protocol: ProtocolSpec = this.#pick(
      this.suite.protocols,
      req.protocol ?? "direct",
      "protocol",
    );
    const variant = req.variant ?? "clean";
    const seed = req.seed ?? 0, sample = req.sample ?? 0, agent = req.agent ?? "remote";
    let variants = this.#variants.get(env);
    if (!variants) this.#variants.set(env, variants = variantsFor(this.suite, env));
    const venv = this.#interfaces(env.name, this.#pick(variants, variant, "variant"), seed);
    if (this.#open.size >= this.max) this.sweep();
    if (this.#open.size >= this.max) {
      throw new ApiError(
        429,
        `too many open sessions (${this.max})`,
        "close finished sessions with DELETE /v1/sessions/{id}",
      );
    }
    const id = crypto.randomUUID();
    const name = episodeIdentity({
      env: env.name,
      variant,
      task: task.id,
      agent,
      protocol: protocol.name,
      seed,
      sample,
    });
    const episode = new EpisodeSession(venv, task, {
      agent,
      protocol,
      ...(this.#judge ? { grader: judgeGrader(this.#judge, { task }) } : {}),
      episode: {
        id: name.id,
        seed: name.episodeSeed,
        runSeed: seed,
        sample,
        split: this.#split(env, task),
      },
    });
    const open: OpenSession = { id, episode, lastUsed: this.#now(), busy: false };
    this.#open.set(id, open);
    return open;
  }

  #split(env: EnvSpec, task: TaskSpec): EpisodeSplit {
    let split = this.#splits.get(task);
    if (!split) this.#splits.set(task, split = episodeSplit(this.suite, env, task));
    return split;
  }

  /** Forget a session and release what its episode holds (a server lease, a sandbox state). */
  #drop(id: string, s: OpenSession) {
    this.#open.delete(id);
    s.episode.close().catch(() => {});
  }

  /** An open session; 404 when unknown or expired. */
  get(id: string): OpenSession {
    const s = this.#open.get(id);
    if (!s || (!s.busy && this.#now() - s.lastUsed > this.ttlMs)) {
      if (s) this.#drop(id, s);
      throw new ApiError(
        404,
        `no open session "${id}"`,
        "it was closed, expired, or never existed: open one with POST /v1/sessions",
      );
    }
    s.lastUsed = this.#now();
    return s;
  }

  /** Close a session, finishing its episode if it is still running. */
  async close(id: string): Promise<EpisodeRecord> {
    const s = this.get(id);
    if (s.busy) {
      throw new ApiError(
        409,
        "a step is still running for this session",
        "wait for it, then close",
      );
    }
    this.#open.delete(id);
    if (!s.episode.done) s.episode.fail("closed by the client before a final answer");
    try {
      return s.record ??= await s.episode.finish();
    } finally {
      await s.episode.close();
    }
  }
}

/** The outcome of a finished episode, as a trainer wants it (the API's and MCP's `result`). */
export function resultOf(rec: EpisodeRecord): Record<string, unknown> {
  const last = rec.events.at(-1) as Extract<EpisodeRecord["events"][number], { type: "result" }>;
  return {
    success: rec.success,
    reward: rec.success ? 1 : 0,
    answer: rec.answer,
    checks: last.checks,
    metrics: rec.metrics,
    error: rec.error,
    episode: rec.id,
  };
}
