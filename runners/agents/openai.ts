import type { OpenAIAgentSpec } from "../../spec/types.ts";
import type { Agent } from "../agent.ts";
import type { AssistantMessage, AssistantToolCall } from "../messages.ts";

/** What one chat completions call answered (the parts we read). */
interface Completion {
  choices?: { message?: { content?: string | null; tool_calls?: AssistantToolCall[] } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

/**
 * An agent behind any OpenAI-compatible `/chat/completions` endpoint (vLLM, llama.cpp's server,
 * TGI, OpenAI): each turn posts the conversation and the tools as the variant shows them, and
 * reads back the assistant message with its `tool_calls`. 429s, 5xx and network errors are retried
 * with exponential backoff; anything else fails the episode with the endpoint's message.
 *
 * @example
 * ```ts
 * import { openaiAgent } from "./openai.ts";
 * const a = openaiAgent({
 *   name: "api", kind: "openai", options: {},
 *   openai: { base_url: "http://127.0.0.1:8000/v1", model: "qwen", temperature: 0, max_tokens: 256, timeout_s: 60, retries: 3 },
 * });
 * console.assert(a.info?.kind === "openai");
 * ```
 */
export function openaiAgent(spec: OpenAIAgentSpec): Agent {
  const o = spec.openai;
  const key = o.api_key_env ? Deno.env.get(o.api_key_env) : undefined;
  if (o.api_key_env && !key) {
    throw new Error(
      `agent ${spec.name}: the environment variable ${o.api_key_env} (api_key_env) is not set`,
    );
  }
  const url = `${o.base_url}/chat/completions`;
  return {
    name: spec.name,
    info: { kind: "openai", provider: "remote", model: `${o.model} @ ${o.base_url}` },
    start(ctx) {
      return {
        async act(messages, tools): Promise<AssistantMessage> {
          const body = JSON.stringify({
            model: o.model,
            messages,
            ...(tools.length > 0
              ? {
                tools: tools.map((t) => ({ type: "function", function: t })),
                tool_choice: "auto",
              }
              : {}),
            temperature: o.temperature,
            max_tokens: o.max_tokens,
            // Endpoints that support it sample reproducibly; the others ignore it.
            seed: ctx.seed,
          });
          const c = await post(url, body, { key, timeoutS: o.timeout_s, retries: o.retries });
          const m = c.choices?.[0]?.message;
          if (!m) throw new Error(`${url} answered without choices[0].message`);
          const calls = (m.tool_calls ?? []).map((tc, i) => ({
            id: tc.id || `call_${i}`,
            type: "function" as const,
            function: {
              name: tc.function?.name ?? "",
              arguments: typeof tc.function?.arguments === "string"
                ? tc.function.arguments
                : JSON.stringify(tc.function?.arguments ?? {}),
            },
          }));
          const reply: AssistantMessage = calls.length > 0
            ? { role: "assistant", content: m.content ?? null, tool_calls: calls }
            : { role: "assistant", content: m.content ?? "" };
          if (c.usage) {
            reply.usage = {
              prompt_tokens: c.usage.prompt_tokens ?? 0,
              completion_tokens: c.usage.completion_tokens ?? 0,
            };
          }
          return reply;
        },
      };
    },
  };
}

async function post(
  url: string,
  body: string,
  opts: { key?: string; timeoutS: number; retries: number },
): Promise<Completion> {
  let last = "";
  for (let attempt = 0; attempt <= opts.retries; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 250 * 2 ** (attempt - 1)));
    let res: Response;
    try {
      res = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}),
        },
        body,
        signal: AbortSignal.timeout(opts.timeoutS * 1000),
      });
    } catch (err) {
      if (err instanceof Deno.errors.PermissionDenied) {
        throw new Error(`no network permission for ${url}: run with --allow-net`);
      }
      last = err instanceof Error ? err.message : String(err);
      continue;
    }
    const text = await res.text();
    if (res.ok) {
      try {
        return JSON.parse(text) as Completion;
      } catch {
        throw new Error(
          `${url} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`,
        );
      }
    }
    last = `${res.status} ${text.slice(0, 300)}`;
    if (res.status !== 429 && res.status < 500) break;
  }
  throw new Error(`${url} failed: ${last}`);
}
