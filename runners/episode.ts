import { taskInitialState } from "../spec/mod.ts";
import type { Call, EpisodeSplit, ProtocolSpec, State, TaskSpec } from "../spec/types.ts";
import { astMatch, checkTask, type Grader, spelledArgs } from "../tasks/mod.ts";
import { unknownTool } from "../tools/dispatch.ts";
import {
  type Env,
  type EnvLease,
  INVALID_KINDS,
  type Observation,
  type ToolDef,
} from "../tools/types.ts";
import type { VariantEnv } from "../variants/types.ts";
import type { Agent, Phase, TurnInfo } from "./agent.ts";
import type { EpisodeEvent, EpisodeMetrics, EpisodeRecord } from "./events.ts";
import { goldState } from "./gold_state.ts";
import type { AssistantMessage, Message } from "../core/messages.ts";
import { prompts } from "./prompts.ts";
import type { UserTurn } from "./scripted_user.ts";
import { openUser, type UserAnswer, type UserPlayer, type UserSimulator } from "./user_sim.ts";
import { createRng } from "./rng.ts";
import {
  type EpisodeOptions,
  isBackendFailure,
  observationText,
  parseMaybe,
  round,
  type StepOutcome,
  TRANSFER_TOOL,
  unreadableCall,
} from "./_episode_step.ts";

const isVariant = (env: Env): env is VariantEnv => "toVisible" in env;

export {
  type EpisodeOptions,
  observationText,
  type StepOutcome,
  TRANSFER_TOOL,
} from "./_episode_step.ts";

/**
 * One episode as a state machine driven from outside: `begin()` gives the first messages, each
 * `step(reply)` runs an assistant turn's tool calls (or takes its plain message as the trial notes
 * or the final answer) and says what comes next; `finish()` checks the outcome. `runEpisode`
 * drives it with an in-process agent; the HTTP environment API drives it with a remote one — the
 * same code, so the same results.
 */
export class EpisodeSession {
  /** The environment as the agent sees it (a variant wraps the canonical one). */
  readonly env: Env | VariantEnv;
  /** The task being run. */
  readonly task: TaskSpec;
  /** The protocol the episode follows. */
  readonly protocol: ProtocolSpec;
  /** Episode id. */
  readonly id: string;
  /** Everything that happened so far, in log order. */
  readonly events: EpisodeEvent[] = [];
  /** The conversation so far, as the agent sees it. */
  readonly messages: Message[] = [];
  /** Counts so far; final after `finish()`. */
  readonly metrics: EpisodeMetrics = {
    calls: 0,
    trial_calls: 0,
    invalid_calls: 0,
    trial_invalid_calls: 0,
    failed_calls: 0,
    backend_failures: 0,
    self_corrections: 0,
    turns: 0,
    ast_match: false,
  };
  /** The variant's name and how it maps canonical calls to what the agent sees. */
  readonly variant: { name: string; toVisible(c: Call): Call };
  /** Where the task stands relative to training. */
  readonly split: EpisodeSplit;
  /** The phase the next turn belongs to. */
  phase: Phase = "execute";
  /** Whether the episode has ended. */
  done = false;
  /** The agent's final answer, once given. */
  answer: string | null = null;
  /** Why the episode ended abnormally, if it did. */
  error: string | null = null;
  #state: State;
  #used = 0;
  #turnsInPhase = 0;
  #lastFailed = false;
  #executed: Call[] = [];
  /** Execution-phase calls that succeeded: what a `calls` check judges. */
  #succeeded: Call[] = [];
  /** Every execution-phase call tried, null where it reached no tool: a first-action check's. */
  #attempted: (Call | null)[] = [];
  #t0 = performance.now();
  #record: EpisodeRecord | undefined;
  /** This phase's copy of the environment's external state (environments with `open` only). */
  #lease: EnvLease | undefined;
  #closing: Promise<void>[] = [];
  /** Visible names of the tools a task with `tools:` offers (null: every tool of the env). */
  #offered: Set<string> | null = null;
  /** The simulated user of a task with `user:` (null: the query is the whole conversation). */
  #user: UserSimulator | null;
  /** The model playing the user (a suite's `user:`); absent: the scripted user. */
  #player?: UserPlayer;
  /** The environment's user side (`user_state:`, `user_tools:`), if it has one. */
  #userSide?: Env;
  /** What the agent wrote in the execution phase, in order: what `communicate` checks read. */
  #said: string[] = [];
  /** The execution phase's conversation, system prompt aside: what a `judge:` check's judge reads. */
  #heard: Message[] = [];
  #grader: Grader | undefined;

