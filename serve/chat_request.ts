/**
 * The body of `POST /v1/chat/completions`, parsed, checked and normalized once, at the edge: every
 * problem is an `OpenAiError` naming the parameter, what is wrong and how to fix it.
 * @module
 */
import { closeNames } from "../spec/mod.ts";
import type { ToolDef } from "../tools/types.ts";
import type { AssistantToolCall, Message } from "../core/messages.ts";
import type { Sampling } from "../onnx/runtime/sampler.ts";

/** An error in OpenAI's shape: `{error: {message, type, param, code}}` with its HTTP status. */
export class OpenAiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly type = status >= 500 ? "server_error" : "invalid_request_error",
  ) {
    super(message);
  }

  /** The response body. */
  body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return {
      error: { message: this.message, type: this.type, param: this.param, code: this.code },
    };
  }
}

/** Which tool calls the reply may or must make. */
export type ToolChoice =
  | { kind: "auto" }
  | { kind: "none" }
  | { kind: "required" }
  | { kind: "function"; name: string };

/** A chat completions request, normalized. Unset sampling fields fall back to the model's defaults. */
export interface ChatRequest {
  model: string;
  messages: Message[];
  tools: ToolDef[];
  toolChoice: ToolChoice;
  sampling: Partial<Sampling>;
  seed?: number;
  maxTokens?: number;
  stop: string[];
}

/** Parameters read as written. */
const KNOWN = [
  "model",
  "messages",
  "tools",
  "tool_choice",
  "temperature",
  "top_p",
  "top_k",
  "max_tokens",
  "max_completion_tokens",
  "seed",
  "stop",
  "n",
  "stream",
];
/** Parameters accepted and ignored (they change nothing here), or accepted at their no-op value. */
const IGNORED = [
  "user",
  "parallel_tool_calls",
  "metadata",
  "store",
  "service_tier",
  "stream_options",
  "logprobs",
  "frequency_penalty",
  "presence_penalty",
  "response_format",
  "functions",
  "function_call",
];

