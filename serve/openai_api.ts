/**
 * `tooltrial serve --model NAME=PATH`: ONNX policies (the model folders `onnx:` agents load) behind
 * OpenAI's `GET /v1/models` and `POST /v1/chat/completions`, so any harness that speaks that API
 * can evaluate them. Each request is one `ChatModel.turn` — the step the in-process agent takes —
 * and concurrent requests share the model's batched decoder.
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { ChatModel } from "../onnx/runtime/chat_model.ts";
import { ContextFullError, turnIndex } from "../onnx/runtime/turns.ts";
import type { KvCache } from "../onnx/runtime/decoder.ts";
import type { Device } from "../onnx/runtime/providers.ts";
import type { Sampling } from "../onnx/runtime/sampler.ts";
import { parseToolCalls } from "../onnx/runtime/tool_calls.ts";
import type { AssistantMessage } from "../core/messages.ts";
import { OpenAiError, parseChatRequest } from "./chat_request.ts";
import { readBody } from "./read_body.ts";
import { ApiError } from "./sessions.ts";

/** Tokens a reply may have when the request sets no `max_tokens` (the `onnx:` agent's default). */
export const DEFAULT_MAX_TOKENS = 256;

/** A model being served, by the name clients send as `model`. */
export interface ServedModel {
  /** Name clients send as `model`. */
  name: string;
  /** The model folder it was loaded from. */
  path: string;
  /** The loaded model turns run on. */
  chat: ChatModel;
  /** Unix seconds it was loaded. */
  created: number;
  /** Sampling when a request sets none (the folder's generation_config.json). */
  defaults: Sampling;
  /**
   * Caches of recent replies (prompt and generated tokens). A conversation's next request starts
   * from its previous reply's cache, as the in-process agent's next turn does, so the tokens a
   * conversation sees do not depend on whether it runs in process or over HTTP.
   */
  replies: KvCache[];
  /** Most reply caches kept. */
  replyCache: number;
}

/** Options for `openServedModels`. */
export interface ServedModelOptions {
  /** Execution providers to try, in order (default cuda, webgpu, cpu). */
  device?: Device[];
  /** Most requests decoded in one batch (default 16). */
  batch?: number;
  /** onnxruntime intra-op threads (default auto: 1 on the CPU, onnxruntime's choice on a GPU). */
  threads?: number | "auto";
  /** Reply caches kept per model for conversations to continue from (default 64). */
  replyCache?: number;
  /** Grammar-constrained tool calls (guided decoding) for every served model (default false). */
  grammar?: boolean;
}

/**
 * Parse `NAME=PATH` (or a bare PATH, named after its last folder) as `--model` takes it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseModelFlag } from "./openai_api.ts";
 * assert.ok(parseModelFlag("tiny=models/tiny-random").name === "tiny");
 * assert.ok(parseModelFlag("models/tiny-random/").name === "tiny-random");
 * ```
 */
export function parseModelFlag(flag: string): { name: string; path: string } {
  const eq = flag.indexOf("=");
  if (eq === 0 || flag === "" || eq === flag.length - 1) {
    throw new Error(
      `--model must be NAME=PATH (a model folder, e.g. tiny=models/tiny-random): current value is "${flag}"`,
    );
  }
  if (eq > 0) return { name: flag.slice(0, eq), path: flag.slice(eq + 1) };
  const path = flag.replace(/\/+$/, "");
  return { name: path.slice(path.lastIndexOf("/") + 1), path };
}

/**
 * Open model folders to serve under their names; if one fails, those already open are closed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closeServedModels, openServedModels } from "./openai_api.ts";
 * const models = await openServedModels([{ name: "tiny", path: "models/tiny-random" }], { device: ["cpu"] });
 * assert.ok(models.get("tiny")?.chat.provider === "cpu");
 * await closeServedModels(models);
 * ```
 */
export async function openServedModels(
  specs: readonly { name: string; path: string }[],
  opts: ServedModelOptions = {},
): Promise<Map<string, ServedModel>> {
  const out = new Map<string, ServedModel>();
  try {
    for (const { name, path } of specs) {
      if (out.has(name)) {
        throw new Error(`--model: two models are named "${name}"; give each its own NAME=`);
      }
      // onnxruntime loads only when a model is served (validate, list and bench do not need it).
      const { openChatModel } = await import("../onnx/runtime/chat_model.ts");
      const chat = await openChatModel(name, {
        path,
        device: opts.device ?? ["cuda", "webgpu", "cpu"],
        threads: opts.threads ?? "auto",
        batch: opts.batch ?? 16,
        grammar: opts.grammar ?? false,
      });
      out.set(name, {
        name,
        path,
        chat,
        created: Math.floor(Date.now() / 1000),
        defaults: samplingDefaults(chat.model.generation),
        replies: [],
        replyCache: opts.replyCache ?? 64,
      });
    }
  } catch (err) {
    await closeServedModels(out);
    throw err;
  }
  return out;
}

