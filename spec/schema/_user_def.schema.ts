/**
 * env.json's `$defs.user` (a task's simulated user), apart from env.schema.ts to keep that file
 * short. Its `$ref`s point into env.json's `$defs`.
 * @module
 */

/** The schema of a task's `user:`. */
export const USER_DEF = {
  type: "object",
  additionalProperties: false,
  description:
    "A simulated user. The query is the user's first message. The scripted user (the default) answers each plain-text reply of the agent with the next scripted turn, else the known_info values whose key words the reply contains, else the stop message, which ends the episode. A suite's user: agent plays it with a model instead, from instructions, persona and known_info.",
  properties: {
    instructions: {
      type: "string",
      minLength: 1,
      description:
        "What the user wants and how they behave: a model user's instructions (the scripted user does not read them).",
    },
    persona: {
      type: "string",
      minLength: 1,
      description:
        "Who the user is and how they talk, for a model user (the scripted user does not read it).",
    },
    state: {
      $ref: "#/$defs/tables",
      description:
        "This task's own user_state tables, merged over the environment's user_state table by table.",
    },
    calls: {
      type: "array",
      minItems: 1,
      items: { $ref: "#/$defs/call" },
      description:
        "User tool calls the scripted user makes, in order, when it first answers the agent (each logged as a user_tool event). A model user decides its own calls.",
    },
    known_info: {
      type: "object",
      minProperties: 1,
      propertyNames: { pattern: "^[A-Za-z][A-Za-z0-9_ -]*$" },
      additionalProperties: {
        type: ["string", "number", "boolean"],
      },
      description:
        "Facts the user holds: key → value. When the agent's reply contains every word of a key (case-insensitive, whole words; underscores and camelCase split words), the user tells its value, once.",
    },
    turns: {
      type: "array",
      minItems: 1,
      items: { type: "string", minLength: 1 },
      description:
        "What the user says, in order, to the agent's plain-text replies (before any known_info).",
    },
    stop: {
      type: "string",
      minLength: 1,
      default: "###STOP###",
      description: "What the user says when nothing is left to say; it ends the episode.",
    },
  },
} as const;
