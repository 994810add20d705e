import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";

/** One tau2 task as tasks.json holds it (src/tau2/data_model/tasks.py), the fields read here. */
export interface Tau2Task {
  id: string;
  description?: { purpose?: string | null; notes?: string | null } | null;
  user_scenario: {
    persona?: string | null;
    instructions: string | {
      domain?: string;
      reason_for_call: string;
      known_info?: string | null;
      unknown_info?: string | null;
      task_instructions: string;
    };
  };
  ticket?: string | null;
  initial_state?: {
    initialization_data?: {
      agent_data?: Record<string, unknown> | null;
      user_data?: Record<string, unknown> | null;
    } | null;
    initialization_actions?: Tau2FunctionCall[] | null;
    message_history?: Tau2Message[] | null;
  } | null;
  evaluation_criteria?: {
    actions?: Tau2Action[] | null;
    env_assertions?: (Tau2FunctionCall & { assert_value?: boolean })[] | null;
    communicate_info?: string[] | null;
    nl_assertions?: string[] | null;
    reward_basis?: Tau2Reward[];
  } | null;
}

/** What gates a tau2 task's reward (RewardType). */
export type Tau2Reward = "DB" | "ENV_ASSERTION" | "NL_ASSERTION" | "ACTION" | "COMMUNICATE";

/** A tool call of the reference trajectory (Action). */
export interface Tau2Action {
  action_id?: string;
  requestor?: "assistant" | "user";
  name: string;
  arguments: Record<string, unknown>;
  info?: string | null;
  compare_args?: string[] | null;
}

/** A call of a function of the agent's or the user's environment (EnvFunctionCall). */
export interface Tau2FunctionCall {
  env_type: "assistant" | "user";
  func_name: string;
  arguments: Record<string, unknown>;
}

/** A message of an initial history. */
export interface Tau2Message {
  role: "user" | "assistant" | "tool";
  content?: string | null;
  id?: string;
  tool_calls?: { id: string; name: string; arguments: Record<string, unknown> }[] | null;
}

const str = { type: "string" };
const optStr = { type: ["string", "null"] };
const args = { type: "object", description: "the call's arguments by name" };
const functionCall = {
  type: "object",
  required: ["env_type", "func_name", "arguments"],
  properties: {
    env_type: { enum: ["assistant", "user"], description: "whose environment runs the function" },
    func_name: str,
    arguments: args,
    assert_value: { type: "boolean" },
  },
};

/** JSON Schema of tasks.json: what this importer relies on (other fields are ignored, as tau2 does). */
const TASKS_SCHEMA = {
  type: "array",
  description: "tau2's tasks.json: a list of tasks",
  items: {
    type: "object",
    required: ["id", "user_scenario"],
    properties: {
      id: { type: "string", minLength: 1, description: "the task's id" },
      description: {
        type: ["object", "null"],
        properties: { purpose: optStr, notes: optStr },
      },
      user_scenario: {
        type: "object",
        required: ["instructions"],
        properties: {
          persona: optStr,
          instructions: {
            oneOf: [{ type: "string", minLength: 1 }, {
              type: "object",
              required: ["reason_for_call", "task_instructions"],
              properties: {
                reason_for_call: { type: "string", minLength: 1 },
                known_info: optStr,
                unknown_info: optStr,
                task_instructions: str,
              },
            }],
            description: "a text, or {domain, reason_for_call, known_info, task_instructions}",
          },
        },
      },
      ticket: optStr,
      initial_state: {
        type: ["object", "null"],
        properties: {
          initialization_data: {
            type: ["object", "null"],
            properties: {
              agent_data: { type: ["object", "null"] },
              user_data: { type: ["object", "null"] },
            },
          },
          initialization_actions: { type: ["array", "null"], items: functionCall },
          message_history: {
            type: ["array", "null"],
            items: {
              type: "object",
              required: ["role"],
              properties: {
                role: { enum: ["user", "assistant", "tool"] },
                content: optStr,
                id: str,
                tool_calls: {
                  type: ["array", "null"],
                  items: {
                    type: "object",
                    required: ["id", "name", "arguments"],
                    properties: { id: str, name: str, arguments: args },
                  },
                },
              },
            },
          },
        },
      },
      evaluation_criteria: {
        type: ["object", "null"],
        properties: {
          actions: {
            type: ["array", "null"],
            items: {
              type: "object",
              required: ["name", "arguments"],
              properties: {
                requestor: { enum: ["assistant", "user"] },
                name: str,
                arguments: args,
                compare_args: { type: ["array", "null"], items: str },
              },
            },
          },
          env_assertions: { type: ["array", "null"], items: functionCall },
          communicate_info: { type: ["array", "null"], items: str },
          nl_assertions: { type: ["array", "null"], items: str },
          reward_basis: {
            type: "array",
            items: {
              enum: ["DB", "ENV_ASSERTION", "NL_ASSERTION", "ACTION", "COMMUNICATE"],
              description: "what gates the reward",
            },
          },
        },
      },
    },
  },
};

let compiled: ValidateFunction | undefined;

/** A validator of tasks.json (compiled once); its errors name JSON pointers into the file. */
export function tau2TasksValidator(): ValidateFunction {
  compiled ??= new Ajv2020({ allErrors: true, verbose: true, allowUnionTypes: true })
    .compile(TASKS_SCHEMA);
  return compiled;
}
