/**
 * The one source of spec/schema/training.json (`deno task schemas` writes it). Split names come
 * from spec/split_names.ts, the scripted policies from spec/agent_kinds.ts.
 * @module
 */
import { SCRIPTED_KINDS } from "../agent_kinds.ts";
import { EPISODE_SPLITS } from "../split_names.ts";

/**
 * The JSON Schema of a training file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainingSchema } from "./training.schema.ts";
 * assert.ok(trainingSchema().$defs.splits.items.enum.includes("unseen_env"));
 * ```
 */
export function trainingSchema() {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://tooltrial.dev/schema/v1/training.json",
    title: "tooltrial training (spec v1)",
    description:
      "Training stages: teacher trajectories → SFT → GRPO → ONNX policies, evaluated on a suite.",
    type: "object",
    required: ["tooltrial", "training", "suite", "model", "stages"],
    additionalProperties: false,
    $defs: {
      name: {
        type: "string",
        pattern: "^[a-z][a-z0-9_-]*$",
        description: "A stage name: lower case letters, digits, - and _.",
      },
      splits: {
        type: "array",
        minItems: 1,
        uniqueItems: true,
        items: {
          enum: [...EPISODE_SPLITS],
        },
      },
      names: {
        type: "array",
        items: { type: "string" },
        uniqueItems: true,
      },
      seeds: {
        type: "array",
        minItems: 1,
        uniqueItems: true,
        items: { type: "integer", minimum: 0 },
      },
      synthesize: {
        type: "object",
        additionalProperties: false,
        description: "Teacher rollouts on the training tasks → chat JSONL (messages + tools).",
        properties: {
          teacher: {
            type: "string",
            minLength: 1,
            description:
              "The teacher: explorer (trial protocol), oracle (golden calls), memorizer, or the name of an agent of the suite (an openai: or anthropic: endpoint, an onnx: model).",
          },
          style: {
            enum: ["trial", "trajectory"],
            description:
              "trial: trial phase then execution; trajectory: golden calls, no trials (the imitation baseline).",
            default: "trial",
          },
          samples: {
            type: "integer",
            minimum: 1,
            description: "Episodes per (task, variant, seed).",
            default: 1,
          },
          probe: {
            type: "boolean",
            description:
              "explorer teacher: try the remembered names first in the trial phase, so the data holds wrong guesses, errors and corrections.",
            default: false,
          },
          keep: {
            type: "object",
            additionalProperties: false,
            description: "Which episodes become training examples.",
            properties: {
              success: {
                type: "boolean",
                description: "Only episodes whose checks passed (default true).",
                default: true,
              },
              max_tokens: {
                type: "integer",
                minimum: 16,
                description: "Drop examples longer than this many tokens.",
                default: 4096,
              },
              unique: {
                type: "boolean",
                description:
                  "Keep each distinct conversation once (default true); false keeps the clean interface's conversation once per seed.",
                default: true,
              },
              max_invalid_calls: {
                type: "integer",
                minimum: 0,
                description: "Drop episodes with more invalid execution calls.",
              },
            },
          },
        },
      },
      sft: {
        type: "object",
        additionalProperties: false,
        required: ["data"],
        description: "Supervised fine-tuning on a synthesized set; loss on assistant tokens only.",
        properties: {
          data: {
            type: "string",
            description: "The synthesize stage whose JSONL to train on.",
          },
          from: {
            type: "string",
            description: "Start from this sft/grpo stage's weights (default: the base model).",
            default: "base",
          },
          epochs: {
            type: "number",
            exclusiveMinimum: 0,
            description: "Epochs to train (the cap, with until_exact).",
            default: 1,
          },
          until_exact: {
            type: "number",
            exclusiveMinimum: 0,
            maximum: 1,
            description:
              "Stop at the end of the first epoch in which this share of training turns is reproduced exactly (greedy, teacher-forced); epochs is the cap.",
          },
          batch: { type: "integer", minimum: 1, default: 8 },
          lr: { type: "number", exclusiveMinimum: 0, default: 1e-3 },
          warmup: {
            type: "integer",
            minimum: 0,
            description: "Linear warm-up steps.",
            default: 0,
          },
          checkpoint_every: {
            type: "integer",
            minimum: 1,
            description: "Steps between checkpoints a crashed trainer resumes from.",
            default: 20,
          },
          seed: { type: "integer", minimum: 0, default: 0 },
          curriculum: {
            type: "array",
            minItems: 1,
            description:
              "Phases trained in order before the epochs over all the data, each on some environments' (and variants') examples only: e.g. one environment first, then all. until_exact applies to the epochs over all the data only.",
            items: {
              type: "object",
              additionalProperties: false,
              required: ["envs"],
              properties: {
                envs: {
                  $ref: "#/$defs/names",
                  description: "Environments of the suite whose examples this phase trains on.",
                },
                variants: {
                  $ref: "#/$defs/names",
                  description: "Of the data's variants, those this phase trains on (default: all).",
                },
                epochs: {
                  type: "number",
                  exclusiveMinimum: 0,
                  description: "Passes over the phase's examples.",
                  default: 1,
                },
              },
            },
          },
        },
      },
      grpo: {
        type: "object",
        additionalProperties: false,
        required: ["from"],
        description:
          "Group rollouts with the ONNX policy against the environments, group-normalised advantages, clipped ratio, KL to the reference.",
        properties: {
          from: {
            type: "string",
            description: "The sft (or grpo) stage to start from; it is also the KL reference.",
          },
          steps: { type: "integer", minimum: 1, default: 10 },
          tasks_per_step: { type: "integer", minimum: 1, default: 4 },
          group: {
            type: "integer",
            minimum: 2,
            description: "Rollouts per task (G).",
            default: 4,
          },
          temperature: { type: "number", exclusiveMinimum: 0, default: 1 },
          top_k: { type: "integer", minimum: 0, default: 0 },
          max_new_tokens: { type: "integer", minimum: 1, default: 96 },
          max_tokens: {
            type: "integer",
            minimum: 2,
            description:
              "Train a rollout on its first this many tokens (system prompt included): the update's memory grows with the square of a group's longest sequence. Default: whole rollouts.",
          },
          grammar: {
            type: "boolean",
            description:
              "Rollout tool calls constrained to the offered tools and their schemas, as the comparison's `grammar` samples them (default false).",
            default: false,
          },
          protocol: {
            enum: ["trial", "direct"],
            default: "trial",
          },
          lr: { type: "number", exclusiveMinimum: 0, default: 1e-4 },
          epochs: {
            type: "integer",
            minimum: 1,
            description:
              "Updates per rollout batch (the clipped ratio matters from the second on).",
            default: 1,
          },
          clip: { type: "number", exclusiveMinimum: 0, default: 0.2 },
          kl: { type: "number", minimum: 0, default: 0.04 },
          reward: {
            type: "object",
            additionalProperties: false,
            properties: {
              task: {
                type: "number",
                description: "Weight of the task check (1 when it passes).",
                default: 1,
              },
              format: {
                type: "number",
                description:
                  "Weight of format validity (share of turns that parse as a call or an answer).",
                default: 0.2,
              },
              call_penalty: {
                type: "number",
                minimum: 0,
                description: "Subtracted per tool call (both phases).",
                default: 0,
              },
              no_call_format: {
                type: "number",
                minimum: 0,
                maximum: 1,
                description: "Format score of an episode that made no tool call (default 0).",
                default: 0,
              },
              parsable: {
                type: "number",
                minimum: 0,
                description: "Weight of the share of calls whose JSON parsed (default 0).",
                default: 0,
              },
              tool: {
                type: "number",
                minimum: 0,
                description:
                  "Weight of the share of the task's gold tools an execution call reached (default 0).",
                default: 0,
              },
            },
          },
          min_success: {
            type: "number",
            minimum: 0,
            maximum: 1,
            description:
              "Skip GRPO, keeping the start policy, when its first step's rollouts succeed less often than this: with no success, every group ties and there is nothing to learn.",
            default: 0,
          },
          seed: { type: "integer", minimum: 0, default: 0 },
        },
      },
      export: {
        type: "object",
        additionalProperties: false,
        required: ["from"],
        description:
          "An ONNX model folder the ONNX agent loads, checked for logits parity with the trainer.",
        properties: {
          from: {
            type: "string",
            description: "An sft or grpo stage, or base (the initial model).",
          },
          to: {
            type: "string",
            description: "Also copy the folder here (relative to this file), e.g. to commit it.",
          },
          tolerance: {
            type: "number",
            exclusiveMinimum: 0,
            description: "Largest allowed |logit difference| (default 1e-4).",
            default: 1e-4,
          },
        },
      },
      evaluate: {
        type: "object",
        additionalProperties: false,
        required: ["agents"],
        description:
          "Run the suite with each export stage's folder as an ONNX agent and compare them.",
        properties: {
          agents: {
            type: "array",
            minItems: 1,
            uniqueItems: true,
            items: { type: "string" },
            description: "Export stage names.",
          },
          scripted: {
            type: "array",
            uniqueItems: true,
            items: {
              enum: [...SCRIPTED_KINDS],
            },
            description: "Scripted reference agents run alongside.",
            default: [],
          },
          max_new_tokens: { type: "integer", minimum: 1, default: 96 },
          tasks_per_env: { type: "integer", minimum: 1 },
          grammar: {
            type: "boolean",
            description:
              "Grammar-constrained tool calls for the policies (the onnx agent's grammar option; default false).",
            default: false,
          },
        },
      },
      stage: {
        type: "object",
        required: ["name"],
        additionalProperties: false,
        minProperties: 2,
        maxProperties: 2,
        description: "A stage: a name and exactly one of synthesize, sft, grpo, export, evaluate.",
        properties: {
          name: { $ref: "#/$defs/name" },
          synthesize: { $ref: "#/$defs/synthesize" },
          sft: { $ref: "#/$defs/sft" },
          grpo: { $ref: "#/$defs/grpo" },
          export: { $ref: "#/$defs/export" },
          evaluate: { $ref: "#/$defs/evaluate" },
        },
      },
    },
    properties: {
      $schema: { type: "string" },
      tooltrial: { const: 1, description: "Spec version; always 1." },
      training: { $ref: "#/$defs/name" },
      description: { type: "string" },
      suite: {
        type: "string",
        description:
          "The suite whose environments, variants and held-out parts training uses, relative to this file.",
      },
      model: {
        type: "object",
        additionalProperties: false,
        description:
          "The base model: a tiny architecture to initialise (init), or a folder of trained weights (weights.bin + config.json).",
        properties: {
          init: {
            type: "object",
            additionalProperties: false,
            required: [
              "hidden_size",
              "intermediate_size",
              "num_hidden_layers",
              "num_attention_heads",
              "num_key_value_heads",
            ],
            properties: {
              hidden_size: { type: "integer", minimum: 4 },
              intermediate_size: { type: "integer", minimum: 4 },
              num_hidden_layers: { type: "integer", minimum: 1 },
              num_attention_heads: { type: "integer", minimum: 1 },
              num_key_value_heads: { type: "integer", minimum: 1 },
              head_dim: { type: "integer", minimum: 2, multipleOf: 2 },
              max_position_embeddings: { type: "integer", minimum: 64, default: 8192 },
              seed: { type: "integer", minimum: 0, default: 0 },
            },
          },
          folder: { type: "string" },
        },
      },
      tokenizer: {
        type: "string",
        description:
          "Model folder whose tokenizer.json and chat template the policies use (default models/tiny-random).",
      },
      chat_template: {
        enum: ["folder", "compact"],
        description:
          "The chat template the policies are trained with and exported with: folder (the tokenizer folder's own) or compact (one line per tool: name, typed parameters, first sentence of the description).",
        default: "folder",
      },
      variants: {
        $ref: "variants.json#/$defs/variants",
        description:
          "Training-only variants (same form as a suite's): data.variants may name them; evaluation never runs them.",
      },
      data: {
        type: "object",
        additionalProperties: false,
        description:
          "What training may see: seen tasks only, under these variants and variant seeds.",
        properties: {
          splits: { $ref: "#/$defs/splits", default: ["seen"] },
          variants: { $ref: "#/$defs/names", default: ["clean"] },
          seeds: {
            oneOf: [
              { $ref: "#/$defs/seeds" },
              {
                type: "object",
                additionalProperties: false,
                required: ["from", "count"],
                description: "count consecutive variant seeds starting at from.",
                properties: {
                  from: { type: "integer", minimum: 0 },
                  count: { type: "integer", minimum: 1, maximum: 10000 },
                },
              },
            ],
            default: [1000],
          },
          trial_budget: { type: "integer", minimum: 1, default: 6 },
        },
      },
      evaluation: {
        type: "object",
        additionalProperties: false,
        description: "What evaluate stages run; training data must not overlap it.",
        properties: {
          splits: { $ref: "#/$defs/splits", default: [...EPISODE_SPLITS] },
          variants: { $ref: "#/$defs/names" },
          protocols: { $ref: "#/$defs/names" },
          seeds: { $ref: "#/$defs/seeds" },
          samples: { type: "integer", minimum: 1, default: 1 },
        },
      },
      trainer: {
        type: "object",
        additionalProperties: false,
        properties: {
          command: {
            type: "array",
            minItems: 1,
            items: { type: "string" },
            description:
              "The trainer process (default: /usr/bin/python3 training/trainer.py); {trainer_dir} stands for the folder of the reference trainer.",
          },
          device: {
            enum: ["cpu", "cuda"],
            default: "cpu",
          },
          threads: {
            type: "integer",
            minimum: 0,
            description: "torch threads (0: one per core).",
            default: 2,
          },
          max_restarts: {
            type: "integer",
            minimum: 0,
            description: "Restarts from the last checkpoint when the trainer dies.",
            default: 2,
          },
          parallel: {
            type: "integer",
            minimum: 1,
            description:
              "Stages that do not read each other run side by side, at most this many at once (default 1); each trainer then gets threads / parallel torch threads.",
            default: 1,
          },
        },
      },
      out: {
        type: "string",
        description:
          "Where stage outputs go (default runs/train/<name>), relative to the working folder.",
      },
      stages: {
        type: "array",
        minItems: 1,
        items: { $ref: "#/$defs/stage" },
      },
    },
  } as const;
}
