import type { JsonSchema } from "../spec/types.ts";
import { VERSION } from "../version.ts";
import { createSession, stepSession } from "./schemas.ts";

const json = (schema: JsonSchema) => ({ content: { "application/json": { schema } } });
const problem = {
  description: "A problem: what went wrong and how to fix it.",
  ...json({
    type: "object",
    required: ["error"],
    properties: {
      error: {
        type: "object",
        required: ["status", "message"],
        properties: {
          status: { type: "integer" },
          message: { type: "string" },
          hint: { type: "string" },
        },
      },
    },
  }),
};
const errors = {
  "400": problem,
  "401": problem,
  "404": problem,
  "409": problem,
  "413": problem,
  "422": problem,
  "429": problem,
};
const sessionId = { name: "id", in: "path", required: true, schema: { type: "string" } };

/**
 * The OpenAPI 3.1 description of the environment API, generated from the same JSON Schemas the
 * server validates request bodies with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openApi } from "./openapi.ts";
 * assert.ok(openApi().openapi === "3.1.0");
 * ```
 */
export function openApi(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "tooltrial environment API",
      version: VERSION,
      description:
        "Drive tooltrial episodes from outside: open a session for (env, variant, task, protocol, seed), send the agent's turns, read observations, and get the reward when the episode ends. Results equal an in-process `tooltrial bench` episode with the same names and seed.",
    },
    components: {
      schemas: { CreateSession: createSession, StepSession: stepSession },
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    },
    security: [{ bearer: [] }],
    paths: {
      "/v1/envs": {
        get: {
          summary: "Environments of the served suite, with their variants",
          responses: { "200": { description: "ok" } },
        },
      },
      "/v1/envs/{env}/tasks": {
        get: {
          summary: "Tasks of one environment",
          parameters: [{ name: "env", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": { description: "ok" }, ...errors },
        },
      },
      "/v1/protocols": {
        get: { summary: "Protocols of the suite", responses: { "200": { description: "ok" } } },
      },
      "/v1/sessions": {
        post: {
          summary:
            "Open an episode: returns the session id, the (perturbed) tools in OpenAI format and the first messages",
          requestBody: { required: true, ...json({ $ref: "#/components/schemas/CreateSession" }) },
          responses: { "201": { description: "the session" }, ...errors },
        },
      },
      "/v1/sessions/{id}/step": {
        post: {
          summary:
            "Send the agent's turn: tool calls, or a plain message (trial notes or the final answer)",
          parameters: [sessionId],
          requestBody: { required: true, ...json({ $ref: "#/components/schemas/StepSession" }) },
          responses: {
            "200": { description: "observations, phase, done, and the result when done" },
            ...errors,
          },
        },
      },
      "/v1/sessions/{id}": {
        get: {
          summary:
            "The session's phase, turn count and result when done; its current (canonical) state only under serve --expose-state",
          parameters: [sessionId],
          responses: { "200": { description: "ok" }, ...errors },
        },
        delete: {
          summary: "Close the session (an unfinished episode is checked as it stands)",
          parameters: [sessionId],
          responses: { "200": { description: "closed, with the result" }, ...errors },
        },
      },
      "/mcp/{id}": {
        post: {
          summary:
            "MCP (Streamable HTTP) endpoint exposing one session's tools, as its variant shows them",
          parameters: [sessionId],
          responses: { "200": { description: "MCP response" }, ...errors },
        },
      },
    },
  };
}
