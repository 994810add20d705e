// What an episode's step does with a call that is not one (unreadable), and small helpers.
import type { EpisodeSplit, State } from "../spec/types.ts";
import type { Message } from "../core/messages.ts";
import type { Phase } from "./agent.ts";
import { fail } from "../tools/declarative.ts";
import type { Observation } from "../tools/types.ts";

/** The answer to a tool call whose name could not be read (a model's malformed block). */
export function unreadableCall(state: State, raw: string | Record<string, unknown>) {
  const text = typeof raw === "string" ? raw : JSON.stringify(raw);
  const shown = text.length > 200 ? text.slice(0, 200) + "…" : text;
  return {
    state,
    canonical: null,
    observation: fail(
      "invalid_json",
      `could not read this tool call: ${shown}. Write {"name": "<tool>", "arguments": {…}} as JSON.`,
    ),
  };
}

/** A failure of the machinery behind a tool (reported with `details.backend`), not of its logic. */
export function isBackendFailure(o: Observation): boolean {
  if (o.ok || (o.error.kind !== "tool_crash" && o.error.kind !== "unavailable")) return false;
  const d = o.error.details as { backend?: unknown } | undefined;
  return typeof d?.backend === "string";
}

/** JSON text parsed, or the text itself when it is not JSON. */
export function parseMaybe(raw: string | Record<string, unknown>): unknown {
  if (typeof raw !== "string") return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Milliseconds to the microsecond. */
export function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Identity and seeds of one episode, as `runEpisode` and `EpisodeSession` take them. */
export interface EpisodeOptions {
  /** Episode id (unique in the run). */
  id: string;
  /** The episode's generator seed. */
  seed: number;
  /** Sample index for this task and seed. */
  sample: number;
  /** Where the task stands relative to training (default: from the task's own split). */
  split?: EpisodeSplit;
  /** Position in the run's plan (default 0). */
  index?: number;
  /** The run seed (default: the episode seed). */
  runSeed?: number;
}

/**
 * What the agent reads back from a tool call: the result as JSON (a result that is already text,
 * e.g. CSV from an output_format variant, as is), or `{"error": kind, "message": …}`.
 */
export function observationText(o: Observation): string {
  if (o.ok) return typeof o.result === "string" ? o.result : JSON.stringify(o.result);
  return JSON.stringify({ error: o.error.kind, message: o.error.message });
}

/** The tool whose successful call ends a conversation (a task with `user:`), when the env has one. */
export const TRANSFER_TOOL = "transfer_to_human";

/** What the environment answers to one assistant turn. */
export interface StepOutcome {
  /** The tool messages answering the turn's calls (empty for a plain message). */
  observations: Extract<Message, { role: "tool" }>[];
  /** Messages the protocol adds before the next turn (the execution-phase announcement). */
  notices: Message[];
  /** The phase of the next turn (or the last one, when done). */
  phase: Phase;
  /** Trial calls still allowed (trial phase only). */
  callsLeft?: number;
  /** Whether the episode has ended (call `finish()`). */
  done: boolean;
}
