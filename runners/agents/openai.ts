import type { OpenAIAgentSpec } from "../../spec/types.ts";
import type { AssistantMessage, AssistantToolCall } from "../../core/messages.ts";
import {
  type EndpointAgent,
  endpointAgent,
  type EndpointRunOptions,
  unreadableTurn,
  type Wire,
} from "./endpoint.ts";

/** What one chat completions reply holds (the parts we read). */
interface Completion {
  choices?: { message?: { content?: unknown; tool_calls?: Partial<AssistantToolCall>[] } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  unreadable?: string;
}

/** The OpenAI chat completions API: `POST {base_url}/chat/completions` with `tools`. */
export const openaiWire: Wire = {
  api: "openai",
  path: "/chat/completions",
  headers: (key): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {}),
  body: (o, { messages, tools, seed }) => ({
    model: o.model,
    messages,
    ...(tools.length > 0
      ? { tools: tools.map((t) => ({ type: "function", function: t })), tool_choice: "auto" }
      : {}),
    temperature: o.temperature,
    ...(o.top_p === undefined ? {} : { top_p: o.top_p }),
    max_tokens: o.max_tokens,
    // Endpoints that support it sample reproducibly; the others ignore it.
    seed,
  }),
  read(reply) {
    const c = (reply ?? {}) as Completion;
    if (c.unreadable !== undefined) {
      return unreadableTurn(`the endpoint answered with a body that is not JSON: ${c.unreadable}`);
    }
    const m = Array.isArray(c.choices) ? c.choices[0]?.message : undefined;
    if (!m || typeof m !== "object") {
      return unreadableTurn(
        `the endpoint answered without choices[0].message: ${JSON.stringify(reply).slice(0, 200)}`,
      );
    }
    const calls = (Array.isArray(m.tool_calls) ? m.tool_calls : []).map((tc, i) => ({
      id: typeof tc?.id === "string" && tc.id ? tc.id : `call_${i}`,
      type: "function" as const,
      function: {
        name: typeof tc?.function?.name === "string" ? tc.function.name : "",
        // Kept as the model wrote it: an argument string that is not JSON is an invalid call.
        arguments: typeof tc?.function?.arguments === "string"
          ? tc.function.arguments
          : JSON.stringify(tc?.function?.arguments ?? {}),
      },
    }));
    const content = typeof m.content === "string" ? m.content : null;
    const turn: AssistantMessage = calls.length > 0
      ? { role: "assistant", content, tool_calls: calls }
      : { role: "assistant", content: content ?? "" };
    if (c.usage) {
      turn.usage = {
        prompt_tokens: c.usage.prompt_tokens ?? 0,
        completion_tokens: c.usage.completion_tokens ?? 0,
      };
    }
    return turn;
  },
};

/**
 * An agent behind any OpenAI-compatible `/chat/completions` endpoint (vLLM, llama.cpp's server,
 * TGI, `tooltrial serve --model`, OpenAI): each turn posts the conversation and the tools as the
 * variant shows them, and reads back the assistant message with its `tool_calls`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openaiAgent } from "./openai.ts";
 * const a = openaiAgent({
 *   name: "api", kind: "openai", options: {},
 *   openai: { base_url: "http://127.0.0.1:8000/v1", model: "qwen", temperature: 0, max_tokens: 256, timeout_s: 60, retries: 3, concurrency: 16, cache: true },
 * });
 * assert.ok(a.info?.kind === "openai");
 * ```
 */
export function openaiAgent(spec: OpenAIAgentSpec, run?: EndpointRunOptions): EndpointAgent {
  return endpointAgent(spec, openaiWire, run);
}
