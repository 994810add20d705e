/**
 * The report's data: what `report.json` holds (reports/schema/report.v1.json). Renderers (Markdown,
 * HTML, JUnit) read only these types.
 */
import type { AgentRecord } from "../runners/mod.ts";
import type { CallStages } from "../tasks/mod.ts";
import type { AppliedOp, ToolView } from "../variants/types.ts";

/** Where a run came from: enough to rerun it and to trust it. */
export interface Provenance {
  /** tooltrial version that made the run. */
  tooltrial_version: string;
  /** Commit of the checkout (null outside git). */
  git_commit: string | null;
  /** Whether the checkout had uncommitted changes (null outside git). */
  git_dirty: boolean | null;
  /** Deno version. */
  deno: string;
  /** V8 version. */
  v8: string;
  /** TypeScript version. */
  typescript: string;
  /** onnxruntime-node version when a model agent ran; null otherwise. */
  onnxruntime: string | null;
  /** Operating system (`Deno.build.os`). */
  os: string;
  /** CPU architecture. */
  arch: string;
  /** Logical CPUs and memory of the machine. */
  machine: { cpus: number; memory_gb: number };
  /** ISO time the run started. */
  started_at: string;
  /** ISO time the run finished. */
  finished_at: string;
  /** The command line that made the run. */
  command: string[];
  /** The suite file and its hash. */
  suite: { name: string; file: string; sha256: string };
  /** Every spec file and its hash. */
  specs: { path: string; sha256: string }[];
  /**
   * Each environment's tool backends: one entry per (env, kind) in use, with what the kind
   * records (its entry's `provenance` in tools/backends/mod.ts). Absent from reports made before
   * the backend registry.
   */
  backends?: ({ env: string; kind: string } & Record<string, unknown>)[];
  /**
   * Each agent: its name, its kind's key and settings (`scripted` names a reference agent, `onnx`
   * a model folder and how it decoded; what each kind records is its entry's `provenance` in
   * runners/agents/registry.ts), its options and `only`.
   */
  agents: (AgentRecord & {
    name: string;
    options: Record<string, unknown>;
    only?: { variants?: string[]; protocols?: string[]; tasks_per_env?: number };
  })[];
  /**
   * The model agent that played the simulated user (the suite's `user:`), recorded as agents are,
   * with the `agents:` entry it names (`ref`) and its reply limit; absent: the scripted user.
   */
  user?: AgentRecord & {
    name: string;
    options: Record<string, unknown>;
    ref?: string;
    max_turns?: number;
  };
  /**
   * The agent that graded `judge:` checks (the suite's `judge:`), recorded as agents are; absent:
   * none was configured and those checks were not scored.
   */
  judge?: AgentRecord & { name: string; options: Record<string, unknown> };
  /** Each protocol with its budgets. */
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
  /** Seeds the run used. */
  seeds: number[];
  /** Samples per task and seed. */
  samples: number;
  /** Episodes run at once (in each worker). */
  concurrency: number;
  /** Worker threads the episodes ran on (absent in reports from before workers: 1). */
  workers?: number;
  /** The shards merged into this report (`i/n`), or null for a single run. */
  shards: string[] | null;
}

/** RoTBench's three scores over a group of episodes, as shares. */
export interface FirstActionRates {
  /** Episodes scored (those with a first-action check). */
  episodes: number;
  /** Share whose first action called an accepted tool. */
  tool_selection: number;
  /** Share that also gave exactly that call's parameter names. */
  parameter_identification: number;
  /** Share that also filled in accepted values: the check passed. */
  content_filling: number;
}

/** Keys episodes can be grouped by. */
export type GroupKey = "agent" | "protocol" | "variant" | "env" | "split";

