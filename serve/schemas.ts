/**
 * The JSON Schemas of the environment API's request bodies: the server validates requests with
 * exactly these, and `openapi.json` is generated from them.
 */
import type { JsonSchema } from "../spec/types.ts";

const toolCall: JsonSchema = {
  type: "object",
  required: ["id", "function"],
  properties: {
    id: { type: "string", minLength: 1, maxLength: 200 },
    type: { const: "function" },
    function: {
      type: "object",
      required: ["name", "arguments"],
      properties: {
        name: { type: "string", maxLength: 200 },
        arguments: {
          description: "JSON text, as models emit it (an object is accepted too).",
          type: ["string", "object"],
        },
      },
    },
  },
};

/** POST /v1/sessions */
export const createSession: JsonSchema = {
  title: "CreateSession",
  type: "object",
  additionalProperties: false,
  required: ["env", "task"],
  properties: {
    env: { type: "string", description: "An environment of the served suite." },
    task: { type: "string", description: "A task id of that environment." },
    variant: { type: "string", default: "clean", description: "A variant the suite runs on it." },
    protocol: { type: "string", default: "direct", description: "A protocol of the suite." },
    seed: {
      type: "integer",
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      default: 0,
      description: "Run seed, an integer below 2^53 (larger ones cannot be represented exactly).",
    },
    sample: { type: "integer", minimum: 0, maximum: 1_000_000, default: 0 },
    agent: {
      type: "string",
      pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
      default: "remote",
      description: "A name for the agent: it is part of the episode id and its seed.",
    },
  },
};

/** POST /v1/sessions/{id}/step */
export const stepSession: JsonSchema = {
  title: "StepSession",
  type: "object",
  additionalProperties: false,
  required: ["message"],
  properties: {
    message: {
      description:
        "The agent's turn, an OpenAI-style assistant message: tool_calls to call tools, or plain content (trial notes, or the final answer).",
      type: "object",
      required: ["role"],
      properties: {
        role: { const: "assistant" },
        content: { type: ["string", "null"], maxLength: 100_000 },
        tool_calls: { type: "array", maxItems: 64, items: toolCall },
      },
    },
  },
};