const bad = (message: string, param: string | null, code: string | null = null) =>
  new OpenAiError(400, message, param, code);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Check a parsed request body and normalize it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseChatRequest } from "./chat_request.ts";
 * const r = parseChatRequest({ model: "tiny", messages: [{ role: "user", content: "hi" }], seed: 3 });
 * assert.ok(r.seed === 3 && r.toolChoice.kind === "none");
 * ```
 */
export function parseChatRequest(body: unknown): ChatRequest {
  if (!isObject(body)) {
    throw bad("the request body must be a JSON object", null);
  }
  for (const key of Object.keys(body)) {
    if (KNOWN.includes(key)) continue;
    if (IGNORED.includes(key)) {
      checkNoOp(key, body[key]);
      continue;
    }
    const close = closeNames(key, [...KNOWN, ...IGNORED], 1);
    throw bad(
      `unknown parameter "${key}"${close.length ? ` (did you mean "${close[0]}"?)` : ""}`,
      key,
      "unknown_parameter",
    );
  }
  if (typeof body.model !== "string" || body.model === "") {
    throw bad("model must be the name of a served model (see GET /v1/models)", "model");
  }
  if (body.stream === true) {
    throw bad(
      "stream: true is not supported by tooltrial serve; send stream: false (or leave it out)",
      "stream",
      "unsupported_parameter",
    );
  }
  if (body.n !== undefined && body.n !== 1) {
    throw bad(
      `n must be 1 (one choice per request): current value is ${JSON.stringify(body.n)}`,
      "n",
      "unsupported_parameter",
    );
  }
  const tools = parseTools(body.tools);
  const out: ChatRequest = {
    model: body.model,
    messages: parseMessages(body.messages),
    tools,
    toolChoice: parseToolChoice(body.tool_choice, tools),
    sampling: {},
    stop: parseStop(body.stop),
  };
  const t = num(body, "temperature", 0, 2);
  if (t !== undefined) out.sampling.temperature = t;
  const p = num(body, "top_p", 0, 1);
  if (p !== undefined) {
    if (p === 0) throw bad("top_p must be above 0 (1 = off): current value is 0", "top_p");
    out.sampling.top_p = p;
  }
  const k = int(body, "top_k", 0);
  if (k !== undefined) out.sampling.top_k = k;
  const mt = int(body, "max_tokens", 1), mct = int(body, "max_completion_tokens", 1);
  if (mt !== undefined && mct !== undefined && mt !== mct) {
    throw bad(
      `max_tokens (${mt}) and max_completion_tokens (${mct}) disagree: send one of them`,
      "max_completion_tokens",
    );
  }
  out.maxTokens = mct ?? mt;
  const seed = body.seed;
  if (seed !== undefined && seed !== null) {
    if (typeof seed !== "number" || !Number.isSafeInteger(seed)) {
      throw bad(`seed must be an integer: current value is ${JSON.stringify(seed)}`, "seed");
    }
    out.seed = seed;
  }
  return out;
}

function checkNoOp(key: string, v: unknown) {
  const noop = key === "logprobs"
    ? v === false || v === null
    : key === "frequency_penalty" || key === "presence_penalty"
    ? v === 0 || v === null
    : key === "response_format"
    ? v === null || (isObject(v) && v.type === "text")
    : key === "functions" || key === "function_call"
    ? false
    : true;
  if (noop) return;
  const why = key === "functions" || key === "function_call"
    ? `"${key}" is the deprecated function-calling API: send "tools" and "tool_choice" instead`
    : `${key} is not supported by tooltrial serve: current value is ${
      JSON.stringify(v)
    }; leave it out`;
  throw bad(why, key, "unsupported_parameter");
}

function num(body: Record<string, unknown>, key: string, min: number, max: number) {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
    throw bad(
      `${key} must be a number from ${min} to ${max}: current value is ${JSON.stringify(v)}`,
      key,
    );
  }
  return v;
}

function int(body: Record<string, unknown>, key: string, min: number) {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) {
    throw bad(`${key} must be an integer ≥ ${min}: current value is ${JSON.stringify(v)}`, key);
  }
  return v;
}

function parseStop(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const list = typeof v === "string" ? [v] : v;
  if (
    !Array.isArray(list) || list.length > 16 ||
    list.some((s) => typeof s !== "string" || s === "")
  ) {
    throw bad("stop must be a string or a list of at most 16 non-empty strings", "stop");
  }
  return list as string[];
}

/** Message text: a string, or a list of `{type: "text", text}` parts joined. */
function text(v: unknown, param: string, nullable: boolean): string | null {
  if (typeof v === "string") return v;
  if ((v === null || v === undefined) && nullable) return null;
  if (Array.isArray(v)) {
    return v.map((part, i) => {
      if (isObject(part) && part.type === "text" && typeof part.text === "string") return part.text;
      throw bad(
        `${param}[${i}]: only text parts ({"type": "text", "text": …}) are supported`,
        `${param}[${i}]`,
      );
    }).join("");
  }
  throw bad(`${param} must be a string or a list of text parts`, param);
}

function parseMessages(v: unknown): Message[] {
  if (!Array.isArray(v) || v.length === 0) {
    throw bad("messages must be a non-empty list of chat messages", "messages");
  }
  const names = new Map<string, string>();
  return v.map((m, i): Message => {
    const at = `messages[${i}]`;
    if (!isObject(m)) throw bad(`${at} must be an object with a role`, at);
    const role = m.role;
    if (role === "system" || role === "developer") {
      return { role: "system", content: text(m.content, `${at}.content`, false)! };
    }
    if (role === "user") return { role: "user", content: text(m.content, `${at}.content`, false)! };
    if (role === "assistant") {
      const content = text(m.content, `${at}.content`, true);
      if (m.tool_calls === undefined || m.tool_calls === null) {
        return { role: "assistant", content: content ?? "" };
      }
      if (!Array.isArray(m.tool_calls)) {
        throw bad(`${at}.tool_calls must be a list`, `${at}.tool_calls`);
      }
      const calls = m.tool_calls.map((tc, j): AssistantToolCall => {
        const where = `${at}.tool_calls[${j}]`;
        const f = isObject(tc) ? tc.function : undefined;
        if (
          !isObject(tc) || typeof tc.id !== "string" || !isObject(f) || typeof f.name !== "string"
        ) {
          throw bad(
            `${where} must be {"id": …, "type": "function", "function": {"name": …, "arguments": …}}`,
            where,
          );
        }
        const args = f.arguments ?? "{}";
        names.set(tc.id, f.name);
        return {
          id: tc.id,
          type: "function",
          function: {
            name: f.name,
            arguments: typeof args === "string" ? args : JSON.stringify(args),
          },
        };
      });
      return calls.length > 0
        ? { role: "assistant", content, tool_calls: calls }
        : { role: "assistant", content: content ?? "" };
    }
    if (role === "tool") {
      if (typeof m.tool_call_id !== "string") {
        throw bad(
          `${at}.tool_call_id must name the assistant tool call this answers`,
          `${at}.tool_call_id`,
        );
      }
      return {
        role: "tool",
        tool_call_id: m.tool_call_id,
        name: typeof m.name === "string" ? m.name : names.get(m.tool_call_id) ?? "",
        content: text(m.content, `${at}.content`, false)!,
      };
    }
    throw bad(
      `${at}.role must be system, developer, user, assistant or tool: current value is ${
        JSON.stringify(role)
      }`,
      `${at}.role`,
    );
  });
}

function parseTools(v: unknown): ToolDef[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw bad("tools must be a list of function tools", "tools");
  const seen = new Set<string>();
  return v.map((t, i) => {
    const at = `tools[${i}]`;
    const f = isObject(t) ? t.function : undefined;
    if (!isObject(t) || t.type !== "function" || !isObject(f)) {
      throw bad(
        `${at} must be {"type": "function", "function": {"name": …, "description": …, "parameters": …}}`,
        at,
      );
    }
    if (typeof f.name !== "string" || f.name === "") {
      throw bad(`${at}.function.name must be a non-empty string`, `${at}.function.name`);
    }
    if (seen.has(f.name)) {
      throw bad(`${at}: two tools are named "${f.name}"`, `${at}.function.name`);
    }
    seen.add(f.name);
    if (f.description !== undefined && typeof f.description !== "string") {
      throw bad(`${at}.function.description must be a string`, `${at}.function.description`);
    }
    if (f.parameters !== undefined && !isObject(f.parameters)) {
      throw bad(
        `${at}.function.parameters must be a JSON Schema object`,
        `${at}.function.parameters`,
      );
    }
    // Kept as sent (absent stays absent): the template renders exactly what the client sent.
    return { name: f.name, description: f.description, parameters: f.parameters } as ToolDef;
  });
}

function parseToolChoice(v: unknown, tools: ToolDef[]): ToolChoice {
  if (v === undefined || v === null) return { kind: tools.length > 0 ? "auto" : "none" };
  if (v === "auto" || v === "none" || v === "required") {
    if (v === "required" && tools.length === 0) {
      throw bad('tool_choice "required" needs tools', "tool_choice");
    }
    return { kind: v };
  }
  if (isObject(v) && v.type === "function" && isObject(v.function)) {
    const name = v.function.name;
    if (typeof name === "string" && tools.some((t) => t.name === name)) {
      return { kind: "function", name };
    }
    const close = closeNames(String(name), tools.map((t) => t.name), 1);
    throw bad(
      `tool_choice names the function ${JSON.stringify(name)}, which is not among tools${
        close.length ? ` (did you mean "${close[0]}"?)` : ""
      }`,
      "tool_choice",
    );
  }
  throw bad(
    'tool_choice must be "auto", "none", "required" or {"type": "function", "function": {"name": …}}',
    "tool_choice",
  );
}
