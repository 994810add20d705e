/**
 * Who answers the agent in a conversation (a task with `user:`): the scripted user, or a model
 * agent playing the user from the task's instructions, persona and known facts — both over the
 * user's side of the environment (`user_state:` and `user_tools:`), whose calls are logged.
 * @module
 */
import { taskInitialState } from "../spec/mod.ts";
import type { Call, ProtocolSpec, State, SuiteSpec, TaskSpec } from "../spec/types.ts";
import { fail } from "../tools/declarative.ts";
import type { Env, Observation, ToolDef } from "../tools/types.ts";
import type { AssistantMessage, Message } from "../core/messages.ts";
import { createRng, deriveSeed } from "../core/mod.ts";
import type { Agent, AgentSession } from "./agent.ts";
import { parseMaybe, round } from "./_episode_step.ts";
import { ScriptedUser, type UserTurn, wordsOf } from "./scripted_user.ts";

/** The stop tokens of tau2-bench's user simulator: any of them in a model user's reply ends the conversation. */
export const USER_STOP_TOKENS = ["###STOP###", "###TRANSFER###", "###OUT-OF-SCOPE###"] as const;

/** What opens the conversation on the user's side, before its first message (the task's query). */
export const USER_OPENER = "Hi! How can I help you today?";

/** Most user tool calls a model user may make in a row before it must say something. */
export const MAX_USER_TOOL_STEPS = 8;

/** A model agent playing the user, as a suite's `user:` configures it. */
export interface UserPlayer {
  /** The agent, open. */
  agent: Agent;
  /** Most user replies per episode; absent: only the protocol's turn limit. */
  maxTurns?: number;
}

/**
 * The player of a suite's `user:` over its open agent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { userPlayer } from "./user_sim.ts";
 * import { loadSuite } from "../spec/mod.ts";
 * import { openAgent } from "./agents/mod.ts";
 * const suite = await loadSuite("examples/phone/suite-model-user.yaml");
 * const agent = await openAgent(suite.user!.agent); // an endpoint agent: nothing is sent yet
 * assert.ok(userPlayer(suite, agent).maxTurns === 6 && agent.name === "user");
 * ```
 */
export function userPlayer(suite: Pick<SuiteSpec, "user">, agent: Agent): UserPlayer {
  const max = suite.user?.maxTurns;
  return { agent, ...(max !== undefined ? { maxTurns: max } : {}) };
}

/**
 * The suite's `user:` when some task of the suite talks with a user (has `user:`): the agent to
 * open; undefined when no episode would need it.
 */
export function userToOpen(suite: Pick<SuiteSpec, "user" | "envs">): SuiteSpec["user"] {
  return suite.envs.some((e) => e.tasks.some((t) => t.user)) ? suite.user : undefined;
}

/** One user tool call, as the episode log records it (a `user_tool` event). */
export interface UserToolCall {
  /** Who made it: the scripted user's `calls:`, or the model playing the user. */
  source: "calls" | "model";
  /** The call as made. */
  call: { id: string; name: string; arguments: unknown };
  /** What the user's side answered. */
  observation: Observation;
  /** How long it took. */
  ms: number;
}

/** One answer of the simulated user to the agent's plain message. */
export interface UserAnswer {
  /** What the user says. */
  content: string;
  /** Where the reply came from (the log's `user` field). */
  turn: UserTurn;
  /** The user tool calls it made first, in order. */
  tools: UserToolCall[];
  /** Whether the reply ends the conversation (a stop message or token). */
  stop: boolean;
}

/** A simulated user: answers the agent, and holds the user's state. */
export interface UserSimulator {
  /** The user's answer to the agent's plain message `said`. */
  reply(said: string): Promise<UserAnswer>;
  /** The user's state now (its initial one until a user tool changes it). */
  readonly state: State;
}

/**
 * The simulated user of an episode of `task`: the scripted user, or `player`'s agent when the
 * suite gives one. `side` is the environment's user side (`Env.user`), if any.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TaskSpec } from "../spec/types.ts";
 * import { openUser } from "./user_sim.ts";
 * const task: TaskSpec = {
 *   id: "t", env: "e", query: "Cancel my order.", split: "seen", tags: [], gold: [], answer: "", check: {},
 *   user: { known_info: { order_id: "7" }, turns: [], stop: "###STOP###" },
 * };
 * const protocol = { name: "direct", kind: "direct", trialBudget: 0, maxTurns: 12 } as const;
 * const user = openUser(task, { seed: 1, protocol });
 * assert.ok((await user.reply("What is the order id?")).content === "7");
 * ```
 */
