import { SpecError } from "../../spec/errors.ts";
import type { ToolDef } from "../../tools/types.ts";
import type { ModelInfo } from "../../core/model_info.ts";
import type { AssistantMessage, Message } from "../../core/messages.ts";
import { Decoder, type GenerateResult, type KvCache } from "./decoder.ts";
import { checkSession, loadModelFolder, type ModelFolder } from "./model_folder.ts";
import { type Device, openSession } from "./providers.ts";
import type { Sampling } from "./sampler.ts";
import { parseToolCalls } from "./tool_calls.ts";
import { ContextFullError, turnIndex, turnRng } from "./turns.ts";

export { ContextFullError, turnIndex, turnRng };
import { type TokenizerJson, tokenVocab, toolCallMasks } from "./token_mask.ts";

/** How to open a model folder for chat turns (the runtime half of the `onnx:` agent options). */
export interface ChatModelOptions {
  /** The model folder. */
  path: string;
  /** Execution providers to try, in order. */
  device: Device[];
  /** onnxruntime intra-op threads (0 = one per core; `auto`: 1 on the CPU, the default on a GPU). */
  threads: number | "auto";
  /** Most sequences decoded in one batch; `auto`: 1 on the CPU, 16 on a GPU provider. */
  batch: number | "auto";
  /**
   * Grammar-constrained tool calls (token_mask.ts): inside `<tool_call>` only the JSON of a call
   * to an offered tool with schema-valid arguments, closed within the turn (default false).
   */
  grammar?: boolean;
}

/** One assistant turn: the conversation so far and how to continue it. */
export interface TurnRequest {
  /** The conversation so far. */
  messages: readonly Message[];
  /** Tools rendered into the prompt (none: the template's plain system turn). */
  tools: readonly ToolDef[];
  /** The episode's (or request's) seed; the turn's sampler draws from `turnRng(seed, turn)`. */
  seed: number;
  /** How to pick each token. */
  sampling: Sampling;
  /** Most tokens to generate. */
  maxNewTokens: number;
  /** Strings that end the turn, besides the model's end-of-turn tokens. */
  stop: readonly string[];
  /**
   * The sequence's cache from its previous turn, if it kept one — or a function that picks one
   * for the rendered prompt's token ids (a server choosing among recent replies).
   */
  cache?: KvCache | ((ids: readonly number[]) => KvCache | undefined);
  /** Text the reply is made to start with (written after the generation prompt, then continued). */
  prefix?: string;
  /** Read `<tool_call>` blocks out of the reply (default true); false: the reply is all content. */
  toolCalls?: boolean;
}

/** What a turn produced. */
export interface TurnResult {
  /** The reply, with tool calls read out of it. */
  message: AssistantMessage;
  /** The reply as decoded (with `prefix`), before tool calls were read out of it. */
  text: string;
  /** Tokens of the whole rendered prompt. */
  promptTokens: number;
  /** Prompt tokens the request's own `cache` did not hold (what the turn computed). */
  prefilled: number;
  /** Tokens generated (the end-of-turn token not counted). */
  completionTokens: number;
  /** Why generation ended. */
  finish: GenerateResult["finish"];
  /** The cache to pass with the sequence's next turn. */
  cache: KvCache;
}

/** An ONNX chat model ready for turns: the one path both the `onnx:` agent and `serve --model` take. */
export interface ChatModel {
  /** The model folder it runs. */
  readonly model: ModelFolder;
  /** The execution provider it runs on. */
  readonly provider: Device;
  /** Providers tried before `provider`, with why each failed. */
  readonly attempts: { provider: Device; error: string }[];
  /** The batching decode loop turns go through. */
  readonly decoder: Decoder;
  /** What the agent records with each episode. */
  readonly info: ModelInfo;
  /** Longest sequence the model takes (`max_position_embeddings`, else unlimited). */
  readonly maxContext: number;
  /** Render the conversation with the chat template, continue it, and read the reply. */
  turn(req: TurnRequest): Promise<TurnResult>;
  /** Release the session and the decoder's tensors. */
  close(): Promise<void>;
}