/** Aggregate over a group of episodes. */
export interface SummaryRow {
  /** Agent of the group (absent when not grouped by agent). */
  agent?: string;
  /** Protocol of the group (absent when not grouped by protocol). */
  protocol?: string;
  /** Variant of the group (absent when not grouped by variant). */
  variant?: string;
  /** Environment of the group (absent when not grouped by env). */
  env?: string;
  /** Split of the group (absent when not grouped by split). */
  split?: string;
  /** Episodes in the group. */
  episodes: number;
  /** Distinct tasks (the bootstrap resamples these). */
  tasks: number;
  /** Episodes that succeeded. */
  successes: number;
  /** successes / episodes. */
  success_rate: number;
  /** Bootstrap 95% interval for the success rate, resampling tasks (seeded). */
  ci95: [number, number];
  /** Wilson score 95% interval, for comparison with papers that use it. */
  wilson95: [number, number];
  /**
   * Unbiased pass@k over each task's samples under one seed, averaged over tasks and seeds,
   * k = 1 … samples (at most 10). Keys are k.
   */
  pass_at_k: Record<string, number>;
  /**
   * pass^k (τ-bench's reliability) = mean over tasks and seeds of C(c,k)/C(n,k): all of k i.i.d.
   * samples succeed, k = 1 … samples (at most 10). Keys are k.
   */
  pass_hat_k: Record<string, number>;
  /** Mean execution-phase calls per episode. */
  mean_calls: number;
  /** Mean trial-phase calls per episode. */
  mean_trial_calls: number;
  /** Invalid execution-phase calls / execution-phase calls (0 when no calls). */
  invalid_call_rate: number;
  /** Mean calls that retried a failed call successfully, per episode. */
  mean_self_corrections: number;
  /** Self-corrections / failed calls, both phases (0 when none failed). */
  self_correction_rate: number;
  /** Share of episodes whose gold calls all appear, mapped back to canonical names. */
  ast_match_rate: number;
  /** Mean tokens per episode; null when the agents report none (scripted agents). */
  mean_tokens: number | null;
  /** Mean USD per episode, where endpoint agents have prices (`price:`); absent otherwise. */
  mean_cost_usd?: number;
  /**
   * Mean replies of the simulated user per episode, over the group's conversations (tasks with
   * `user:`); absent when it has none.
   */
  mean_user_turns?: number;
  /**
   * RoTBench's three scores over the episodes whose task has a `first_action_only` calls check
   * (absent when none has): the share whose first action picked an accepted tool, also gave its
   * parameter names, and also filled in its values.
   */
  first_action?: FirstActionRates;
  /**
   * Failed episodes per kind of check that failed them (`answered`, `answer`, `calls`, `actions`,
   * `state`, `db`, `communicate`, `judge`): an episode counts once under each kind; absent when
   * no episode of the group failed a check.
   */
  failed_checks?: Record<string, number>;
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
  /** Agent compared. */
  agent: string;
  /** Protocol it ran under. */
  protocol: string;
  /** Variant compared with clean. */
  variant: string;
  /** Pairs: the same (env, task, seed, sample) run clean and under the variant. */
  pairs: number;
  /** Success rate on the clean side of the pairs. */
  clean_rate: number;
  /** Success rate on the variant side of the pairs. */
  variant_rate: number;
  /** clean_rate − variant_rate over the pairs: what the variant costs. */
  drop: number;
  /** Bootstrap 95% interval of the drop, resampling tasks; null without pairs. */
  ci95: [number, number] | null;
}

/** Generalization gap: seen − unseen success for one agent × protocol × variant. */
export interface GapRow {
  /** Agent compared. */
  agent: string;
  /** Protocol it ran under. */
  protocol: string;
  /** Variant both groups ran under. */
  variant: string;
  /** The unseen split compared with `seen`. */
  split: "unseen_task" | "unseen_tool" | "unseen_env";
  /** Episodes in the seen split. */
  seen_episodes: number;
  /** Episodes in the unseen split. */
  unseen_episodes: number;
  /** Success rate on seen tasks. */
  seen_rate: number;
  /** Success rate on unseen tasks. */
  unseen_rate: number;
  /** seen_rate − unseen_rate. */
  gap: number;
  /** Bootstrap 95% interval of the gap (the two groups resampled independently, by task). */
  ci95: [number, number] | null;
}

/** Two agents on the same episodes (same protocol, variant, task, seed, sample), paired. */
export interface ComparisonRow {
  /** Protocol both agents ran under. */
  protocol: string;
  /** Variant both agents ran under. */
  variant: string;
  /** First agent. */
  a: string;
  /** Second agent. */
  b: string;
  /** Episodes both agents ran (paired). */
  pairs: number;
  /** a's success rate over the pairs. */
  a_rate: number;
  /** b's success rate over the pairs. */
  b_rate: number;
  /** a_rate − b_rate. */
  diff: number;
  /** Bootstrap 95% interval of the difference, resampling tasks; null without pairs. */
  ci95: [number, number] | null;
  /** Pairs where only a succeeded, and where only b did. */
  only_a: number;
  /** Pairs where only b succeeded. */
  only_b: number;
  /** Exact McNemar test on the discordant pairs. */
  p_value: number;
}

