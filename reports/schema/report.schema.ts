/**
 * The one source of reports/schema/report.v1.json (`deno task schemas` writes it;
 * scripts/schemas_test.ts fails when the committed file differs). A row's metrics come from the
 * metric registry (reports/metric_registry.ts): each metric's `schema`, required unless `optional`.
 * @module
 */
import { EPISODE_SPLITS } from "../../spec/split_names.ts";
import { CHECK_KIND_NAMES, METRICS } from "../metric_registry.ts";
import { VARIANT_DEF } from "./_variant_def.schema.ts";

/** An interval that may be absent: null, or two numbers. */
const NULLABLE_PAIR = {
  oneOf: [
    { type: "null" },
    {
      type: "array",
      prefixItems: [{ type: "number" }, { type: "number" }],
      minItems: 2,
      maxItems: 2,
    },
  ],
};

/**
 * The JSON Schema of report.json, version 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reportSchema } from "./report.schema.ts";
 * assert.ok("success_rate" in reportSchema().$defs.row.properties);
 * ```
 */
export function reportSchema() {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://tooltrial.dev/schema/v1/report.json",
    title: "tooltrial report, version 1",
    type: "object",
    required: [
      "format",
      "version",
      "run_id",
      "provenance",
      "overall",
      "breakdown",
      "by_split",
      "robustness",
      "gaps",
      "comparisons",
      "variants",
      "episodes",
      "transcripts",
    ],
    additionalProperties: false,
    properties: {
      format: { const: "tooltrial.report" },
      version: { const: 1 },
      run_id: { type: "string", pattern: "^[0-9a-f]{16}$" },
      provenance: {
        type: "object",
        required: [
          "agents",
          "arch",
          "command",
          "concurrency",
          "deno",
          "execution_providers",
          "finished_at",
          "git_commit",
          "git_dirty",
          "machine",
          "onnxruntime",
          "os",
          "protocols",
          "samples",
          "seeds",
          "selection",
          "shards",
          "specs",
          "started_at",
          "suite",
          "tooltrial_version",
        ],
        properties: {
          tooltrial_version: { type: "string" },
          git_commit: {
            type: ["string", "null"],
          },
          git_dirty: {
            type: ["boolean", "null"],
          },
          deno: { type: "string" },
          v8: { type: "string" },
          typescript: { type: "string" },
          os: { type: "string" },
          arch: { type: "string" },
          started_at: { type: "string" },
          finished_at: { type: "string" },
          command: {
            type: "array",
            items: { type: "string" },
          },
          suite: {
            type: "object",
            required: ["name", "file", "sha256"],
            properties: {
              name: { type: "string" },
              file: { type: "string" },
              sha256: { $ref: "#/$defs/sha256" },
            },
          },
          specs: {
            type: "array",
            items: {
              type: "object",
              required: ["path", "sha256"],
              properties: {
                path: { type: "string" },
                sha256: { $ref: "#/$defs/sha256" },
              },
            },
          },
          backends: {
            type: "array",
            description: "Each environment's tool backends in use, with what each kind records.",
            items: {
              type: "object",
              required: ["env", "kind"],
              properties: {
                env: { type: "string" },
                kind: { type: "string" },
              },
            },
          },
          agents: {
            type: "array",
            items: {
              type: "object",
              required: ["name"],
            },
          },
          user: {
            type: "object",
            required: ["name"],
            description:
              "The model agent that played the simulated user (the suite's user:), recorded as agents are; absent: the scripted user.",
          },
          protocols: {
            type: "array",
            items: {
              type: "object",
              required: ["name", "kind"],
            },
          },
          seeds: {
            type: "array",
            items: { type: "integer" },
          },
          samples: { type: "integer", minimum: 1 },
          concurrency: { type: "integer", minimum: 1 },
          workers: { type: "integer", minimum: 1 },
          onnxruntime: {
            type: ["string", "null"],
          },
          machine: {
            type: "object",
            required: ["cpus", "memory_gb"],
            properties: {
              cpus: { type: "integer" },
              memory_gb: { type: "number" },
            },
          },
          selection: {
            type: "object",
            required: ["agents", "protocols", "variants", "splits"],
            additionalProperties: false,
            properties: {
              agents: {
                oneOf: [
                  { type: "null" },
                  {
                    type: "array",
                    items: { type: "string" },
                  },
                ],
              },
              protocols: {
                oneOf: [
                  { type: "null" },
                  {
                    type: "array",
                    items: { type: "string" },
                  },
                ],
              },
              variants: {
                oneOf: [
                  { type: "null" },
                  {
                    type: "array",
                    items: { type: "string" },
                  },
                ],
              },
              splits: {
                oneOf: [
                  { type: "null" },
                  {
                    type: "array",
                    items: { type: "string" },
                  },
                ],
              },
            },
          },
          execution_providers: {
            type: "object",
            additionalProperties: { type: "string" },
          },
          judge: {
            type: "object",
            required: ["name"],
            description:
              "The agent that graded the judge: checks (as agents are recorded); absent when the suite configures none, and then those checks were not scored.",
          },
          shards: {
            oneOf: [
              { type: "null" },
              {
                type: "array",
                items: { type: "string" },
              },
            ],
          },
        },
      },
      overall: {
        type: "array",
        items: { $ref: "#/$defs/row" },
      },
      breakdown: {
        type: "array",
        items: { $ref: "#/$defs/row" },
      },
      by_split: {
        type: "array",
        items: { $ref: "#/$defs/row" },
      },
      robustness: {
        type: "array",
        description:
          "clean − variant success, paired by (env, task, seed, sample), per agent × protocol × variant.",
        items: {
          type: "object",
          additionalProperties: false,
          required: [
            "agent",
            "protocol",
            "variant",
            "pairs",
            "clean_rate",
            "variant_rate",
            "drop",
            "ci95",
          ],
          properties: {
            agent: { type: "string" },
            protocol: { type: "string" },
            variant: { type: "string" },
            pairs: { type: "integer", minimum: 0 },
            clean_rate: { type: "number", minimum: 0, maximum: 1 },
            variant_rate: { type: "number", minimum: 0, maximum: 1 },
            drop: { type: "number", minimum: -1, maximum: 1 },
            ci95: NULLABLE_PAIR,
          },
        },
      },
      gaps: {
        type: "array",
        items: {
          type: "object",
          additionalProperties: false,
          required: [
            "agent",
            "protocol",
            "variant",
            "split",
            "seen_episodes",
            "unseen_episodes",
            "seen_rate",
            "unseen_rate",
            "gap",
            "ci95",
          ],
          properties: {
            agent: { type: "string" },
            protocol: { type: "string" },
            variant: { type: "string" },
            split: {
              enum: EPISODE_SPLITS.filter((x) => x !== "seen"),
            },
            seen_episodes: { type: "integer" },
            unseen_episodes: { type: "integer" },
            seen_rate: { type: "number" },
            unseen_rate: { type: "number" },
            gap: { type: "number" },
            ci95: NULLABLE_PAIR,
          },
        },
      },
      comparisons: {
        type: "array",
        items: {
          type: "object",
          additionalProperties: false,
          required: [
            "protocol",
            "variant",
            "a",
            "b",
            "pairs",
            "a_rate",
            "b_rate",
            "diff",
            "ci95",
            "only_a",
            "only_b",
            "p_value",
          ],
          properties: {
            protocol: { type: "string" },
            variant: { type: "string" },
            a: { type: "string" },
            b: { type: "string" },
            pairs: { type: "integer" },
            a_rate: { type: "number" },
            b_rate: { type: "number" },
            diff: { type: "number" },
            ci95: NULLABLE_PAIR,
            only_a: { type: "integer" },
            only_b: { type: "integer" },
            p_value: { type: "number", minimum: 0, maximum: 1 },
          },
        },
      },
      variants: {
        type: "array",
        description:
          "What each variant showed the agent, per (env, variant, seed): the operators applied and the visible tools beside the canonical ones.",
        items: { $ref: "#/$defs/variant" },
      },
      episodes: {
        type: "array",
        items: {
          type: "object",
          required: [
            "id",
            "env",
            "task",
            "variant",
            "split",
            "agent",
            "protocol",
            "seed",
            "sample",
            "success",
            "calls",
            "trial_calls",
            "invalid_calls",
            "self_corrections",
            "ast_match",
            "error",
            "failed_calls",
            "tokens",
            "ms",
            "episode_seed",
          ],
          additionalProperties: false,
          properties: {
            id: { type: "string" },
            env: { type: "string" },
            task: { type: "string" },
            variant: { type: "string" },
            split: {
              enum: [...EPISODE_SPLITS],
            },
            agent: { type: "string" },
            protocol: { type: "string" },
            seed: { type: "integer" },
            sample: { type: "integer" },
            success: { type: "boolean" },
            calls: { type: "integer" },
            trial_calls: { type: "integer" },
            invalid_calls: { type: "integer" },
            self_corrections: { type: "integer" },
            ast_match: { type: "boolean" },
            error: {
              type: ["string", "null"],
            },
            failed_calls: { type: "integer" },
            tokens: {
              type: ["integer", "null"],
            },
            cost_usd: { type: "number", minimum: 0 },
            user_turns: {
              type: "integer",
              minimum: 0,
              description: "The simulated user's replies (conversations only).",
            },
            first_action: {
              type: "object",
              additionalProperties: false,
              required: [
                "tool_selection",
                "parameter_identification",
                "content_filling",
              ],
              description:
                "RoTBench's stages the first action reached (tasks with a first_action_only calls check).",
              properties: {
                tool_selection: { type: "boolean" },
                parameter_identification: { type: "boolean" },
                content_filling: { type: "boolean" },
              },
            },
            failed_checks: {
              type: "array",
              minItems: 1,
              uniqueItems: true,
              items: { enum: [...CHECK_KIND_NAMES] },
              description:
                "The kinds of check that failed the episode (answered: no final answer), advisory checks aside.",
            },
            not_scored: {
              type: "array",
              minItems: 1,
              uniqueItems: true,
              items: { enum: [...CHECK_KIND_NAMES] },
              description:
                "Check kinds skipped as not scored: judge with no judge configured in the suite.",
            },
            judge_errors: {
              type: "integer",
              minimum: 1,
              description:
                "judge: assertions whose grade is an error (an unreadable answer, or none): counted as failed.",
            },
            ms: { type: "number" },
            episode_seed: { type: "integer" },
            backend_failures: { type: "integer", minimum: 0 },
          },
        },
      },
      transcripts: {
        type: "array",
        items: {
          type: "object",
          additionalProperties: false,
          required: ["id", "lines"],
          properties: {
            id: { type: "string" },
            lines: {
              type: "array",
              items: {
                type: "object",
                additionalProperties: false,
                required: ["phase", "kind", "text"],
                properties: {
                  phase: {
                    enum: ["trial", "execute"],
                  },
                  kind: {
                    enum: ["user", "assistant", "call", "result", "error", "check"],
                  },
                  text: { type: "string" },
                },
              },
            },
          },
        },
      },
      bfcl: {
        type: "array",
        description:
          "BFCL's per-category accuracy table (runs of imported BFCL entries: tasks with BFCL ids).",
        items: {
          type: "object",
          additionalProperties: false,
          required: [
            "agent",
            "protocol",
            "variant",
            "categories",
            "non_live_simple",
            "non_live_ast",
            "live_ast",
          ],
          properties: {
            agent: { type: "string" },
            protocol: { type: "string" },
            variant: { type: "string" },
            categories: {
              type: "object",
              additionalProperties: {
                type: "object",
                additionalProperties: false,
                required: ["episodes", "accuracy"],
                properties: {
                  episodes: { type: "integer", minimum: 1 },
                  accuracy: { type: "number", minimum: 0, maximum: 1 },
                },
              },
            },
            non_live_simple: { type: ["number", "null"], minimum: 0, maximum: 1 },
            non_live_ast: { type: ["number", "null"], minimum: 0, maximum: 1 },
            live_ast: { type: ["number", "null"], minimum: 0, maximum: 1 },
          },
        },
      },
    },
    $defs: {
      sha256: { type: "string", pattern: "^[0-9a-f]{64}$" },
      row: {
        type: "object",
        required: METRICS.filter((m) => !m.optional).map((m) => m.key),
        additionalProperties: false,
        properties: {
          agent: { type: "string" },
          protocol: { type: "string" },
          variant: { type: "string" },
          env: { type: "string" },
          split: { type: "string" },
          ...Object.fromEntries(METRICS.map((m) => [m.key, m.schema])),
        },
      },
      variant: VARIANT_DEF,
    },
  } as const;
}
