/**
 * The shapes of a normalized training file: its model, stages and trainer settings
 * (`loadTraining` in spec.ts builds them).
 * @module
 */
import type { EpisodeSplit, SuiteSpec } from "../spec/types.ts";

/** The architecture a training file initialises (vocab_size comes from the tokenizer). */
export interface InitShape {
  /** Width of the residual stream. */
  hidden_size: number;
  /** Width of the MLP's hidden layer. */
  intermediate_size: number;
  /** Transformer layers. */
  num_hidden_layers: number;
  /** Query heads per layer. */
  num_attention_heads: number;
  /** Key/value heads per layer (grouped-query attention when fewer than query heads). */
  num_key_value_heads: number;
  /** Width of one attention head. */
  head_dim: number;
  /** Longest sequence the position embeddings cover. */
  max_position_embeddings: number;
  /** Seed of the initial weights. */
  seed: number;
}

/** Teacher rollouts → chat JSONL. */
export interface SynthesizeStage {
  /** Discriminant: teacher rollouts to chat data. */
  kind: "synthesize";
  /** A scripted agent (explorer, oracle, memorizer) or the name of an agent of the suite. */
  teacher: string;
  /** `trial`: examples include trial-phase probing; `trajectory`: execution calls only. */
  style: "trial" | "trajectory";
  /** Rollouts per task. */
  samples: number;
  /** The explorer teacher probes with remembered names first (trial data with errors). */
  probe: boolean;
  /** Which rollouts become examples: success, length, invalid calls, duplicates. */
  keep: { success: boolean; max_tokens: number; max_invalid_calls?: number; unique: boolean };
}

/** Supervised fine-tuning on a synthesized set. */
export interface SftStage {
  /** Discriminant: supervised fine-tuning. */
  kind: "sft";
  /** Name of the synthesize stage whose data it trains on. */
  data: string;
  /** Start weights: `init` or an earlier stage's name. */
  from: string;
  /** Passes over the data. */
  epochs: number;
  /** Examples per optimizer step. */
  batch: number;
  /** Peak learning rate. */
  lr: number;
  /** Warm-up steps before the peak learning rate. */
  warmup: number;
  /** Optimizer steps between checkpoints. */
  checkpoint_every: number;
  /** Stop at the end of an epoch whose exact-turn rate on training turns reaches this (or null). */
  until_exact: number | null;
  /** Seed of data order and dropout. */
  seed: number;
  /**
   * Phases trained in order before the `epochs` over all the data, each on the examples of some
   * environments (and variants) only: e.g. one environment first, then all. Absent: none.
   */
  curriculum?: CurriculumPhase[];
}

/** One phase of an SFT curriculum: some epochs over a subset of the data. */
export interface CurriculumPhase {
  /** Environments whose examples the phase trains on. */
  envs: string[];
  /** Variants whose examples it trains on (absent: all the data's variants). */
  variants?: string[];
  /** Passes over that subset. */
  epochs: number;
}

/** GRPO with ONNX rollouts. */
export interface GrpoStage {
  /** Discriminant: GRPO reinforcement learning. */
  kind: "grpo";
  /** Start weights: an earlier stage's name. */
  from: string;
  /** Optimizer steps. */
  steps: number;
  /** Tasks rolled out per step. */
  tasks_per_step: number;
  /** Rollouts per task (the group advantages are computed over). */
  group: number;
  /** Rollout sampling temperature. */
  temperature: number;
  /** Rollout top-k sampling. */
  top_k: number;
  /** Most tokens per rollout turn. */
  max_new_tokens: number;
  /** Protocol the rollouts run under. */
  protocol: "trial" | "direct";
  /** Learning rate. */
  lr: number;
  /** Passes over each step's rollouts. */
  epochs: number;
  /** PPO-style ratio clip. */
  clip: number;
  /** KL penalty weight against the start policy. */
  kl: number;
  /** Reward weights: task success, format, and per-call penalties. */
  reward: {
    task: number;
    format: number;
    call_penalty: number;
    no_call_format: number;
    parsable?: number;
    tool?: number;
  };
  /** Skip GRPO (keep the start policy) when its first rollouts succeed less often than this. */
  min_success: number;
  /** Seed of task sampling and rollouts. */
  seed: number;
  /**
   * Rollout tool calls constrained to the offered tools and their schemas (the ONNX agent's
   * `grammar`), as the comparison samples them when its `grammar` is on. Absent means off.
   */
  grammar?: boolean;
  /** Rollouts longer than this many tokens are trained on their first this many. Absent: whole. */
  max_tokens?: number;
}

/** An ONNX folder from a stage's weights. */
export interface ExportStage {
  /** Discriminant: ONNX export. */
  kind: "export";
  /** Name of the stage whose weights it exports. */
  from: string;
  /** Also copied here (resolved against the working folder), or null. */
  to: string | null;
  /** Largest logit difference allowed between PyTorch and the ONNX export. */
  tolerance: number;
}

/** A suite run comparing export stages as agents. */
export interface EvaluateStage {
  /** Discriminant: a suite run over exported policies. */
  kind: "evaluate";
  /** Export stage names to run as agents. */
  agents: string[];
  /** Scripted agents to run beside them, for reference. */
  scripted: string[];
  /** Most tokens per policy turn. */
  max_new_tokens: number;
  /** Tasks per environment (null: all). */
  tasks_per_env: number | null;
  /** Grammar-constrained tool calls for the policies (the ONNX agent's `grammar`). */
  grammar: boolean;
}

/** One stage, normalized. */
export type StageSpec =
  & { name: string; index: number }
  & (SynthesizeStage | SftStage | GrpoStage | ExportStage | EvaluateStage);

/** A training file, loaded and checked. */
export interface TrainingSpec {
  /** Name of the training run. */
  name: string;
  /** What the training is for. */
  description: string;
  /** The training file path as given. */
  file: string;
  /** Hash over the training file and the suite (part of the output's provenance). */
  sha256: string;
  /** The suite it trains and evaluates on. */
  suite: SuiteSpec;
  /** Initialise a fresh model of this shape, or start from an existing folder. */
  model: { init: InitShape } | { folder: string };
  /** The model folder whose tokenizer.json and chat template the policies use. */
  tokenizer: string;
  /** `folder`: the tokenizer folder's own chat template; `compact`: one line per tool. */
  chat_template: "folder" | "compact";
  /** Which splits, variants and seeds training data comes from, and the trial budget. */
  data: { splits: EpisodeSplit[]; variants: string[]; seeds: number[]; trial_budget: number };
  /** What the evaluate stage runs: splits, variants, protocols. */
  evaluation: {
    splits: EpisodeSplit[];
    variants: string[];
    protocols: string[];
    seeds: number[];
    samples: number;
  };
  /** The Python trainer's settings. */
  trainer: {
    command: string[] | null;
    device: "cpu" | "cuda";
    threads: number;
    max_restarts: number;
    /** Independent stages run side by side, at most this many at once. */
    parallel: number;
  };
  /** Output folder of the stages. */
  out: string;
  /** The stages in order. */
  stages: StageSpec[];
}
