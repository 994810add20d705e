/**
 * The one source of spec/schema/suite.json (`deno task schemas` writes it). Each agent kind's
 * branch is in {@linkcode AGENT_SCHEMAS}, keyed by spec/agent_kinds.ts's kinds; the scripted
 * policies come from `SCRIPTED_KINDS`.
 * @module
 */
import { type AgentKind, SCRIPTED_KINDS } from "../agent_kinds.ts";

/** `only:`, the same in every agent kind: run the agent on part of the suite. */
const ONLY = {
  type: "object",
  additionalProperties: false,
  description: "Run this agent on part of the suite only (e.g. a slow model on a sample).",
  properties: {
    variants: {
      type: "array",
      items: { type: "string" },
      minItems: 1,
      description: "Variants to run it on (clean included by name).",
    },
    protocols: {
      type: "array",
      items: { type: "string" },
      minItems: 1,
      description: "Protocols to run it under.",
    },
    tasks_per_env: {
      type: "integer",
      minimum: 1,
      description: "The first N tasks of each environment, in file order.",
    },
  },
} as const;

/** What the endpoint kinds (openai:, anthropic:) share after their own URL, key and max_tokens. */
const ENDPOINT_OPTIONS = {
  timeout_s: {
    type: "number",
    exclusiveMinimum: 0,
    description: "Per request (default 120).",
    default: 120,
  },
  retries: {
    type: "integer",
    minimum: 0,
    description: "Retries after 429, 5xx or a network error, with backoff (default 3).",
    default: 3,
  },
  concurrency: {
    type: "integer",
    minimum: 1,
    description:
      "Episodes of this agent in flight at once (default 16), independent of --concurrency: keeps a server such as vLLM busy.",
    default: 16,
  },
  cache: {
    type: "boolean",
    description:
      "Store replies keyed by a hash of (model, messages, tools, sampling, seed) and replay them on a rerun, resume or reproduce (default: on at temperature 0). --no-cache forces live calls.",
  },
  top_p: {
    type: "number",
    exclusiveMinimum: 0,
    maximum: 1,
    description: "Nucleus sampling (sent only when set).",
  },
  price: {
    type: "object",
    additionalProperties: false,
    required: ["input", "output"],
    description: "USD per million tokens, for the report's cost per episode.",
    properties: {
      input: {
        type: "number",
        minimum: 0,
        description: "USD per million prompt tokens.",
      },
      output: {
        type: "number",
        minimum: 0,
        description: "USD per million completion tokens.",
      },
    },
  },
} as const;

/**
 * Each agent kind's entry schema, in the order the `agents:` entry schema tries them (the last
 * is what an entry naming no kind is held to).
 */
