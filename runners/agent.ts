import type { Call, ProtocolSpec, TaskSpec } from "../spec/types.ts";
import type { ToolDef } from "../tools/types.ts";
import type { AssistantMessage, Message } from "../core/messages.ts";
import type { Rng } from "./rng.ts";
import type { ModelInfo } from "../core/model_info.ts";

/** Which phase a turn belongs to: `trial` runs on a scratch copy of state; `execute` on the real one. */
export type Phase = "trial" | "execute";

/** What the runner tells an agent about the current turn. Model agents read the same from the messages. */
export interface TurnInfo {
  /** The phase the turn belongs to. */
  phase: Phase;
  /** Trial calls still allowed in this phase (trial phase only). */
  callsLeft?: number;
}

/** Everything an agent may know about one episode before it starts. */
export interface EpisodeContext {
  /** The task (scripted agents read its gold calls; model agents only see the query). */
  task: TaskSpec;
  /** The protocol the episode follows. */
  protocol: ProtocolSpec;
  /** The episode's generator seed. */
  seed: number;
  /** The episode's generator: an agent's only source of randomness. */
  rng: Rng;
  /**
   * The variant the episode runs under. `toVisible` is privileged knowledge of its mapping: only
   * the `oracle` reads it; every other agent must learn the interface from what it is shown.
   */
  variant: { name: string; toVisible(call: Call): Call };
}

/** One episode's conversation with an agent. */
export interface AgentSession {
  /** Take the next assistant turn given the conversation and the tools as shown. */
  act(
    messages: readonly Message[],
    tools: readonly ToolDef[],
    turn: TurnInfo,
  ): Promise<AssistantMessage>;
}

/** What a model agent runs on; recorded with every episode it plays (core/model_info.ts). */
export type AgentInfo = ModelInfo;

/** An agent: starts one session per episode. */
export interface Agent {
  /** Agent name in runs and reports. */
  readonly name: string;
  /** Set by model agents; scripted agents have none. */
  readonly info?: AgentInfo;
  /** Open a session for one episode. */
  start(ctx: EpisodeContext): AgentSession;
  /**
   * Most episodes of this agent in flight at once, whatever the run's `concurrency` (endpoint
   * agents: a server batches many requests); absent: the run's limit, shared with other agents.
   */
  readonly concurrency?: number;
  /** Release what the agent holds (sessions, processes) once a run is over. */
  close?(): Promise<void>;
}

/**
 * An agent that cannot start as the suite describes it (an unreachable endpoint, a missing API-key
 * variable): bad input, reported before any episode runs (exit 2).
 */
export class AgentSetupError extends Error {}