  /** Start an episode of `task` in `env` (nothing runs until `begin()`); `grader`: the judge. */
  constructor(
    env: Env | VariantEnv,
    task: TaskSpec,
    opts: {
      agent: string;
      protocol: ProtocolSpec;
      episode: EpisodeOptions;
      provider?: string;
      /** A model agent playing the user of a task with `user:` (default: the scripted user). */
      user?: UserPlayer;
      /** Who grades the task's `judge:` checks (absent: they are not scored). */
      grader?: Grader;
    },
  ) {
    this.env = env;
    this.#grader = opts.grader;
    this.task = task;
    this.protocol = opts.protocol;
    this.id = opts.episode.id;
    this.#state = taskInitialState(env.initialState, task);
    this.#userSide = (isVariant(env) ? env.base : env).user;
    this.#player = opts.user;
    this.#user = task.user
      ? openUser(task, {
        side: this.#userSide,
        player: opts.user,
        seed: opts.episode.seed,
        protocol: opts.protocol,
      })
      : null;
    if (this.#user) this.metrics.user_turns = 0;
    this.variant = isVariant(env)
      ? { name: env.variant, toVisible: env.toVisible }
      : { name: "clean", toVisible: (c: Call) => c };
    if (task.tools) {
      const subset = new Set(task.tools);
      this.#offered = new Set(
        isVariant(env)
          ? env.views.filter((v) => v.canonical === null || subset.has(v.canonical)).map((v) =>
            v.name
          )
          : env.tools.filter((t) => subset.has(t.name)).map((t) => t.name),
      );
    }
    const e = opts.episode;
    this.split = e.split ?? (task.split === "unseen" ? "unseen_task" : "seen");
    this.events.push({
      v: 1,
      type: "episode",
      episode: this.id,
      index: e.index ?? 0,
      env: env.name,
      task: task.id,
      variant: this.variant.name,
      split: this.split,
      agent: opts.agent,
      protocol: this.protocol.name,
      run_seed: e.runSeed ?? e.seed,
      seed: e.seed,
      sample: e.sample,
      ...(opts.provider ? { provider: opts.provider } : {}),
    });
  }

  /** The environment's current state (canonical; in the trial phase, the sandbox's). */
  get state(): State {
    return this.#state;
  }

  /** The tools the agent sees. */
  get tools(): readonly ToolDef[] {
    const offered = this.#offered;
    return offered ? this.env.tools.filter((t) => offered.has(t.name)) : this.env.tools;
  }