/** Release every served model's session. */
export async function closeServedModels(models: Map<string, ServedModel>): Promise<void> {
  await Promise.all([...models.values()].map((m) => m.chat.close()));
}

/** generation_config.json's sampling: `do_sample: false` is greedy; else its temperature/top_p/top_k. */
function samplingDefaults(g: Record<string, unknown>): Sampling {
  const n = (v: unknown, d: number) => typeof v === "number" ? v : d;
  if (g.do_sample === false) return { temperature: 0, top_k: 0, top_p: 1 };
  return { temperature: n(g.temperature, 1), top_k: n(g.top_k, 0), top_p: n(g.top_p, 1) };
}

/** The reply cache holding the longest prefix of `ids`, if any holds more than a few tokens. */
function bestReply(m: ServedModel, ids: readonly number[]): KvCache | undefined {
  let best: KvCache | undefined, keep = 16;
  for (const c of m.replies) {
    const lim = Math.min(c.ids.length, ids.length);
    let n = 0;
    while (n < lim && c.ids[n] === ids[n]) n++;
    if (n > keep) best = c, keep = n;
  }
  return best;
}

function remember(m: ServedModel, cache: KvCache) {
  const max = m.replyCache;
  if (max === 0 || cache.kv.length === 0) return;
  m.replies = [cache, ...m.replies.filter((c) => c !== cache)].slice(0, max);
}

function openAiError(c: Context, err: OpenAiError): Response {
  return c.json(err.body(), err.status as 400);
}

let counter = 0;

/**
 * A reply made to start as a call to `name`: when the model's arguments do not read as JSON, the
 * call still names the function (as OpenAI guarantees for a named tool_choice) and carries the
 * arguments exactly as written, for the client to reject.
 */
function forcedCall(
  message: AssistantMessage,
  name: string,
  text: string,
  prefix: string,
): AssistantMessage {
  const first = message.tool_calls?.[0];
  if (!first || first.function.name !== "") return message;
  let args = text.slice(prefix.length);
  const end = args.indexOf("</tool_call>");
  if (end >= 0) args = args.slice(0, end).trimEnd().replace(/}$/, "");
  const calls = message.tool_calls!.slice();
  calls[0] = { ...first, function: { name, arguments: args.trim() } };
  return { ...message, tool_calls: calls };
}

/**
 * Answer one chat completions request with a served model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closeServedModels, complete, openServedModels } from "./openai_api.ts";
 * const models = await openServedModels([{ name: "tiny", path: "models/tiny-random" }], { device: ["cpu"] });
 * const r = await complete(models, { model: "tiny", messages: [{ role: "user", content: "hi" }], max_tokens: 3 });
 * assert.ok(r.object === "chat.completion" && r.usage.completion_tokens <= 3);
 * await closeServedModels(models);
 * ```
 */
