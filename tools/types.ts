import type { Call, JsonSchema, State } from "../spec/types.ts";

/** A tool as the agent sees it (OpenAI function shape). */
export interface ToolDef {
  /** Name the agent calls it by. */
  name: string;
  /** What the tool does, as offered to the agent. */
  description: string;
  /** JSON Schema of the arguments. */
  parameters: JsonSchema;
}

/** A call made by an agent. `arguments` is JSON text (as models emit it) or an already-parsed object. */
export interface ToolCall {
  /** Call id, echoed in the answering tool message. */
  id: string;
  /** Name of the tool called. */
  name: string;
  /** The arguments: JSON text or an object. */
  arguments: string | Record<string, unknown>;
}

/**
 * Why a call failed. `unknown_tool`, `invalid_json`, `invalid_arguments` and `deprecated` make it an
 * invalid call (the agent did not use the interface it was shown); `tool_error` is the tool refusing
 * a valid call, `tool_crash` a fault in the tool's own code, `unavailable` a transient fault
 * (timeout, rate limit) after which the same call may succeed.
 */
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Every kind of failed call, in the order the episode log's schema lists them. */
export const ERROR_KINDS = [
  "unknown_tool",
  "invalid_json",
  "invalid_arguments",
  "deprecated",
  "tool_error",
  "tool_crash",
  "unavailable",
] as const;

/** What the agent gets back: plain JSON. */
export type Observation =
  | { ok: true; result: unknown }
  | { ok: false; error: { kind: ErrorKind; message: string; details?: unknown } };

/** What one step gives back: the agent's observation and the state after the call. */
export interface StepResult {
  /** What the agent reads back. */
  observation: Observation;
  /** The environment's state after the call (unchanged when it failed). */
  state: State;
  /**
   * The call as the underlying environment received it, in canonical names, when a variant wrapper
   * mapped it; null when the call never reached it (unknown tool, deprecated name, fault, distractor).
   * Absent from an unwrapped environment, where the call is its own canonical form.
   */
  canonical?: Call | null;
}

/** Kinds of error that count as the agent's invalid call (not the tool refusing a valid one). */
export const INVALID_KINDS: ReadonlySet<ErrorKind> = new Set([
  "unknown_tool",
  "invalid_json",
  "invalid_arguments",
  "deprecated",
]);

/**
 * One phase's own copy of an environment's external state (an MCP server's data and folder):
 * each phase of each episode opens one, steps through it, and closes it when the phase ends.
 */
export interface EnvLease {
  /** The state to start from: the declared tables plus the servers' snapshot tables. */
  readonly initialState: State;
  /** Run one call against the lease's external state. */
  step(state: State, call: ToolCall): Promise<StepResult>;
  /** Give the external state back (it is reset before anyone else gets it). */
  close(): Promise<void>;
}

/**
 * A tool environment: tools, an initial state, and a pure step function.
 * Variants are Env → Env wrappers; the trial phase steps from the same initial state and throws
 * the result away. An environment with external state (MCP servers) also has `open`: episodes
 * step through a lease per phase, and `step` answers its server tools as unavailable.
 */
export interface Env {
  /** The environment's name. */
  readonly name: string;
  /** The tools offered to the agent, in order. */
  readonly tools: readonly ToolDef[];
  /** The state every episode starts from. */
  readonly initialState: State;
  /**
   * Rules the agent must follow, for its system prompt (the spec's `policy:`; a variant names
   * its tools as it shows them). Absent: no policy.
   */
  readonly policy?: string;
  /**
   * The simulated user's side (`user_state:` and `user_tools:`), when the environment declares
   * it: its tools run on the user's state, which the agent never sees.
   */
  readonly user?: Env;
  /** Run one call: a pure function of the state and the call (environments without `open`). */
  step(state: State, call: ToolCall): Promise<StepResult>;
  /** Take a fresh copy of the external state for one phase (environments with servers). */
  open?(): Promise<EnvLease>;
}