/** One episode's outcome and counts: a row of the report's episode table. */
export interface EpisodeSummary {
  /** Episode id (unique in the run). */
  id: string;
  /** Environment name. */
  env: string;
  /** Task id. */
  task: string;
  /** Variant name (`clean` when unperturbed). */
  variant: string;
  /** The episode's split (seen or an unseen kind). */
  split: string;
  /** Agent name. */
  agent: string;
  /** Protocol name. */
  protocol: string;
  /** The run seed (episodes of different agents with the same run seed, task and sample pair up). */
  seed: number;
  /** The episode's own generator seed. */
  episode_seed: number;
  /** Sample index for this task and seed. */
  sample: number;
  /** Whether the task's check passed. */
  success: boolean;
  /** Execution-phase tool calls. */
  calls: number;
  /** Trial-phase tool calls. */
  trial_calls: number;
  /** Execution-phase calls the tool refused as invalid (unknown tool, bad arguments). */
  invalid_calls: number;
  /** Calls that returned an error, both phases. */
  failed_calls: number;
  /** Calls that failed in a backend (absent from reports made before backends). */
  backend_failures?: number;
  /** The simulated user's replies (conversations only; absent otherwise). */
  user_turns?: number;
  /** Failed calls followed by a successful retry. */
  self_corrections: number;
  /** Whether the gold calls all appear, mapped back to canonical names. */
  ast_match: boolean;
  /** Tokens the agent used; null when it reports none. */
  tokens: number | null;
  /** USD the episode cost an endpoint agent with prices; absent otherwise. */
  cost_usd?: number;
  /** The RoTBench stages its first action reached (a `first_action_only` calls check only). */
  first_action?: CallStages;
  /**
   * The kinds of check that failed it (`answer`, `state`, `db`, `judge`, …; `answered`: no final
   * answer), each once, advisory checks aside; absent when none failed.
   */
  failed_checks?: string[];
  /** Check kinds skipped as not scored (`judge` with no judge configured); absent when none. */
  not_scored?: string[];
  /**
   * `judge:` assertions whose grade is an error (the judge's answer could not be read, or it gave
   * none): counted as failed; absent when none.
   */
  judge_errors?: number;
  /** Wall time in milliseconds. */
  ms: number;
  /** Why the episode ended abnormally; null when it did not. */
  error: string | null;
}

/** One line of an episode transcript, for the report's drill-down. */
export interface TranscriptLine {
  /** The phase the line belongs to. */
  phase: "trial" | "execute";
  /** user / assistant (text), call (a tool call), result (its observation), check (a verdict). */
  kind: "user" | "assistant" | "call" | "result" | "error" | "check";
  /** The line's text (truncated for long observations). */
  text: string;
}

/** A kept episode transcript (the report keeps a bounded, representative set). */
export interface Transcript {
  /** Episode id the transcript belongs to. */
  id: string;
  /** The transcript, in order. */
  lines: TranscriptLine[];
}

/** What one variant showed the agent in one environment (the log's variant record). */
export interface VariantSummary {
  /** Environment name. */
  env: string;
  /** Variant name. */
  variant: string;
  /** Seed the variant's operators drew from. */
  seed: number;
  /** Operators as applied, with what they changed. */
  ops: AppliedOp[];
  /** The tools as the agent saw them next to the canonical ones. */
  tools: ToolView[];
}

/** A run's report: provenance, aggregates at several groupings, and per-episode rows (`report.json`). */
export interface Report {
  /** Format tag, always `tooltrial.report`. */
  format: "tooltrial.report";
  /** Report format version. */
  version: 1;
  /** Id of the run (hash of what determines its outcome). */
  run_id: string;
  /** Where the run came from. */
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
  /** What each variant showed the agents, per environment. */
  variants: VariantSummary[];
  /** Every episode, one row each. */
  episodes: EpisodeSummary[];
  /** Transcripts of a bounded set of episodes: per task × agent × protocol, the first failure, else one success. */
  transcripts: Transcript[];
  /** BFCL's per-category accuracy table, when tasks carry BFCL ids (imported BFCL entries). */
  bfcl?: BfclRow[];
}

/** BFCL's per-category accuracy for one agent × protocol × variant (reports/bfcl_table.ts). */
export interface BfclRow {
  /** Agent name. */
  agent: string;
  /** Protocol name. */
  protocol: string;
  /** Variant name. */
  variant: string;
  /** Each BFCL category that ran: its episodes and success rate. */
  categories: Record<string, { episodes: number; accuracy: number }>;
  /** Unweighted mean of simple_python, simple_java, simple_javascript (null: one did not run). */
  non_live_simple: number | null;
  /** Unweighted mean of simple, multiple, parallel, parallel_multiple (null: one did not run). */
  non_live_ast: number | null;
  /** The four live AST categories weighted by entries (null: one did not run). */
  live_ast: number | null;
}