/**
 * Load a model folder and open it on the first execution provider that works, with one batched
 * decoder that every concurrent turn shares.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openChatModel } from "./chat_model.ts";
 * import { GREEDY } from "./sampler.ts";
 * const m = await openChatModel("tiny", { path: "models/tiny-random", device: ["cpu"], threads: 0, batch: 1 });
 * const r = await m.turn({
 *   messages: [{ role: "user", content: "hi" }], tools: [], seed: 1, sampling: GREEDY,
 *   maxNewTokens: 4, stop: [],
 * });
 * assert.ok(r.completionTokens <= 4 && r.message.role === "assistant");
 * await m.close();
 * ```
 */
export async function openChatModel(name: string, opts: ChatModelOptions): Promise<ChatModel> {
  const model = await loadModelFolder(opts.path);
  let opened;
  try {
    opened = await openSession(model.onnxPath, opts.device, { intraOpThreads: opts.threads });
  } catch (err) {
    // Every provider refused it; with cpu among them, the file itself is the problem.
    if (!opts.device.includes("cpu")) throw err;
    throw new SpecError([{
      file: model.onnxPath,
      line: 1,
      col: 1,
      pointer: "",
      message: `onnxruntime cannot load it (${(err as Error).message})`,
      hint:
        "re-export the model, or rebuild the built-in ones with `deno task models`; a truncated copy looks like this too",
    }]);
  }
  let shape;
  try {
    shape = checkSession(model, opened.session);
  } catch (err) {
    await opened.session.release();
    throw err;
  }
  const maxBatch = opts.batch === "auto" ? (opened.provider === "cpu" ? 1 : 16) : opts.batch;
  const decoder = new Decoder(opened.session, shape, { maxBatch });
  const eos = new Set(model.eos);
  const maxContext = typeof model.config.max_position_embeddings === "number"
    ? model.config.max_position_embeddings
    : Infinity;
  const stopper = (stop: readonly string[]) =>
    stop.length === 0 ? undefined : (generated: readonly number[]) => {
      const text = model.tokenizer.decode(generated.slice(-64), { skip_special_tokens: false });
      return stop.some((s) => text.includes(s));
    };
  const masks = opts.grammar ? await grammarMasks(model) : undefined;
  return {
    model,
    provider: opened.provider,
    attempts: opened.attempts,
    decoder,
    maxContext,
    info: {
      kind: "onnx",
      provider: opened.provider,
      model: opts.path,
      model_hash: model.hash,
      runtime: opened.runtime,
      threads: opened.threads,
      grammar: opts.grammar ?? false,
    },
    async turn(req): Promise<TurnResult> {
      const prefix = req.prefix ?? "";
      const prompt = model.template.render(req.messages, req.tools, { addGenerationPrompt: true });
      const ids = model.tokenizer.encode(prompt + prefix, { add_special_tokens: false }).ids;
      const room = maxContext - ids.length;
      if (room <= 0) throw new ContextFullError(ids.length, maxContext, name);
      const r = await decoder.generate({
        ids,
        cache: typeof req.cache === "function" ? req.cache(ids) : req.cache,
        sampling: req.sampling,
        rng: turnRng(req.seed, turnIndex(req.messages)),
        maxNewTokens: Math.min(req.maxNewTokens, room),
        eos,
        stop: stopper(req.stop),
        // A reply made to start with `prefix` (a forced call) is constrained from where it ends.
        mask: masks?.(req.tools).constrain(Math.min(req.maxNewTokens, room), { prefix }),
      });
      const text = prefix + model.tokenizer.decode(r.tokens, { skip_special_tokens: true });
      const message: AssistantMessage = req.toolCalls === false
        ? { role: "assistant", content: text.trim() }
        : parseToolCalls(text, `call_${turnIndex(req.messages)}`);
      message.usage = { prompt_tokens: r.prefilled, completion_tokens: r.tokens.length };
      return {
        message,
        text,
        promptTokens: ids.length,
        prefilled: r.prefilled,
        completionTokens: r.tokens.length,
        finish: r.finish,
        cache: r.cache,
      };
    },
    async close() {
      await opened.session.release();
    },
  };
}

/** The grammar masks of a model folder's vocabulary (read once per model). */
async function grammarMasks(model: ModelFolder) {
  const json = JSON.parse(await Deno.readTextFile(`${model.dir}/tokenizer.json`)) as TokenizerJson;
  return toolCallMasks(tokenVocab(json, { size: model.vocabSize, eos: model.eos }));
}
