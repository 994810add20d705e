/**
 * The one source of spec/schema/env.json (`deno task schemas` writes it; scripts/schemas_test.ts
 * fails when the committed file differs). The tool backends' keys come from their registry
 * (spec/backends/), the check kinds' from tasks/checks.ts, the split names from spec/split_names.ts.
 * @module
 */
import { BACKEND_KINDS } from "../backends/mod.ts";
import { TASK_SPLITS } from "../split_names.ts";
import { USER_DEF } from "./_user_def.schema.ts";

/** A text (or number), or a non-empty list of them: what `contains` and `excludes` take. */
const ONE_OR_MORE_TEXTS = {
  oneOf: [
    { type: ["string", "number"] },
    { type: "array", minItems: 1, items: { type: ["string", "number"] } },
  ],
} as const;

/** The registries env.json takes names from that live above the spec layer. */
export interface EnvSchemaNames {
  /** Every check kind: its key under a task's `check:` and that key's schema. */
  checks: readonly { key: string; schema: Readonly<Record<string, unknown>> }[];
}

/** The schema of the backend kind selected by `key`. */
function backendSchema(key: string): Readonly<Record<string, unknown>> {
  return BACKEND_KINDS.find((b) => b.key === key)!.schema;
}

/** Every backend kind's key and schema but those in `placed` (written where they belong). */
function backendProperties(placed: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(
    BACKEND_KINDS.filter((b) => !placed.includes(b.key)).map((b) => [b.key, b.schema]),
  );
}

/**
 * The JSON Schema of an environment file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { envSchema } from "./env.schema.ts";
 * const s = envSchema({ checks: [{ key: "state", schema: { type: "string" } }] });
 * assert.ok("handler" in s.$defs.tool.properties);
 * ```
 */
