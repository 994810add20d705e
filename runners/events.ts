import type { Call, EpisodeSplit } from "../spec/types.ts";
import type { CheckOutcome } from "../tasks/mod.ts";
import type { AppliedOp, ToolView } from "../variants/types.ts";
import type { Observation } from "../tools/types.ts";
import type { Phase } from "./agent.ts";
import type { Message } from "../core/messages.ts";
import type { UserTurn } from "./scripted_user.ts";

/** Version of the episode event log (runners/schema/episode.v1.json). */
export const EPISODE_LOG_VERSION = 1;

/** Per-episode counts. Timing lives in `ms` fields, which are the only non-deterministic values. */
export interface EpisodeMetrics {
  /** Tool calls in the execution phase. */
  calls: number;
  /** Tool calls in the trial phase. */
  trial_calls: number;
  /** Execution-phase calls to unknown tools, with unparsable JSON, or violating the schema. */
  invalid_calls: number;
  /** Trial-phase calls that were invalid in the same sense. */
  trial_invalid_calls: number;
  /** Calls (either phase) that came back with an error of any kind: what self-corrections follow. */
  failed_calls: number;
  /**
   * Calls (either phase) that failed inside a handler, MCP or HTTP backend — a timeout, a crashed
   * sandbox or server, an unreachable API, a missing cassette entry — rather than in the tool's logic.
   */
  backend_failures: number;
  /** Failed calls whose next call in the same phase succeeded. */
  self_corrections: number;
  /** Assistant turns across phases. */
  turns: number;
  /**
   * The simulated user's replies after its first message (its stop message included): present,
   * from 0, only in a conversation (a task with `user:`).
   */
  user_turns?: number;
  /**
   * The gold calls appear, in order, among the execution-phase calls once mapped back to canonical
   * names (other calls in between allowed).
   */
  ast_match: boolean;
  /** Tokens a model agent generated (absent for scripted agents). */
  tokens?: number;
  /** Prompt tokens a model agent computed, cache hits excluded (absent for scripted agents). */
  prompt_tokens?: number;
  /** USD an endpoint agent's turns cost, where the suite gives its `price` (absent otherwise). */
  cost_usd?: number;
}

/** One line of the episode log: an episode's start, a message, a tool call, a phase change, or its result. */
export type EpisodeEvent =
  | {
    v: 1;
    type: "episode";
    episode: string;
    /** Position in the run's plan (the full grid, before sharding): logs merge in this order. */
    index: number;
    env: string;
    task: string;
    variant: string;
    split: EpisodeSplit;
    agent: string;
    protocol: string;
    /** The run seed this episode belongs to (a suite's `seeds` entry). */
    run_seed: number;
    /** This episode's own generator seed, derived from the run seed and its identity. */
    seed: number;
    sample: number;
    /** The execution provider a model agent ran on (absent for scripted agents). */
    provider?: string;
  }
  | {
    v: 1;
    type: "message";
    episode: string;
    phase: Phase;
    message: Message;
    /** On a simulated user's reply (a task with `user:`): where the reply came from. */
    user?: UserTurn;
  }
  | {
    v: 1;
    type: "tool";
    episode: string;
    phase: Phase;
    call: { id: string; name: string; arguments: unknown };
    /** The call in the environment's own names, as it reached it; null if it never did. */
    canonical: Call | null;
    observation: Observation;
    invalid: boolean;
    ms: number;
  }
  | {
    v: 1;
    type: "user_tool";
    episode: string;
    phase: Phase;
    /** Who made it: the scripted user's `calls:`, or the model playing the user. */
    source: "calls" | "model";
    call: { id: string; name: string; arguments: unknown };
    /** What the user's side (`user_tools:` over `user_state:`) answered. */
    observation: Observation;
    ms: number;
  }
  | { v: 1; type: "phase"; episode: string; phase: Phase }
  | {
    v: 1;
    type: "result";
    episode: string;
    success: boolean;
    answer: string | null;
    checks: CheckOutcome[];
    metrics: EpisodeMetrics;
    /** Set when the episode ended abnormally (agent crash, turn limit); the run goes on. */
    error: string | null;
    ms: number;
    /** Written by the log (runners/log.ts `chunkDigest`): chains every episode to the ones before. */
    digest?: string;
  };

/**
 * How a variant changed one environment's interface: written once per (env, variant, seed) to the
 * episode log, before the first episode that uses it.
 */
export interface VariantEvent {
  /** Log format version. */
  v: 1;
  /** Record discriminant. */
  type: "variant";
  /** Environment name. */
  env: string;
  /** Variant name. */
  variant: string;
  /** Seed the operators drew from. */
  seed: number;
  /** Operators as applied, with what they changed. */
  ops: AppliedOp[];
  /** The tools as the agent saw them next to the canonical ones. */
  tools: ToolView[];
}

/**
 * The first line of every episode log: which run this is, and enough provenance to rebuild its
 * report from the log alone (resumed runs and merged shards included).
 */
export interface RunHeader {
  /** Log format version. */
  v: 1;
  /** Record discriminant. */
  type: "run";
  /** Id of the run (hash of what determines its outcome). */
  run_id: string;
  /** This log's slice of the plan, or null for the whole of it. */
  shard: { index: number; count: number } | null;
  /** Episodes this log will hold when complete. */
  planned: number;
  /** Provenance as of the start (finished_at is filled in when the report is built). */
  provenance: Record<string, unknown>;
}

/** One finished episode: its identity, events and outcome. */
export interface EpisodeRecord {
  /** Episode id (unique in the run). */
  id: string;
  /** Environment name. */
  env: string;
  /** Task id. */
  task: string;
  /** Variant name. */
  variant: string;
  /** The episode's split. */
  split: EpisodeSplit;
  /** The task's tags. */
  tags: string[];
  /** Agent name. */
  agent: string;
  /** Protocol name. */
  protocol: string;
  /** The episode's generator seed. */
  seed: number;
  /** Sample index for this task and seed. */
  sample: number;
  /** Whether the task's check passed. */
  success: boolean;
  /** The agent's final answer; null if it gave none. */
  answer: string | null;
  /** Per-episode counts. */
  metrics: EpisodeMetrics;
  /** Why the episode ended abnormally; null when it did not. */
  error: string | null;
  /** Wall time in milliseconds. */
  ms: number;
  /** Everything that happened, in order. */
  events: EpisodeEvent[];
}
