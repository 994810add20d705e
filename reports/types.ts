/**
 * The report's data: what `report.json` holds (reports/schema/report.v1.json). Renderers (Markdown,
 * HTML, JUnit) read only these types.
 */
import type { AppliedOp, ToolView } from "../variants/types.ts";

/** Where a run came from: enough to rerun it and to trust it. */
export interface Provenance {
  tooltrial_version: string;
  git_commit: string | null;
  git_dirty: boolean | null;
  deno: string;
  v8: string;
  typescript: string;
  /** onnxruntime-node version when a model agent ran; null otherwise. */
  onnxruntime: string | null;
  os: string;
  arch: string;
  machine: { cpus: number; memory_gb: number };
  started_at: string;
  finished_at: string;
  command: string[];
  suite: { name: string; file: string; sha256: string };
  specs: { path: string; sha256: string }[];
  /** Each agent: `scripted` names a reference agent, `onnx` a model folder and how it decoded. */
  agents: {
    name: string;
    scripted?: string;
    onnx?: Record<string, unknown> & { path: string; model_hash: string };
    openai?: Record<string, unknown> & { base_url: string; model: string };
    anthropic?: Record<string, unknown> & { base_url: string; model: string };
    options: Record<string, unknown>;
    only?: { variants?: string[]; protocols?: string[]; tasks_per_env?: number };
  }[];
  protocols: { name: string; kind: string; trial_budget: number; max_turns: number }[];
  /** What the command selected from the suite (null: everything). */
  selection: {
    agents: string[] | null;
    protocols: string[] | null;
    variants: string[] | null;
    splits: string[] | null;
  };
  /** Execution providers model agents actually ran on, per agent (empty for scripted agents). */
  execution_providers: Record<string, string>;
  seeds: number[];
  samples: number;
  concurrency: number;
  /** The shards merged into this report (`i/n`), or null for a single run. */
  shards: string[] | null;
}

/** Keys episodes can be grouped by. */
export type GroupKey = "agent" | "protocol" | "variant" | "env" | "split";

/** Aggregate over a group of episodes. */
export interface SummaryRow {
  agent?: string;
  protocol?: string;
  variant?: string;
  env?: string;
  split?: string;
  episodes: number;
  /** Distinct tasks (the bootstrap resamples these). */
  tasks: number;
  successes: number;
  success_rate: number;
  /** Bootstrap 95% interval for the success rate, resampling tasks (seeded). */
  ci95: [number, number];
  /** Wilson score 95% interval, for comparison with papers that use it. */
  wilson95: [number, number];
  /** Unbiased pass@k over each task's samples, k = 1 … samples. Keys are k. */
  pass_at_k: Record<string, number>;
  /** pass^k = E[C(c,k)/C(n,k)]: all of k samples succeed. Keys are k. */
  pass_hat_k: Record<string, number>;
  mean_calls: number;
  mean_trial_calls: number;
  /** Invalid execution-phase calls / execution-phase calls (0 when no calls). */
  invalid_call_rate: number;
  mean_self_corrections: number;
  /** Self-corrections / failed calls, both phases (0 when none failed). */
  self_correction_rate: number;
  /** Share of episodes whose gold calls all appear, mapped back to canonical names. */
  ast_match_rate: number;
  /** Mean tokens per episode; null when the agents report none (scripted agents). */
  mean_tokens: number | null;
  /** Mean USD per episode, where endpoint agents have prices (`price:`); absent otherwise. */
  mean_cost_usd?: number;
  /** Mean wall time per episode in milliseconds (the one non-deterministic figure). */
  mean_ms: number;
  /** Episodes that ended abnormally (no answer, agent crash). */
  errors: number;
  /**
   * Calls that failed in a handler, MCP or HTTP backend (timeout, crash, server died, missing
   * cassette entry) rather than in the tool's logic. Absent from reports made before backends.
   */
  backend_failures?: number;
}