export function openUser(
  task: TaskSpec,
  opts: { side?: Env; player?: UserPlayer; seed: number; protocol: ProtocolSpec },
): UserSimulator {
  const side = opts.side;
  const state = taskInitialState(side?.initialState ?? {}, { state: task.user!.state });
  return opts.player
    ? new ModelUser(task, { ...opts, player: opts.player, state })
    : new ScriptedSimulator(task, { side, state });
}

/**
 * The user's state after the scripted user's `calls:` on the task's initial user state: what a
 * `user_state` check sees when the oracle plays the task (validate's replay).
 */
export async function scriptedUserState(side: Env, task: TaskSpec): Promise<State> {
  let state = taskInitialState(side.initialState, { state: task.user?.state });
  for (const [i, c] of (task.user?.calls ?? []).entries()) {
    state = (await side.step(state, { id: `user_${i}`, name: c.tool, arguments: c.args })).state;
  }
  return state;
}

/** The scripted user (scripted_user.ts), making the task's `user: calls:` when it first answers. */
class ScriptedSimulator implements UserSimulator {
  readonly #user: ScriptedUser;
  #calls: readonly Call[];
  #side?: Env;
  state: State;

  constructor(task: TaskSpec, opts: { side?: Env; state: State }) {
    this.#user = new ScriptedUser(task.user!);
    this.#calls = task.user!.calls ?? [];
    this.#side = opts.side;
    this.state = opts.state;
  }

  async reply(said: string): Promise<UserAnswer> {
    const tools: UserToolCall[] = [];
    for (const [i, c] of this.#calls.entries()) {
      const r = await runUserTool(this.#side, this.state, {
        id: `user_${i}`,
        name: c.tool,
        arguments: c.args,
      });
      this.state = r.state;
      tools.push({ source: "calls", ...r.logged });
    }
    this.#calls = [];
    const { content, ...turn } = this.#user.reply(said);
    return { content, turn, tools, stop: turn.source === "stop" };
  }
}

/**
 * The system prompt of a model playing the user: who it is, what it wants, what it knows, and
 * how it ends the conversation (tau2's stop tokens).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { userSystemPrompt } from "./user_sim.ts";
 * const p = userSystemPrompt({ instructions: "Cancel order 7.", known_info: { order_id: "7" }, turns: [], stop: "###STOP###" }, { tools: false });
 * assert.ok(p.includes("- order id: 7") && p.includes("###STOP###"));
 * ```
 */
export function userSystemPrompt(
  user: NonNullable<TaskSpec["user"]>,
  o: { tools: boolean },
): string {
  const facts = Object.entries(user.known_info);
  const stop = user.stop;
  return [
    "You are playing the role of a user (a customer) who talks with an assistant that serves users. " +
    "Stay in that role: you are the user, not the assistant. Write one short message at a time, " +
    "as this user would, and never make up facts you were not given.",
    ...(user.instructions ? [`## Your instructions\n${user.instructions}`] : []),
    ...(user.persona ? [`## Who you are\n${user.persona}`] : []),
    ...(facts.length
      ? [
        "## What you know\nTell each fact only when the assistant asks for it.\n" +
        facts.map(([k, v]) => `- ${wordsOf(k).join(" ")}: ${v}`).join("\n"),
      ]
      : []),
    ...(o.tools
      ? [
        "## Your tools\nThe tools you are offered act on your own side (your device, your account). " +
        "Use them when the assistant asks you to do something they can do, then tell the assistant what happened.",
      ]
      : []),
    "## Ending the conversation\n" +
    `- When your request is done, or there is nothing more you need, reply with ${stop} alone.\n` +
    `- If the assistant transfers you to a human agent, reply with ${USER_STOP_TOKENS[1]}.\n` +
    `- If what you need is outside what the assistant can help with, reply with ${
      USER_STOP_TOKENS[2]
    }.`,
  ].join("\n\n");
}