export const AGENT_SCHEMAS = {
  onnx: {
    type: "object",
    required: ["onnx"],
    additionalProperties: false,
    properties: {
      onnx: {
        type: "string",
        minLength: 1,
        description:
          "Model folder (config.json, tokenizer.json, tokenizer_config.json, generation_config.json, onnx/model.onnx), relative to the suite.",
      },
      device: {
        type: "array",
        minItems: 1,
        uniqueItems: true,
        items: {
          enum: ["cuda", "webgpu", "cpu"],
        },
        description:
          "Execution providers to try in order (default [cuda, webgpu, cpu]); the one that works is recorded.",
        default: ["cuda", "webgpu", "cpu"],
      },
      threads: {
        oneOf: [
          { type: "integer", minimum: 0 },
          { const: "auto" },
        ],
        description:
          "onnxruntime intra-op threads: auto (the default) = 1 on the CPU, where a decode step is too small to split and episodes run side by side, and onnxruntime's own choice on a GPU; 0 = one per core.",
        default: "auto",
      },
      max_new_tokens: {
        type: "integer",
        minimum: 1,
        description: "Most tokens per assistant turn (default 256).",
        default: 256,
      },
      temperature: { type: "number", minimum: 0, description: "0 = greedy (default).", default: 0 },
      top_k: {
        type: "integer",
        minimum: 0,
        description: "Sample among the k most likely tokens (0 = off).",
        default: 0,
      },
      top_p: {
        type: "number",
        exclusiveMinimum: 0,
        maximum: 1,
        description: "Nucleus sampling mass (1 = off).",
        default: 1,
      },
      batch: {
        oneOf: [
          { type: "integer", minimum: 1 },
          { const: "auto" },
        ],
        description:
          "Most episodes decoded in one batch, or auto (the default): 1 on the CPU, where every step copies the whole KV cache and batching long prompts costs more than it saves, and 16 on a GPU.",
        default: "auto",
      },
      stop: {
        type: "array",
        items: { type: "string", minLength: 1 },
        description: "Strings that end a turn besides the end-of-turn token.",
        default: [],
      },
      grammar: {
        type: "boolean",
        description:
          'Grammar-constrained tool calls (default false): inside <tool_call> the model can only write {"name": <an offered tool>, "arguments": {…}} with that tool\'s parameter names and value types, closed before max_new_tokens runs out.',
        default: false,
      },
      only: ONLY,
    },
  },
  openai: {
    type: "object",
    required: ["openai"],
    additionalProperties: false,
    properties: {
      openai: {
        type: "object",
        required: ["base_url", "model"],
        additionalProperties: false,
        description:
          "An OpenAI-compatible chat completions endpoint (vLLM, llama.cpp server, TGI, OpenAI, …).",
        properties: {
          base_url: {
            type: "string",
            pattern: "^https?://",
            description: "Up to /v1, e.g. http://127.0.0.1:8000/v1.",
          },
          model: { type: "string", minLength: 1 },
          api_key_env: {
            type: "string",
            pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
            description:
              "Environment variable holding the API key (sent as a bearer token); none by default.",
          },
          temperature: { type: "number", minimum: 0, description: "Default 0.", default: 0 },
          max_tokens: {
            type: "integer",
            minimum: 1,
            description: "Per assistant turn (default 512).",
            default: 512,
          },
          ...ENDPOINT_OPTIONS,
        },
      },
      only: ONLY,
    },
  },
  anthropic: {
    type: "object",
    required: ["anthropic"],
    additionalProperties: false,
    properties: {
      anthropic: {
        type: "object",
        required: ["model"],
        additionalProperties: false,
        description:
          "An Anthropic Messages API endpoint (POST {base_url}/messages with tools; tool_use / tool_result blocks).",
        properties: {
          base_url: {
            type: "string",
            pattern: "^https?://",
            description: "Up to /v1 (default https://api.anthropic.com/v1).",
            default: "https://api.anthropic.com/v1",
          },
          model: { type: "string", minLength: 1 },
          api_key_env: {
            type: "string",
            pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
            description:
              "Environment variable holding the API key (sent as x-api-key); none by default, e.g. ANTHROPIC_API_KEY.",
          },
          temperature: { type: "number", minimum: 0, description: "Default 0.", default: 0 },
          max_tokens: {
            type: "integer",
            minimum: 1,
            description: "Per assistant turn (default 512; the Messages API requires one).",
            default: 512,
          },
          ...ENDPOINT_OPTIONS,
        },
      },
      only: ONLY,
    },
  },
  recorded: {
    type: "object",
    required: ["recorded"],
    additionalProperties: false,
    properties: {
      recorded: {
        type: "string",
        minLength: 1,
        description:
          'A JSON Lines file of calls made elsewhere (an external model\'s outputs), relative to the suite: one line per task, {"task": "env/id", "calls": [{"name": …, "arguments": {…}}], "answer": …}, or BFCL\'s {"id": …, "result": [{"fn": {…}}]}. Each task\'s calls are replayed as one turn, then its answer, and judged by the task\'s checks.',
      },
      only: ONLY,
    },
  },
  scripted: {
    type: "object",
    required: ["scripted"],
    additionalProperties: false,
    properties: {
      scripted: {
        enum: [...SCRIPTED_KINDS],
      },
      probe: {
        type: "boolean",
        description:
          "explorer only: in the trial phase, try the remembered (canonical) tool and argument names first and recover from the errors.",
      },
      max_random_calls: {
        type: "integer",
        minimum: 0,
        description: "random only: calls before it answers (default 3).",
      },
      only: ONLY,
    },
  },
} as const satisfies { readonly [K in AgentKind]: Readonly<Record<string, unknown>> };

/** The `agents:` entry schema: an if/then/else chain over the kinds, each picked by its key. */
function agentEntrySchema(): Record<string, unknown> {
  const kinds = Object.entries(AGENT_SCHEMAS);
  const chain = (i: number): Record<string, unknown> => {
    const [kind, branch] = kinds[i];
    if (i === kinds.length - 1) return { ...branch };
    const type = (branch.properties as Record<string, { type: string }>)[kind].type;
    return {
      if: { properties: { [kind]: { type } }, required: [kind] },
      then: branch,
      else: chain(i + 1),
    };
  };
  return { type: "object", ...chain(0) };
}

/** The agent kinds that can grade `judge:` checks: those that answer a chat. */
export const JUDGE_KINDS = ["openai", "anthropic", "onnx"] as const satisfies readonly AgentKind[];

/**
 * The suite's `judge:` entry: an agent of a chat kind (its `agents:` branch without `only:`),
 * picked by its key like an `agents:` entry; an entry naming none is held to `openai:`.
 */