/** A variant's effect on one agent × protocol: clean vs varied success over the same episodes. */
export interface RobustnessRow {
  agent: string;
  protocol: string;
  variant: string;
  /** Pairs: the same (env, task, seed, sample) run clean and under the variant. */
  pairs: number;
  clean_rate: number;
  variant_rate: number;
  /** clean_rate − variant_rate over the pairs: what the variant costs. */
  drop: number;
  /** Bootstrap 95% interval of the drop, resampling tasks; null without pairs. */
  ci95: [number, number] | null;
}

/** Generalization gap: seen − unseen success for one agent × protocol × variant. */
export interface GapRow {
  agent: string;
  protocol: string;
  variant: string;
  /** The unseen split compared with `seen`. */
  split: "unseen_task" | "unseen_tool" | "unseen_env";
  seen_episodes: number;
  unseen_episodes: number;
  seen_rate: number;
  unseen_rate: number;
  gap: number;
  /** Bootstrap 95% interval of the gap (the two groups resampled independently, by task). */
  ci95: [number, number] | null;
}

/** Two agents on the same episodes (same protocol, variant, task, seed, sample), paired. */
export interface ComparisonRow {
  protocol: string;
  variant: string;
  a: string;
  b: string;
  pairs: number;
  a_rate: number;
  b_rate: number;
  /** a_rate − b_rate. */
  diff: number;
  ci95: [number, number] | null;
  /** Pairs where only a succeeded, and where only b did. */
  only_a: number;
  only_b: number;
  /** Exact McNemar test on the discordant pairs. */
  p_value: number;
}

export interface EpisodeSummary {
  id: string;
  env: string;
  task: string;
  variant: string;
  split: string;
  agent: string;
  protocol: string;
  /** The run seed (episodes of different agents with the same run seed, task and sample pair up). */
  seed: number;
  /** The episode's own generator seed. */
  episode_seed: number;
  sample: number;
  success: boolean;
  calls: number;
  trial_calls: number;
  invalid_calls: number;
  failed_calls: number;
  /** Calls that failed in a backend (absent from reports made before backends). */
  backend_failures?: number;
  self_corrections: number;
  ast_match: boolean;
  tokens: number | null;
  /** USD the episode cost an endpoint agent with prices; absent otherwise. */
  cost_usd?: number;
  ms: number;
  error: string | null;
}

/** One line of an episode transcript, for the report's drill-down. */
export interface TranscriptLine {
  phase: "trial" | "execute";
  /** user / assistant (text), call (a tool call), result (its observation), check (a verdict). */
  kind: "user" | "assistant" | "call" | "result" | "error" | "check";
  text: string;
}

/** A kept episode transcript (the report keeps a bounded, representative set). */
export interface Transcript {
  id: string;
  lines: TranscriptLine[];
}

/** What one variant showed the agent in one environment (the log's variant record). */
export interface VariantSummary {
  env: string;
  variant: string;
  seed: number;
  ops: AppliedOp[];
  tools: ToolView[];
}

export interface Report {
  format: "tooltrial.report";
  version: 1;
  run_id: string;
  provenance: Provenance;
  /** Per agent × protocol × variant. */
  overall: SummaryRow[];
  /** Per agent × protocol × variant × env × split. */
  breakdown: SummaryRow[];
  /** Per agent × protocol × variant × split. */
  by_split: SummaryRow[];
  /** Clean − variant success per agent × protocol × variant, paired by task. */
  robustness: RobustnessRow[];
  /** Seen − unseen success per agent × protocol × variant and unseen split. */
  gaps: GapRow[];
  /** Every pair of agents under each protocol × variant, paired by episode. */
  comparisons: ComparisonRow[];
  variants: VariantSummary[];
  episodes: EpisodeSummary[];
  /** Transcripts of a bounded set of episodes: per task × agent × protocol, the first failure, else one success. */
  transcripts: Transcript[];
}
