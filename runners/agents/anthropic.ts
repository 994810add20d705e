import type { AnthropicAgentSpec } from "../../spec/types.ts";
import type { AssistantMessage, Message } from "../../core/messages.ts";
import {
  type EndpointAgent,
  endpointAgent,
  type EndpointRunOptions,
  unreadableTurn,
  type Wire,
} from "./endpoint.ts";

/** The version of the Messages API these requests are written for. */
export const ANTHROPIC_VERSION = "2023-06-01";

type Block =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: unknown }
  | { type: "tool_result"; tool_use_id: string; content: string; is_error?: boolean };

/** What one Messages API reply holds (the parts we read). */
interface MessagesReply {
  content?: { type?: string; text?: unknown; id?: unknown; name?: unknown; input?: unknown }[];
  usage?: { input_tokens?: number; output_tokens?: number };
  unreadable?: string;
}

/**
 * The conversation as the Messages API takes it: system messages go to `system`; a tool call is a
 * `tool_use` block of the assistant turn, its result a `tool_result` block of the next user turn;
 * consecutive messages of one role become one turn (the API wants user and assistant to alternate).
 */
export function toAnthropicMessages(messages: readonly Message[]): {
  system: string;
  messages: { role: "user" | "assistant"; content: Block[] }[];
} {
  const system: string[] = [];
  const out: { role: "user" | "assistant"; content: Block[] }[] = [];
  const push = (role: "user" | "assistant", blocks: Block[]) => {
    const last = out.at(-1);
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const m of messages) {
    if (m.role === "system") system.push(m.content);
    else if (m.role === "user") push("user", [{ type: "text", text: m.content || " " }]);
    else if (m.role === "tool") {
      push("user", [{ type: "tool_result", tool_use_id: m.tool_call_id, content: m.content }]);
    } else {
      const blocks: Block[] = m.content ? [{ type: "text", text: m.content }] : [];
      for (const tc of m.tool_calls ?? []) {
        let input: unknown = {};
        try {
          input = JSON.parse(tc.function.arguments);
        } catch { /* the episode already answered this call as unreadable */ }
        blocks.push({
          type: "tool_use",
          id: tc.id,
          name: tc.function.name || "unreadable_call",
          input: input && typeof input === "object" && !Array.isArray(input) ? input : {},
        });
      }
      // The API refuses an empty assistant turn.
      push("assistant", blocks.length > 0 ? blocks : [{ type: "text", text: "(no reply)" }]);
    }
  }
  return { system: system.join("\n\n"), messages: out };
}

/** The Anthropic Messages API: `POST {base_url}/messages` with `tools`. */
export const anthropicWire: Wire = {
  api: "anthropic",
  path: "/messages",
  headers: (key) => ({
    "anthropic-version": ANTHROPIC_VERSION,
    ...(key ? { "x-api-key": key } : {}),
  }),
  body(o, { messages, tools }) {
    const { system, messages: turns } = toAnthropicMessages(messages);
    return {
      model: o.model,
      max_tokens: o.max_tokens,
      ...(system ? { system } : {}),
      messages: turns,
      ...(tools.length > 0
        ? {
          tools: tools.map((t) => ({
            name: t.name,
            ...(t.description ? { description: t.description } : {}),
            input_schema: t.parameters ?? { type: "object", properties: {} },
          })),
        }
        : {}),
      temperature: o.temperature,
      ...(o.top_p === undefined ? {} : { top_p: o.top_p }),
    };
  },
  read(reply) {
    const r = (reply ?? {}) as MessagesReply;
    if (r.unreadable !== undefined) {
      return unreadableTurn(`the endpoint answered with a body that is not JSON: ${r.unreadable}`);
    }
    if (!Array.isArray(r.content)) {
      return unreadableTurn(
        `the endpoint answered without content blocks: ${JSON.stringify(reply).slice(0, 200)}`,
      );
    }
    const text = r.content.filter((b) => b?.type === "text" && typeof b.text === "string")
      .map((b) => b.text as string).join("");
    const calls = r.content.filter((b) => b?.type === "tool_use").map((b, i) => ({
      id: typeof b.id === "string" && b.id ? b.id : `call_${i}`,
      type: "function" as const,
      function: {
        name: typeof b.name === "string" ? b.name : "",
        arguments: JSON.stringify(b.input ?? {}),
      },
    }));
    const turn: AssistantMessage = calls.length > 0
      ? { role: "assistant", content: text || null, tool_calls: calls }
      : { role: "assistant", content: text };
    if (r.usage) {
      turn.usage = {
        prompt_tokens: r.usage.input_tokens ?? 0,
        completion_tokens: r.usage.output_tokens ?? 0,
      };
    }
    return turn;
  },
};

/**
 * An agent behind the Anthropic Messages API (or a server that speaks it): tools go out as
 * `input_schema`s, calls come back as `tool_use` blocks and results go in as `tool_result` blocks.
 * The API takes no seed: a cached reply is keyed by the episode's seed all the same.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { anthropicAgent } from "./anthropic.ts";
 * const a = anthropicAgent({
 *   name: "claude", kind: "anthropic", options: {},
 *   anthropic: { base_url: "http://127.0.0.1:8000/v1", model: "claude-x", temperature: 0, max_tokens: 512, timeout_s: 60, retries: 3, concurrency: 16, cache: true },
 * });
 * assert.ok(a.info?.kind === "anthropic");
 * ```
 */
export function anthropicAgent(
  spec: AnthropicAgentSpec,
  run?: EndpointRunOptions,
): EndpointAgent {
  return endpointAgent(spec, anthropicWire, run);
}