/**
 * A model agent playing the user. It sees the conversation from the user's side: the prompt of
 * {@linkcode userSystemPrompt}, its own messages (the task's query first) as the assistant's and
 * the agent's plain messages as the user's; the agent's tool calls are not shown. It may call the
 * user tools; a reply holding a stop token ends the conversation.
 */
class ModelUser implements UserSimulator {
  readonly #session: AgentSession;
  readonly #messages: Message[];
  readonly #side?: Env;
  readonly #stops: string[];
  #seq = 0;
  state: State;

  constructor(
    task: TaskSpec,
    opts: { side?: Env; player: UserPlayer; seed: number; protocol: ProtocolSpec; state: State },
  ) {
    const user = task.user!;
    this.#side = opts.side;
    this.state = opts.state;
    this.#stops = [...new Set([...USER_STOP_TOKENS, user.stop])];
    const seed = deriveSeed(opts.seed, "user");
    this.#session = opts.player.agent.start({
      task,
      protocol: opts.protocol,
      seed,
      rng: createRng(seed),
      variant: { name: "clean", toVisible: (c) => c },
    });
    const flipped = (task.history ?? []).map((m): Message =>
      m.role === "user"
        ? { role: "assistant", content: m.content }
        : { role: "user", content: m.content }
    );
    this.#messages = [
      { role: "system", content: userSystemPrompt(user, { tools: this.#tools.length > 0 }) },
      // The assistant's greeting opens the user's side, as in tau2-bench: some APIs (Anthropic's)
      // refuse a conversation whose first message is the assistant's.
      ...(flipped[0]?.role === "user" ? [] : [{ role: "user" as const, content: USER_OPENER }]),
      ...flipped,
      { role: "assistant", content: task.query },
    ];
  }

  get #tools(): readonly ToolDef[] {
    return this.#side?.tools ?? [];
  }

  async reply(said: string): Promise<UserAnswer> {
    this.#messages.push({ role: "user", content: said });
    const tools: UserToolCall[] = [];
    for (let step = 0;; step++) {
      const { usage: _, ...turn } = await this.#session.act(this.#messages, this.#tools, {
        phase: "execute",
      });
      const calls = turn.tool_calls ?? [];
      this.#messages.push(turn);
      if (calls.length === 0) return this.#said(turn, tools);
      if (step >= MAX_USER_TOOL_STEPS) {
        throw new Error(`it made tool calls ${MAX_USER_TOOL_STEPS + 1} times without a reply`);
      }
      for (const tc of calls) {
        const r = await runUserTool(this.#side, this.state, {
          id: tc.id || `user_${this.#seq}`,
          name: tc.function.name,
          arguments: tc.function.arguments,
        });
        this.#seq++;
        this.state = r.state;
        tools.push({ source: "model", ...r.logged });
        this.#messages.push({
          role: "tool",
          tool_call_id: tc.id,
          name: tc.function.name,
          content: r.text,
        });
      }
    }
  }

  #said(turn: AssistantMessage, tools: UserToolCall[]): UserAnswer {
    const content = turn.content ?? "";
    const stop = this.#stops.find((s) => content.includes(s));
    return {
      content,
      turn: { source: "model", ...(stop ? { stop } : {}) },
      tools,
      stop: stop !== undefined,
    };
  }
}

/** One user tool call on the user's side (an env without one answers that the user has no tools). */
async function runUserTool(
  side: Env | undefined,
  state: State,
  call: { id: string; name: string; arguments: string | Record<string, unknown> },
): Promise<{ state: State; logged: Omit<UserToolCall, "source">; text: string }> {
  const t0 = performance.now();
  const r = side ? await side.step(state, call) : {
    state,
    observation: fail("unknown_tool", `the user has no tools here, so there is no "${call.name}"`),
  };
  const observation = r.observation;
  const text = observation.ok
    ? (typeof observation.result === "string"
      ? observation.result
      : JSON.stringify(observation.result))
    : JSON.stringify({ error: observation.error.kind, message: observation.error.message });
  const args = parseMaybe(call.arguments);
  return {
    state: r.state,
    logged: {
      call: { id: call.id, name: call.name, arguments: args },
      observation,
      ms: round(performance.now() - t0),
    },
    text,
  };
}
