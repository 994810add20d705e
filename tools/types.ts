import type { Call, JsonSchema, State } from "../spec/types.ts";

/** A tool as the agent sees it (OpenAI function shape). */
export interface ToolDef {
  name: string;
  description: string;
  parameters: JsonSchema;
}

/** A call made by an agent. `arguments` is JSON text (as models emit it) or an already-parsed object. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string | Record<string, unknown>;
}

/**
 * Why a call failed. `unknown_tool`, `invalid_json`, `invalid_arguments` and `deprecated` make it an
 * invalid call (the agent did not use the interface it was shown); `tool_error` is the tool refusing
 * a valid call, `tool_crash` a fault in the tool's own code, `unavailable` a transient fault
 * (timeout, rate limit) after which the same call may succeed.
 */
export type ErrorKind =
  | "unknown_tool"
  | "invalid_json"
  | "invalid_arguments"
  | "deprecated"
  | "tool_error"
  | "tool_crash"
  | "unavailable";

/** What the agent gets back: plain JSON. */
export type Observation =
  | { ok: true; result: unknown }
  | { ok: false; error: { kind: ErrorKind; message: string; details?: unknown } };

export interface StepResult {
  observation: Observation;
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
  readonly name: string;
  readonly tools: readonly ToolDef[];
  readonly initialState: State;
  step(state: State, call: ToolCall): Promise<StepResult>;
  open?(): Promise<EnvLease>;
}
