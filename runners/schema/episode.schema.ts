/**
 * The one source of runners/schema/episode.v1.json, the episode log's JSON Schema (`deno task
 * schemas` writes it; scripts/schemas_test.ts fails when the committed file differs). Split names
 * and call-error kinds come from where the code defines them.
 * @module
 */
import { EPISODE_SPLITS } from "../../spec/split_names.ts";
import { EPISODE_DEFS } from "./_episode_defs.schema.ts";

/**
 * The JSON Schema of one line of episodes.jsonl, version 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { episodeSchema } from "./episode.schema.ts";
 * assert.ok(episodeSchema().$defs !== undefined);
 * ```
 */
export function episodeSchema() {
  return {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://tooltrial.dev/schema/v1/episode.json",
    "title": "tooltrial episode event, version 1 (one JSON object per line of episodes.jsonl)",
    "type": "object",
    "required": [
      "v",
      "type",
    ],
    "properties": {
      "v": {
        "const": 1,
      },
      "episode": {
        "type": "string",
        "description": "env/variant/task/agent/protocol/seed.sample",
      },
    },
    "oneOf": [
      {
        "properties": {
          "type": {
            "const": "episode",
          },
          "v": true,
          "episode": true,
          "index": {
            "type": "integer",
            "minimum": 0,
            "description": "Position in the run's plan; logs merge in this order.",
          },
          "env": {
            "type": "string",
          },
          "task": {
            "type": "string",
          },
          "variant": {
            "type": "string",
          },
          "split": {
            "enum": [...EPISODE_SPLITS],
          },
          "agent": {
            "type": "string",
          },
          "protocol": {
            "type": "string",
          },
          "run_seed": {
            "type": "integer",
            "minimum": 0,
            "description": "The run seed (a suite seeds entry).",
          },
          "seed": {
            "type": "integer",
            "minimum": 0,
          },
          "sample": {
            "type": "integer",
            "minimum": 0,
          },
          "provider": {
            "type": "string",
            "description": "Execution provider a model agent ran on.",
          },
        },
        "required": [
          "index",
          "episode",
          "env",
          "task",
          "variant",
          "split",
          "agent",
          "protocol",
          "seed",
          "sample",
          "run_seed",
        ],
        "additionalProperties": false,
      },
      {
        "properties": {
          "type": {
            "const": "message",
          },
          "v": true,
          "episode": true,
          "phase": {
            "$ref": "#/$defs/phase",
          },
          "message": {
            "type": "object",
            "required": [
              "role",
            ],
            "properties": {
              "role": {
                "enum": [
                  "system",
                  "user",
                  "assistant",
                ],
              },
              "content": {
                "type": [
                  "string",
                  "null",
                ],
              },
              "tool_calls": {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": [
                    "id",
                    "type",
                    "function",
                  ],
                  "properties": {
                    "id": {
                      "type": "string",
                    },
                    "type": {
                      "const": "function",
                    },
                    "function": {
                      "type": "object",
                      "required": [
                        "name",
                        "arguments",
                      ],
                      "properties": {
                        "name": {
                          "type": "string",
                        },
                        "arguments": {
                          "type": "string",
                        },
                      },
                    },
                  },
                },
              },
            },
          },
          "user": {
            "type": "object",
            "description":
              "On a simulated user's reply (a task with user:): where it came from. turns: the next scripted turn (index, 0-based); known_info: the facts the agent asked for (keys); stop: nothing left to say, the episode ends; model: a model agent playing the user wrote it (stop: the stop token it said, which ended the episode).",
            "required": [
              "source",
            ],
            "additionalProperties": false,
            "properties": {
              "source": {
                "enum": [
                  "turns",
                  "known_info",
                  "stop",
                  "model",
                ],
              },
              "stop": {
                "type": "string",
                "minLength": 1,
              },
              "index": {
                "type": "integer",
                "minimum": 0,
              },
              "keys": {
                "type": "array",
                "minItems": 1,
                "items": {
                  "type": "string",
                },
              },
            },
          },
        },
        "required": [
          "episode",
          "phase",
          "message",
        ],
        "additionalProperties": false,
      },
      {
        "properties": {
          "type": {
            "const": "tool",
          },
          "v": true,
          "episode": true,
          "phase": {
            "$ref": "#/$defs/phase",
          },
          "call": {
            "type": "object",
            "required": [
              "id",
              "name",
              "arguments",
            ],
            "properties": {
              "id": {
                "type": "string",
              },
              "name": {
                "type": "string",
              },
              "arguments": true,
            },
          },
          "canonical": {
            "description":
              "The call in the environment's own names as it reached it; null if it never did.",
            "oneOf": [
              {
                "type": "null",
              },
              {
                "type": "object",
                "required": [
                  "tool",
                  "args",
                ],
                "additionalProperties": false,
                "properties": {
                  "tool": {
                    "type": "string",
                  },
                  "args": {
                    "type": "object",
                  },
                },
              },
            ],
          },
          "observation": { "$ref": "#/$defs/observation" },
          "invalid": {
            "type": "boolean",
          },
          "ms": {
            "type": "number",
            "minimum": 0,
            "description": "Timing: the only non-deterministic field.",
          },
        },
        "required": [
          "episode",
          "phase",
          "call",
          "canonical",
          "observation",
          "invalid",
          "ms",
        ],
        "additionalProperties": false,
      },
      {
        "description":
          "A call of the simulated user's tools (user_tools:, over user_state:), made before its reply.",
        "properties": {
          "type": {
            "const": "user_tool",
          },
          "v": true,
          "episode": true,
          "phase": {
            "$ref": "#/$defs/phase",
          },
          "source": {
            "enum": ["calls", "model"],
            "description":
              "calls: the scripted user's user: calls:; model: the model playing the user.",
          },
          "call": {
            "type": "object",
            "required": ["id", "name", "arguments"],
            "properties": {
              "id": { "type": "string" },
              "name": { "type": "string" },
              "arguments": true,
            },
          },
          "observation": { "$ref": "#/$defs/observation" },
          "ms": {
            "type": "number",
            "minimum": 0,
            "description": "Timing: the only non-deterministic field.",
          },
        },
        "required": ["episode", "phase", "source", "call", "observation", "ms"],
        "additionalProperties": false,
      },
      {
        "properties": {
          "type": {
            "const": "phase",
          },
          "v": true,
          "episode": true,
          "phase": {
            "$ref": "#/$defs/phase",
          },
        },
        "required": [
          "episode",
          "phase",
        ],
        "additionalProperties": false,
      },
      {
        "properties": {
          "type": {
            "const": "result",
          },
          "v": true,
          "episode": true,
          "success": {
            "type": "boolean",
          },
          "answer": {
            "type": [
              "string",
              "null",
            ],
          },
          "checks": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "name",
                "passed",
              ],
              "properties": {
                "name": {
                  "type": "string",
                },
                "passed": {
                  "type": "boolean",
                },
                "detail": {
                  "type": "string",
                },
                "stages": {
                  "type": "object",
                  "description":
                    "A first_action_only calls check: RoTBench's stages the first action reached.",
                  "required": [
                    "tool_selection",
                    "parameter_identification",
                    "content_filling",
                  ],
                  "properties": {
                    "tool_selection": {
                      "type": "boolean",
                    },
                    "parameter_identification": {
                      "type": "boolean",
                    },
                    "content_filling": {
                      "type": "boolean",
                    },
                  },
                },
                "judge": {
                  "type": "object",
                  "description":
                    "A judge: check's grade of one assertion: met (null when the answer could not be read or the judge failed), the judge's reason and raw answer, and the error.",
                  "required": ["assertion", "met", "raw"],
                  "properties": {
                    "assertion": { "type": "string" },
                    "met": { "type": ["boolean", "null"] },
                    "reason": { "type": "string" },
                    "raw": { "type": "string" },
                    "error": { "type": "string" },
                  },
                },
                "skipped": {
                  "const": true,
                  "description":
                    "Not scored (a judge: check with no judge configured): decides nothing.",
                },
                "advisory": {
                  "const": true,
                  "description": "Graded and logged; success does not depend on it.",
                },
              },
            },
          },
          "metrics": {
            "type": "object",
            "required": [
              "calls",
              "trial_calls",
              "invalid_calls",
              "trial_invalid_calls",
              "failed_calls",
              "self_corrections",
              "turns",
              "ast_match",
            ],
            "additionalProperties": {
              "type": "integer",
              "minimum": 0,
            },
            "properties": {
              "ast_match": {
                "type": "boolean",
              },
              "backend_failures": {
                "type": "integer",
                "minimum": 0,
                "description":
                  "Calls that failed inside a handler, MCP or HTTP backend rather than in the tool's logic (absent from logs written before backends).",
              },
              "user_turns": {
                "type": "integer",
                "minimum": 0,
                "description":
                  "The simulated user's replies after its first message, its stop message included (conversations only: a task with user:).",
              },
              "cost_usd": {
                "type": "number",
                "minimum": 0,
                "description":
                  "What an endpoint agent's turns cost, where the suite gives its prices.",
              },
            },
          },
          "error": {
            "type": [
              "string",
              "null",
            ],
          },
          "ms": {
            "type": "number",
            "minimum": 0,
          },
          "digest": {
            "type": "string",
            "pattern": "^[0-9a-f]{64}$",
            "description":
              "SHA-256 chained over the log: the previous result's digest (or the run header line's hash) and every line of this episode, this one without its digest. report, merge and reproduce check it.",
          },
        },
        "required": [
          "episode",
          "success",
          "answer",
          "checks",
          "metrics",
          "error",
          "ms",
        ],
        "additionalProperties": false,
      },
      {
        "description":
          "How a variant changed one environment's interface; written once per (env, variant, seed), before its first episode.",
        "properties": {
          "type": {
            "const": "variant",
          },
          "v": true,
          "env": {
            "type": "string",
          },
          "variant": {
            "type": "string",
          },
          "seed": {
            "type": "integer",
          },
          "ops": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "op",
                "options",
                "changes",
              ],
            },
          },
          "tools": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "name",
                "canonical",
                "params",
                "added",
                "scaled",
                "described",
              ],
            },
          },
        },
        "required": [
          "env",
          "variant",
          "seed",
          "ops",
          "tools",
        ],
        "additionalProperties": false,
      },
      {
        "description":
          "The first line of an episode log: the run, its shard, and its provenance as of the start.",
        "properties": {
          "type": {
            "const": "run",
          },
          "v": true,
          "run_id": {
            "type": "string",
          },
          "shard": {
            "oneOf": [
              {
                "type": "null",
              },
              {
                "type": "object",
                "required": [
                  "index",
                  "count",
                ],
                "properties": {
                  "index": {
                    "type": "integer",
                    "minimum": 0,
                  },
                  "count": {
                    "type": "integer",
                    "minimum": 1,
                  },
                },
              },
            ],
          },
          "planned": {
            "type": "integer",
            "minimum": 0,
          },
          "provenance": {
            "type": "object",
          },
        },
        "required": [
          "run_id",
          "shard",
          "planned",
          "provenance",
        ],
        "additionalProperties": false,
      },
    ],
    "$defs": EPISODE_DEFS,
  };
}