  /**
   * For a task with `tools:`, the unknown-tool answer to a call that reaches one of the env's
   * tools the task does not offer (the agent was never shown it); null when the call may go on.
   */
  #notOffered(call: { name: string; arguments: string }): Observation | null {
    const offered = this.#offered;
    if (!offered || offered.has(call.name)) return null;
    const subset = this.task.tools!;
    const env = this.env;
    if (isVariant(env)) {
      const canonical = env.toCanonical({ tool: call.name, args: {} });
      // Not one of the env's tools under this variant (a deprecated name, a typo): the env answers.
      if (canonical === null && !env.base.tools.some((t) => t.name === call.name)) return null;
      if (canonical !== null && subset.includes(canonical.tool)) return null;
    }
    return unknownTool(call.name, offered);
  }

  /** What the runner tells the agent about the next turn. */
  get turn(): TurnInfo {
    return this.phase === "trial"
      ? { phase: "trial", callsLeft: this.protocol.trialBudget - this.#used }
      : { phase: "execute" };
  }

  #post(message: Message, user?: UserTurn) {
    this.messages.push(message);
    if (this.phase === "execute" && message.role !== "system") this.#heard.push(message);
    if (message.role !== "tool") {
      this.events.push({
        v: 1,
        type: "message",
        episode: this.id,
        phase: this.phase,
        message,
        ...(user ? { user } : {}),
      });
    }
  }

  /** The opening messages, per protocol. Call once, before the first step. */
  begin(): Message[] {
    const p = this.protocol;
    const opts = { policy: this.env.policy, conversation: this.#user !== null };
    const history = this.task.history ?? [];
    if (p.kind === "direct") {
      this.#post({ role: "system", content: prompts.direct(opts) });
      for (const m of history) this.#post({ role: m.role, content: m.content });
      this.#post({ role: "user", content: this.task.query });
    } else {
      this.phase = "trial";
      this.#post({ role: "system", content: prompts.trialSystem(p.trialBudget, opts) });
      for (const m of history) this.#post({ role: m.role, content: m.content });
      this.#post({ role: "user", content: prompts.trialUser(this.task) });
      if (p.trialBudget <= 0) this.#toExecute();
    }
    return [...this.messages];
  }

  /** End the trial phase: its sandbox state is thrown away; the real, untouched state is next. */
  #toExecute(): Message[] {
    this.phase = "execute";
    this.#retireLease();
    this.#state = taskInitialState(this.env.initialState, this.task);
    this.#turnsInPhase = 0;
    this.#lastFailed = false;
    this.events.push({ v: 1, type: "phase", episode: this.id, phase: "execute" });
    const notice: Message = { role: "user", content: prompts.executeUser(this.task) };
    this.#post(notice);
    return [notice];
  }

  /** Run one assistant turn. Never throws for bad calls: they are observations. */
  async step(turn: AssistantMessage): Promise<StepOutcome> {
    if (this.done) throw new Error(`episode ${this.id} is over`);
    const { usage, ...reply } = turn;
    if (usage) {
      this.metrics.tokens = (this.metrics.tokens ?? 0) + usage.completion_tokens;
      this.metrics.prompt_tokens = (this.metrics.prompt_tokens ?? 0) + usage.prompt_tokens;
      if (usage.cost_usd !== undefined) {
        // Rounded to a billionth of a dollar so that sums do not carry float noise into the log.
        this.metrics.cost_usd = Math.round(((this.metrics.cost_usd ?? 0) + usage.cost_usd) * 1e9) /
          1e9;
      }
    }
    const p = this.protocol;
    const name = this.phase;
    const budget = name === "trial" ? p.trialBudget : undefined;
    this.metrics.turns++;
    this.#turnsInPhase++;
    this.#post(reply);
    if (name === "execute" && reply.content) this.#said.push(reply.content);
    const calls = reply.tool_calls ?? [];
    const observations: StepOutcome["observations"] = [];
    if (calls.length === 0) {
      if (name === "trial") return this.#outcome(observations, this.#toExecute());
      this.answer = reply.content ?? "";
      if (this.#user) return this.#outcome(observations, await this.#userReplies(this.answer));
      this.done = true;
      return this.#outcome(observations, []);
    }
    let transferred = false;
    for (const tc of calls) {
      const call = { id: tc.id, name: tc.function.name, arguments: tc.function.arguments };
      const args = parseMaybe(call.arguments);
      const c0 = performance.now();
      // Over budget: answered, but not run and not counted.
      const runs = budget === undefined || this.#used < budget;
      let observation: Observation;
      let canonical: Call | null = null;
      if (runs) {
        this.#used += name === "trial" ? 1 : 0;
        // A call whose name could not be read (a model's malformed <tool_call> block) never reaches the env.
        const refused = call.name === "" ? null : this.#notOffered(call);
        const leaseFailed = call.name === "" || refused ? undefined : await this.#ensureLease();
        const r = call.name === ""
          ? unreadableCall(this.#state, call.arguments)
          : refused
          ? { state: this.#state, observation: refused, canonical: null }
          : leaseFailed
          ? { state: this.#state, observation: leaseFailed, canonical: null }
          : await (this.#lease ?? this.env).step(this.#state, call);
        this.#state = r.state;
        observation = r.observation;
        canonical = r.canonical !== undefined
          ? r.canonical
          : { tool: call.name, args: args as Record<string, unknown> };
        // What checks judge also keeps the agent's spelling of numbers (1 vs 1.0), for bfcl mode.
        const spelled = canonical && typeof call.arguments === "string"
          ? spelledArgs(canonical.args, call.arguments)
          : undefined;
        const judged = canonical && spelled ? { ...canonical, spelled } : canonical;
        if (name === "execute") this.#attempted.push(judged);
        if (canonical && name === "execute") {
          this.#executed.push(canonical);
          if (observation.ok) this.#succeeded.push(judged!);
          if (observation.ok && this.#user && canonical.tool === TRANSFER_TOOL) transferred = true;
        }
      } else {
        observation = {
          ok: false,
          error: { kind: "tool_error", message: prompts.budgetExhausted(budget!) },
        };
      }
      const invalid = !observation.ok && INVALID_KINDS.has(observation.error.kind);
      if (runs) {
        const m = this.metrics;
        if (name === "trial") {
          m.trial_calls++;
          if (invalid) m.trial_invalid_calls++;
        } else {
          m.calls++;
          if (invalid) m.invalid_calls++;
        }
        if (!observation.ok) m.failed_calls++;
        if (isBackendFailure(observation)) m.backend_failures++;
        if (this.#lastFailed && observation.ok) m.self_corrections++;
        this.#lastFailed = !observation.ok;
      }
      this.events.push({
        v: 1,
        type: "tool",
        episode: this.id,
        phase: name,
        call: { id: call.id, name: call.name, arguments: args },
        canonical,
        observation,
        invalid,
        ms: round(performance.now() - c0),
      });
      const msg = {
        role: "tool" as const,
        tool_call_id: tc.id,
        name: tc.function.name,
        content: observationText(observation),
      };
      this.messages.push(msg);
      if (name === "execute") this.#heard.push(msg);
      observations.push(msg);
    }
    if (transferred) {
      // Handed over to a person: the conversation is over, the agent's last word stands.
      this.answer ??= "";
      this.done = true;
      return this.#outcome(observations, []);
    }
    // Only the trial phase has a budget; once it is spent the phase ends.
    if (budget !== undefined && this.#used >= budget) {
      return this.#outcome(observations, this.#toExecute());
    }
    if (this.#turnsInPhase >= p.maxTurns) {
      if (name === "trial") return this.#outcome(observations, this.#toExecute());
      this.fail(
        this.answer === null
          ? `no final answer within ${p.maxTurns} turns`
          : `the conversation reached the turn limit (${p.maxTurns} turns)`,
      );
    }
    return this.#outcome(observations, []);
  }

  /**
   * The simulated user's answer to the agent's plain message `said` (logged as a user message
   * with where it came from, after its user tool calls); its stop message or token, the turn
   * limit or the user's own turn limit ends the episode, as does a user that fails.
   */
  async #userReplies(said: string): Promise<Message[]> {
    const limit = this.#player?.maxTurns;
    if (this.#turnsInPhase >= this.protocol.maxTurns) {
      this.fail(`the conversation reached the turn limit (${this.protocol.maxTurns} turns)`);
      return [];
    }
    if (limit !== undefined && (this.metrics.user_turns ?? 0) >= limit) {
      this.fail(`the conversation reached the user's turn limit (${limit} replies)`);
      return [];
    }
    let a: UserAnswer;
    try {
      a = await this.#user!.reply(said);
    } catch (err) {
      this.fail(`the user failed: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }
    for (const t of a.tools) {
      this.events.push({ v: 1, type: "user_tool", episode: this.id, phase: this.phase, ...t });
    }
    const message: Message = { role: "user", content: a.content };
    this.metrics.user_turns = (this.metrics.user_turns ?? 0) + 1;
    this.#post(message, a.turn);
    if (a.stop) this.done = true;
    return [message];
  }

  #outcome(observations: StepOutcome["observations"], notices: Message[]): StepOutcome {
    const t = this.turn;
    return { observations, notices, phase: t.phase, callsLeft: t.callsLeft, done: this.done };
  }

  /** End the episode abnormally (agent crash, turn limit, client gave up); it still gets checked. */
  fail(error: string): void {
    this.error ??= error;
    this.done = true;
  }

  /**
   * Open this phase's lease if the environment has external state and none is open: its state
   * becomes the phase's starting state. Returns the observation to give instead if it failed.
   */
  async #ensureLease(): Promise<Observation | undefined> {
    if (!this.env.open || this.#lease) return undefined;
    try {
      this.#lease = await this.env.open();
      this.#state = taskInitialState(this.#lease.initialState, this.task);
      return undefined;
    } catch (err) {
      return {
        ok: false,
        error: {
          kind: "unavailable",
          message: `the environment's servers did not start: ${(err as Error).message}`,
          details: { backend: "mcp", reason: "start" },
        },
      };
    }
  }

  #retireLease() {
    if (this.#lease) this.#closing.push(this.#lease.close().catch(() => {}));
    this.#lease = undefined;
  }

  /** Give back any external state this episode holds (finish() does it too); idempotent. */
  async close(): Promise<void> {
    this.#retireLease();
    await Promise.all(this.#closing.splice(0));
  }

  /** Check the outcome and close the log; idempotent. */
  async finish(): Promise<EpisodeRecord> {
    if (this.#record) return this.#record;
    this.done = true;
    // An execution phase that made no call still has a real starting state to check.
    if (this.phase === "execute" && !this.#lease) await this.#ensureLease();
    const finalState = this.#state;
    await this.close();
    this.metrics.ast_match = astMatch(this.task.gold, this.#executed);
    const head = this.events[0] as Extract<EpisodeEvent, { type: "episode" }>;
    const verdict = await checkTask(this.task, this.answer, finalState, {
      judge: { grader: this.#grader, transcript: this.#heard, seed: head.seed },
      calls: this.#succeeded,
      messages: this.#said,
      ...(this.task.check.db
        ? { expected: await goldState(isVariant(this.env) ? this.env.base : this.env, this.task) }
        : {}),
      attempted: this.#attempted,
      ...(this.#userSide
        ? {
          userState: this.#user?.state ??
            taskInitialState(this.#userSide.initialState, { state: this.task.user?.state }),
        }
        : {}),
    });
    if (this.answer === null) {
      this.error ??= "no final answer";
      verdict.checks.unshift({ name: "answered", passed: false, detail: this.error });
      verdict.passed = false;
    }
    const ms = round(performance.now() - this.#t0);
    this.events.push({
      v: 1,
      type: "result",
      episode: this.id,
      success: verdict.passed,
      answer: this.answer,
      checks: verdict.checks,
      metrics: this.metrics,
      error: this.error,
      ms,
    });
    this.#record = {
      id: this.id,
      env: this.env.name,
      task: this.task.id,
      variant: this.variant.name,
      split: this.split,
      tags: this.task.tags,
      agent: head.agent,
      protocol: this.protocol.name,
      seed: head.seed,
      sample: head.sample,
      success: verdict.passed,
      answer: this.answer,
      metrics: this.metrics,
      error: this.error,
      ms,
      events: this.events,
    };
    return this.#record;
  }
}

/**
 * Run one episode of `task` in `env` with `agent` under `protocol`.
 * Never throws for agent or tool failures: they end up in the record.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadEnv } from "../spec/mod.ts";
 * import { declarativeEnv } from "../tools/mod.ts";
 * import { runEpisode } from "./episode.ts";
 * import { scriptedAgent } from "./agents/mod.ts";
 * const spec = await loadEnv("envs/library");
 * const rec = await runEpisode(declarativeEnv(spec), spec.tasks[0], {
 *   agent: scriptedAgent({ name: "oracle", kind: "scripted", scripted: "oracle", options: {} }),
 *   protocol: { name: "direct", kind: "direct", trialBudget: 0, maxTurns: 12 },
 *   episode: { id: "e1", seed: 1, sample: 0 },
 * });
 * assert.ok(rec.success);
 * ```
 */
export async function runEpisode(
  env: Env | VariantEnv,
  task: TaskSpec,
  opts: {
    agent: Agent;
    protocol: ProtocolSpec;
    episode: EpisodeOptions;
    user?: UserPlayer;
    grader?: Grader;
  },
): Promise<EpisodeRecord> {
  const { agent, protocol, episode } = opts;
  const s = new EpisodeSession(env, task, {
    agent: agent.name,
    protocol,
    episode,
    provider: agent.info?.provider,
    ...(opts.user ? { user: opts.user } : {}),
    grader: opts.grader,
  });
  try {
    const session = agent.start({
      task,
      protocol,
      seed: episode.seed,
      rng: createRng(episode.seed),
      variant: s.variant,
    });
    s.begin();
    while (!s.done) {
      const reply = await session.act(s.messages, s.tools, s.turn);
      await s.step(reply);
    }
  } catch (err) {
    s.fail(`agent failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  return await s.finish();
}