export function envSchema(names: EnvSchemaNames) {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://tooltrial.dev/schema/v1/env.json",
    title: "tooltrial environment (spec v1)",
    description:
      "A tool environment: mutable state tables, tools over them, and tasks with checks.",
    type: "object",
    required: ["tooltrial", "env", "tools"],
    additionalProperties: false,
    properties: {
      $schema: { type: "string" },
      tooltrial: { const: 1, description: "Spec version; always 1." },
      env: {
        type: "string",
        pattern: "^[a-z][a-z0-9_-]*$",
        description: "Environment name: lowercase letters, digits, '-' and '_'.",
      },
      description: { type: "string" },
      policy: {
        description:
          "Rules the agent must follow (a domain policy, as in tau2-bench), rendered into its system prompt under a Policy heading in both protocols: the text itself, or {file: policy.md} relative to this spec. Tool names in it are rewritten to the names a variant shows.",
        oneOf: [
          { type: "string", minLength: 1 },
          {
            type: "object",
            required: ["file"],
            additionalProperties: false,
            properties: {
              file: {
                type: "string",
                minLength: 1,
                description: "A text (e.g. Markdown) file, relative to this spec.",
              },
            },
          },
        ],
      },
      now: {
        type: "string",
        pattern:
          "^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})?)?$",
        description:
          "The time $now() (and $millis()) returns in this environment's expressions, as an ISO 8601 date or time (e.g. 2026-03-02T09:00:00Z). Default 2026-01-15T09:00:00Z; never the wall clock.",
      },
      state: {
        $ref: "#/$defs/tables",
        description:
          "Initial mutable state: named tables, inline rows or a data file next to the spec.",
      },
      tools: {
        type: "array",
        minItems: 1,
        items: { $ref: "#/$defs/tool" },
      },
      user_state: {
        $ref: "#/$defs/tables",
        description:
          "What the simulated user holds (its phone, its account…): named tables like state:, which only user_tools: read and write. A task's user: state: merges over it; a user_state: check reads its final value.",
      },
      user_tools: {
        type: "array",
        minItems: 1,
        items: { $ref: "#/$defs/tool" },
        description:
          "Tools the simulated user may call (tau2's user tools): written like tools: (JSONata errors, effect, result) over user_state, seen as state. A model user is offered them; the scripted user makes a task's user: calls:. The agent never sees them.",
      },
      tasks: {
        type: "array",
        items: { $ref: "#/$defs/task" },
      },
      variants: {
        $ref: "variants.json#/$defs/variants",
        description:
          "Variants for this environment only; a suite variant of the same name is replaced by this one here.",
      },
      sandbox: {
        type: "object",
        additionalProperties: false,
        description: "Limits of the handler sandbox.",
        properties: {
          timeout_ms: {
            type: "integer",
            minimum: 1,
            maximum: 600000,
            description: "Per-call time limit (default 1000).",
            default: 1000,
          },
          memory_mb: {
            type: "integer",
            minimum: 16,
            maximum: 8192,
            description: "Heap limit in MiB (default 128).",
            default: 128,
          },
        },
      },
      servers: {
        type: "object",
        description: "Stdio MCP servers, started per episode from a pool and reset between uses.",
        propertyNames: { pattern: "^[A-Za-z_][A-Za-z0-9_-]*$" },
        additionalProperties: { $ref: "#/$defs/server" },
      },
      http: {
        type: "object",
        required: ["base_url"],
        additionalProperties: false,
        description: "Where HTTP tools send requests, and their record/replay cassette.",
        properties: {
          base_url: {
            type: "string",
            pattern: "^https?://",
            description: "e.g. https://api.example.com/v1",
          },
          cassette: {
            type: "string",
            pattern: "\\.jsonl$",
            description: "Recorded exchanges, relative to this spec (default cassette.jsonl).",
            default: "cassette.jsonl",
          },
        },
      },
    },
    $defs: {
      expr: {
        type: "string",
        minLength: 1,
        description: "A JSONata expression over {state}, with $args bound to the call's arguments.",
      },
      tool: {
        type: "object",
        additionalProperties: false,
        properties: {
          name: { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_.-]{0,63}$" },
          description: { type: "string" },
          parameters: {
            type: "object",
            description: "JSON Schema of the arguments object.",
            required: ["type"],
            properties: {
              type: { const: "object" },
            },
          },
          errors: {
            type: "array",
            description:
              "Checked in order before the effect; the first rule whose `when` is true answers with its message.",
            items: {
              type: "object",
              required: ["when", "message"],
              additionalProperties: false,
              properties: {
                when: { $ref: "#/$defs/expr" },
                message: {
                  type: "string",
                  description: "Text; {{expr}} parts are JSONata.",
                },
              },
            },
          },
          effect: backendSchema("effect"),
          result: {
            $ref: "#/$defs/expr",
            description:
              "What the call returns (sees the state after the effect); for a handler, MCP or HTTP tool, a reshaping of its answer, bound to $result.",
          },
          ...backendProperties(["effect"]),
          timeout_ms: {
            type: "integer",
            minimum: 1,
            maximum: 600000,
            description: "Per-call time limit of a handler, MCP or HTTP tool.",
          },
        },
        if: {
          required: ["mcp"],
          properties: {
            mcp: { type: "object" },
          },
        },
        then: {},
        else: {
          required: ["name", "description", "parameters"],
          properties: { name: true, description: true, parameters: true },
        },
      },
      call: {
        type: "object",
        required: ["tool"],
        additionalProperties: false,
        properties: {
          tool: { type: "string" },
          args: { type: "object" },
        },
      },
      task: {
        type: "object",
        required: ["id", "query", "check"],
        additionalProperties: false,
        properties: {
          id: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]*$" },
          query: { type: "string", minLength: 1 },
          split: {
            enum: [...TASK_SPLITS],
            default: "seen",
          },
          tags: {
            type: "array",
            items: { type: "string" },
            default: [],
          },
          tools: {
            type: "array",
            items: { type: "string" },
            description:
              "The environment's tools this task offers (canonical names), when it offers only some: the agent sees only these (and a variant's distractors); a call to another of the environment's tools is an unknown tool. [] offers none (the agent must answer without tools). Every gold call's tool must be among them.",
          },
          grounded: {
            type: "boolean",
            default: true,
            description:
              "false: the reference answer is computed from the results (a sum, a difference), so validate does not ask for every value an answer check expects to appear in the gold calls' results or the query. The tag compute does the same.",
          },
          state: {
            $ref: "#/$defs/tables",
            description:
              "This task's own initial state, merged over the environment's table by table: a table named here replaces the environment's table of that name for this task; a new name adds a table. Rows are checked against the environment's table (known columns, value types).",
          },
          history: {
            type: "array",
            description:
              "Earlier messages of the conversation, placed after the system prompt and before the task's query.",
            items: {
              type: "object",
              required: ["role", "content"],
              additionalProperties: false,
              properties: {
                role: {
                  enum: ["user", "assistant"],
                  description: "Who said it.",
                },
                content: {
                  type: "string",
                  minLength: 1,
                  description: "What was said.",
                },
              },
            },
          },
          user: { $ref: "#/$defs/user" },
          gold: {
            type: "array",
            items: { $ref: "#/$defs/call" },
          },
          answer: {
            type: ["string", "number", "boolean"],
            description:
              "The reference final answer (what scripted agents say). Defaults to check.answer's equals/contains/number value.",
          },
          check: {
            type: "object",
            minProperties: 1,
            additionalProperties: false,
            properties: Object.fromEntries(names.checks.map((c) => [c.key, c.schema])),
          },
        },
      },
      judgeAssertions: {
        type: "array",
        minItems: 1,
        items: { type: "string", minLength: 1 },
        description:
          'Natural-language assertions, each graded on its own; all must be met (e.g. "The agent tells the user the book id b42.").',
      },
      answerCheck: {
        type: "object",
        minProperties: 1,
        additionalProperties: false,
        description: "All present checks must hold on the final answer text.",
        properties: {
          equals: {
            type: ["string", "number", "boolean"],
            description: "Whole answer, trimmed, case-insensitive.",
          },
          contains: {
            ...ONE_OR_MORE_TEXTS,
            description: "Case-insensitive substring(s); every one must appear.",
          },
          excludes: {
            ...ONE_OR_MORE_TEXTS,
            description: "Case-insensitive substring(s); none may appear.",
          },
          regex: {
            oneOf: [
              { type: "string" },
              {
                type: "object",
                required: ["pattern"],
                additionalProperties: false,
                properties: {
                  pattern: { type: "string" },
                  flags: { type: "string", pattern: "^[gimsuy]*$" },
                },
              },
            ],
            description:
              "A JavaScript regular expression (case-insensitive unless flags are given).",
          },
          number: {
            type: "object",
            required: ["value"],
            additionalProperties: false,
            properties: {
              value: { type: "number" },
              tol: { type: "number", minimum: 0, default: 1e-6 },
            },
            description: "Some number in the answer is within tol of value (tol defaults to 1e-6).",
          },
          jsonata: {
            $ref: "#/$defs/expr",
            description: "JSONata over {answer, state}; must be true.",
          },
        },
      },
      callsCheck: {
        type: "object",
        additionalProperties: false,
        description:
          "The execution-phase calls that succeeded must match these possible answers (BFCL's format), one call per answer in any order. Give answers (one accepted list) or any_of (several).",
        properties: {
          mode: {
            enum: ["strict", "bfcl", "rotbench"],
            default: "strict",
            description:
              "strict (default): BFCL's rules without their known flaws; bfcl: BFCL's rules exactly, quirks included, for leaderboard-comparable scores; rotbench: RoTBench's rules (exact parameter names, exact values).",
          },
          answers: {
            type: "array",
            items: { $ref: "#/$defs/possibleCall" },
            description: "One entry per expected call; an empty list means no call is expected.",
          },
          any_of: {
            type: "array",
            minItems: 1,
            items: {
              type: "array",
              items: { $ref: "#/$defs/possibleCall" },
            },
            description:
              "Accepted alternatives, each a list like answers (possibly calls to different tools): the calls must match one of them. An empty alternative accepts no call.",
          },
          first_action_only: {
            type: "boolean",
            default: false,
            description:
              "Judge only the agent's first execution-phase action (RoTBench's scoring): its first call, whether it succeeded or not, or its final answer when it called nothing. Each alternative then lists at most one call; reports show the three RoTBench stages.",
          },
          wildcard: {
            type: "string",
            minLength: 1,
            description:
              'An accepted value that matches any value of a parameter the call gives, e.g. "None" as RoTBench writes it (strict and rotbench modes).',
          },
          names: {
            type: "object",
            additionalProperties: { type: "string", minLength: 1 },
            description:
              "Tool name → the function name the answers use (e.g. math_factorial: math.factorial).",
            default: {},
          },
        },
      },
      possibleCall: {
        type: "object",
        minProperties: 1,
        maxProperties: 1,
        description:
          '{function: {parameter: [accepted values]}}; "" among the values means the parameter may be omitted; a dict parameter\'s value is again {key: [accepted values]}.',
        additionalProperties: {
          type: "object",
          additionalProperties: { type: "array", minItems: 1 },
        },
      },
      server: {
        type: "object",
        required: ["npm"],
        additionalProperties: false,
        properties: {
          npm: {
            type: "string",
            pattern: "^(@[a-z0-9._-]+/)?[a-z0-9._-]+@[0-9]+\\.[0-9]+\\.[0-9]+[A-Za-z0-9.+-]*$",
            description: "The npm package, pinned: name@x.y.z.",
          },
          args: {
            type: "array",
            items: { type: "string" },
            description: "Arguments; {{dir}} is the instance's own folder.",
            default: [],
          },
          env: {
            type: "object",
            additionalProperties: { type: "string" },
            description: "Environment variables; {{dir}} is the instance's own folder.",
            default: {},
          },
          files: {
            type: "object",
            additionalProperties: { type: "string" },
            description: "Name in {{dir}} → file next to this spec, copied in at every reset.",
          },
          snapshot: {
            type: "object",
            required: ["tool", "tables"],
            additionalProperties: false,
            description:
              "State tables read back from the server after each of its calls, for checks.",
            properties: {
              tool: { type: "string" },
              args: { type: "object", default: {} },
              tables: {
                type: "object",
                minProperties: 1,
                propertyNames: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
                additionalProperties: { $ref: "#/$defs/expr" },
                description: "Table → JSONata over the tool's result.",
              },
            },
          },
          allow: {
            type: "object",
            additionalProperties: false,
            description: "Permissions beyond its own folder.",
            properties: {
              read: {
                type: "array",
                items: { type: "string" },
                default: [],
              },
              write: {
                type: "array",
                items: { type: "string" },
                default: [],
              },
              env: {
                type: "array",
                items: { type: "string" },
                default: [],
              },
            },
          },
          timeout_ms: {
            type: "integer",
            minimum: 1,
            maximum: 600000,
            description: "Per-call time limit (default 10000).",
            default: 10000,
          },
        },
      },
      tables: {
        type: "object",
        propertyNames: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
        additionalProperties: {
          oneOf: [
            {
              type: "array",
              items: { type: "object" },
            },
            {
              type: "object",
              required: ["file"],
              additionalProperties: false,
              properties: {
                file: {
                  type: "string",
                  pattern: "\\.(csv|json|jsonl)$",
                  description: "A .csv, .json or .jsonl file, relative to this spec.",
                },
              },
            },
          ],
        },
        description:
          "Named tables: each a list of rows (objects) inline, or {file: …} a data file next to the spec.",
      },
      user: USER_DEF,
    },
  } as const;
}