export async function complete(models: Map<string, ServedModel>, body: unknown) {
  const req = parseChatRequest(body);
  const m = models.get(req.model);
  if (!m) {
    throw new OpenAiError(
      404,
      `the model "${req.model}" does not exist; served: ${[...models.keys()].join(", ")}`,
      "model",
      "model_not_found",
    );
  }
  const turn = turnIndex(req.messages);
  const choice = req.toolChoice;
  const prefix = choice.kind === "function"
    ? `<tool_call>\n{"name": ${JSON.stringify(choice.name)}, "arguments": `
    : choice.kind === "required"
    ? '<tool_call>\n{"name": "'
    : undefined;
  const tools = choice.kind === "none" ? [] : req.tools;
  const sampling = { ...m.defaults, ...req.sampling };
  const chat = m.chat;
  let r;
  try {
    r = await chat.turn({
      messages: req.messages,
      tools,
      seed: req.seed ?? Math.floor(Math.random() * 2 ** 32),
      sampling,
      maxNewTokens: req.maxTokens ?? DEFAULT_MAX_TOKENS,
      stop: req.stop,
      cache: (ids) => bestReply(m, ids),
      prefix,
      toolCalls: choice.kind !== "none",
    });
  } catch (err) {
    if (err instanceof ContextFullError) {
      throw new OpenAiError(
        400,
        `${err.message}: shorten the messages`,
        "messages",
        "context_length_exceeded",
      );
    }
    throw err;
  }
  remember(m, r.cache);
  let message = r.message;
  if (r.finish === "stop") {
    // OpenAI leaves the stop sequence out of the reply.
    const at = Math.min(...req.stop.map((s) => r.text.indexOf(s)).filter((i) => i >= 0));
    const cut = Number.isFinite(at) ? r.text.slice(0, at) : r.text;
    message = choice.kind === "none"
      ? { role: "assistant", content: cut.trim() }
      : parseToolCalls(cut, `call_${turn}`);
  }
  if (choice.kind === "function") message = forcedCall(message, choice.name, r.text, prefix!);
  const calls = message.tool_calls ?? [];
  return {
    id: `chatcmpl-${Date.now().toString(36)}${(counter++).toString(36)}`,
    object: "chat.completion" as const,
    created: Math.floor(Date.now() / 1000),
    model: m.name,
    system_fingerprint: `tooltrial-${chat.model.hash.slice(0, 12)}`,
    choices: [{
      index: 0,
      message: {
        role: "assistant" as const,
        content: message.content,
        ...(calls.length > 0 ? { tool_calls: calls } : {}),
      },
      logprobs: null,
      finish_reason: r.finish === "length"
        ? "length" as const
        : calls.length > 0
        ? "tool_calls" as const
        : "stop" as const,
    }],
    usage: {
      prompt_tokens: r.promptTokens,
      completion_tokens: r.completionTokens,
      total_tokens: r.promptTokens + r.completionTokens,
      // What the conversation's last reply cache already held (OpenAI's name for it); the rest is
      // what the in-process agent counts as the turn's prompt tokens.
      prompt_tokens_details: { cached_tokens: r.promptTokens - r.prefilled },
    },
  };
}

/**
 * The OpenAI-compatible routes, to mount under `/v1`: `GET /models`, `GET /models/:id`,
 * `POST /chat/completions`. Errors answer in OpenAI's shape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { closeServedModels, openaiRoutes, openServedModels } from "./openai_api.ts";
 * const models = await openServedModels([{ name: "tiny", path: "models/tiny-random" }], { device: ["cpu"] });
 * const app = new Hono().route("/v1", openaiRoutes(models));
 * const list = await (await app.request("/v1/models")).json();
 * assert.ok(list.data[0].id === "tiny");
 * await closeServedModels(models);
 * ```
 */
export function openaiRoutes(
  models: Map<string, ServedModel>,
  opts: { maxBodyBytes?: number } = {},
): Hono {
  const app = new Hono();
  const entry = (m: ServedModel) => ({
    id: m.name,
    object: "model" as const,
    created: m.created,
    owned_by: "tooltrial",
    root: m.path,
    provider: m.chat.provider,
    context_length: Number.isFinite(m.chat.maxContext) ? m.chat.maxContext : null,
  });
  app.get("/models", (c) => c.json({ object: "list", data: [...models.values()].map(entry) }));
  app.get("/models/:id", (c) => {
    const m = models.get(c.req.param("id"));
    if (m) return c.json(entry(m));
    return openAiError(
      c,
      new OpenAiError(
        404,
        `the model "${c.req.param("id")}" does not exist; served: ${[...models.keys()].join(", ")}`,
        "model",
        "model_not_found",
      ),
    );
  });
  app.post("/chat/completions", async (c) => {
    let body: unknown;
    try {
      body = JSON.parse(await readBody(c, opts.maxBodyBytes ?? 1 << 20));
    } catch (err) {
      if (err instanceof ApiError) {
        return openAiError(c, new OpenAiError(err.status, `${err.message}: ${err.hint}`));
      }
      return openAiError(
        c,
        new OpenAiError(
          400,
          "the request body is not valid JSON: send Content-Type: application/json and a JSON object",
        ),
      );
    }
    try {
      return c.json(await complete(models, body));
    } catch (err) {
      if (err instanceof OpenAiError) return openAiError(c, err);
      console.error(`tooltrial serve: ${err instanceof Error ? err.stack : String(err)}`);
      return openAiError(
        c,
        new OpenAiError(500, "the model failed on this request (logged on the server)"),
      );
    }
  });
  return app;
}