function judgeSchema(): Record<string, unknown> {
  const branch = (k: (typeof JUDGE_KINDS)[number]) => {
    const { only: _, ...properties } = AGENT_SCHEMAS[k].properties as Record<string, unknown>;
    return { ...AGENT_SCHEMAS[k], properties };
  };
  // openai: is the last branch: an entry naming no kind is held to it.
  const chain = (kinds: readonly (typeof JUDGE_KINDS)[number][]): Record<string, unknown> => {
    const [k, ...more] = kinds;
    if (more.length === 0) return branch(k);
    const type = (AGENT_SCHEMAS[k].properties as Record<string, { type: string }>)[k].type;
    return {
      if: { properties: { [k]: { type } }, required: [k] },
      then: branch(k),
      else: chain(more),
    };
  };
  return {
    type: "object",
    description:
      "The agent that grades the tasks' judge: checks (an endpoint or an ONNX model; recorded as the agent `judge`). Without it, judge: checks are skipped and reported as not scored.",
    ...chain(["anthropic", "onnx", "openai"]),
  };
}

/**
 * `user:`: the model agent that plays the simulated user of the suite's conversational tasks (an
 * `agents:` entry by name, or an entry written here), and how many replies it may give.
 */
function userSchema(): Record<string, unknown> {
  return {
    type: "object",
    required: ["agent"],
    additionalProperties: false,
    description:
      "Who plays the simulated user of conversational tasks (tasks with user:): a model agent, from the task's instructions, persona and known_info. Absent: the scripted user.",
    properties: {
      agent: {
        description:
          "The name of an agents: entry (it is benchmarked as an agent too), or an agent entry written here (onnx:, openai: or anthropic:).",
        oneOf: [
          { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]*$" },
          agentEntrySchema(),
        ],
      },
      max_turns: {
        type: "integer",
        minimum: 1,
        description:
          "Most user replies per episode; one more plain message of the agent ends the episode at the limit, as an error (default: only the protocol's max_turns).",
      },
    },
  };
}

/**
 * The JSON Schema of a suite file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { suiteSchema } from "./suite.schema.ts";
 * assert.equal(suiteSchema().properties.agents.type, "object");
 * ```
 */
export function suiteSchema() {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://tooltrial.dev/schema/v1/suite.json",
    title: "tooltrial suite (spec v1)",
    description:
      "What `tooltrial bench` runs: environments × agents × protocols × samples × seeds.",
    type: "object",
    required: ["tooltrial", "suite", "envs", "agents"],
    additionalProperties: false,
    properties: {
      $schema: { type: "string" },
      tooltrial: { const: 1, description: "Spec version; always 1." },
      suite: { type: "string", pattern: "^[a-z][a-z0-9_-]*$" },
      description: { type: "string" },
      envs: {
        type: "array",
        minItems: 1,
        items: {
          type: "string",
          description: "Folder with an env.yaml, or an env YAML file, relative to this suite.",
        },
      },
      variants: {
        $ref: "variants.json#/$defs/variants",
        description: "Variants run on every environment, besides clean.",
      },
      heldout: {
        type: "object",
        additionalProperties: false,
        description:
          "What training must not see: whole environments and tool families. Their tasks are reported as unseen_env / unseen_tool.",
        properties: {
          envs: {
            type: "array",
            items: { type: "string" },
            description: "Environment names held out.",
            default: [],
          },
          tools: {
            type: "array",
            items: {
              type: "string",
              pattern: "^[a-z][a-z0-9_-]*/[A-Za-z0-9_.*-]+$",
            },
            description:
              "Tool families held out, as env/tool patterns; * matches any characters (e.g. library/*_hold).",
            default: [],
          },
        },
      },
      agents: {
        type: "object",
        minProperties: 1,
        propertyNames: { pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]*$" },
        additionalProperties: agentEntrySchema(),
      },
      user: userSchema(),
      judge: judgeSchema(),
      protocols: {
        type: "object",
        minProperties: 1,
        propertyNames: { pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]*$" },
        description: "Defaults to { direct: {}, trial: {trial_budget: 6} }.",
        additionalProperties: {
          type: "object",
          additionalProperties: false,
          properties: {
            kind: {
              enum: ["direct", "trial"],
              description: "Defaults to the protocol's name when that is direct or trial.",
            },
            trial_budget: {
              type: "integer",
              minimum: 0,
              description: "trial only: most tool calls in the trial phase (default 6).",
              default: 6,
            },
            max_turns: {
              type: "integer",
              minimum: 1,
              description: "Most assistant turns per phase (default 12).",
              default: 12,
            },
          },
        },
        default: { direct: {}, trial: { trial_budget: 6 } },
      },
      samples: {
        type: "integer",
        minimum: 1,
        default: 1,
        description: "Episodes per (task, agent, protocol, seed).",
      },
      tasks_per_env: {
        type: "integer",
        minimum: 1,
        description:
          "Run at most this many tasks of each environment: a deterministic sample, stratified by split (seen/unseen in proportion), chosen by a hash of env and task id. Leave out to run every task.",
      },
      seeds: {
        type: "array",
        minItems: 1,
        items: { type: "integer", minimum: 0 },
        default: [0],
      },
    },
  } as const;
}
