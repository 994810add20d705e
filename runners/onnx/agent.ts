import { SpecError } from "../../spec/errors.ts";
import type { Agent, AgentSession } from "../agent.ts";
import type { AssistantMessage } from "../messages.ts";
import { Decoder, type KvCache } from "./decoder.ts";
import { checkSession, loadModelFolder, type ModelFolder } from "./model_folder.ts";
import { type Device, openSession } from "./providers.ts";
import { GREEDY, type Sampling } from "./sampler.ts";
import { parseToolCalls } from "./tool_calls.ts";
import { type TokenizerJson, tokenVocab, toolCallMasks } from "./token_mask.ts";

/** How a suite runs an ONNX model as an agent (the `onnx:` agent entry, normalized). */
export interface OnnxAgentOptions {
  /** The model folder. */
  path: string;
  /** Execution providers to try, in order. */
  device: Device[];
  /** onnxruntime intra-op threads (0 = one per core). */
  threads: number;
  /** Most tokens per assistant turn. */
  max_new_tokens: number;
  sampling: Sampling;
  /**
   * Most episodes decoded in one batch; `auto`: 1 on the CPU, 16 on a GPU provider. On the CPU a
   * step's cost grows with rows × the longest row (every step copies the KV cache), so batching
   * agent turns — short replies to long prompts — costs more than it saves (bench/onnx_agent.ts).
   */
  batch: number | "auto";
  /** Strings that end a turn, besides the model's end-of-turn tokens. */
  stop: string[];
  /**
   * Grammar-constrained tool calls (token_mask.ts): inside `<tool_call>` only the JSON of a call
   * to an offered tool with schema-valid arguments, closed within the turn (default false).
   */
  grammar?: boolean;
}

export const ONNX_DEFAULTS: Omit<OnnxAgentOptions, "path"> = {
  device: ["cuda", "webgpu", "cpu"],
  threads: 0,
  max_new_tokens: 256,
  sampling: GREEDY,
  batch: "auto",
  stop: [],
  grammar: false,
};

/** An ONNX model agent, with what it actually ran on. */
export interface OnnxAgent extends Agent {
  readonly model: ModelFolder;
  readonly provider: Device;
  /** Providers tried before `provider`, with why each failed. */
  readonly attempts: { provider: Device; error: string }[];
  readonly decoder: Decoder;
  close(): Promise<void>;
}

/**
 * Load a model folder and run it as an agent: each turn renders the conversation with the model's
 * chat template (tools included), continues it from the episode's KV cache, and reads
 * `<tool_call>` blocks from the reply. Concurrent episodes share one continuous batch.
 *
 * @example
 * ```ts
 * import { openOnnxAgent, ONNX_DEFAULTS } from "./agent.ts";
 * const agent = await openOnnxAgent("tiny", { ...ONNX_DEFAULTS, path: "models/tiny-random", device: ["cpu"] });
 * console.assert(agent.provider === "cpu");
 * await agent.close();
 * ```
 */
export async function openOnnxAgent(name: string, opts: OnnxAgentOptions): Promise<OnnxAgent> {
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
  const stop = opts.stop.length === 0 ? undefined : (generated: readonly number[]) => {
    const text = model.tokenizer.decode(generated.slice(-64), { skip_special_tokens: false });
    return opts.stop.some((s) => text.includes(s));
  };
  const masks = opts.grammar ? await grammarMasks(model) : undefined;
  return {
    name,
    model,
    provider: opened.provider,
    attempts: opened.attempts,
    decoder,
    info: {
      kind: "onnx",
      provider: opened.provider,
      model: opts.path,
      model_hash: model.hash,
      runtime: opened.runtime,
      grammar: opts.grammar ?? false,
    },
    start(ctx): AgentSession {
      let cache: KvCache | undefined;
      let turn = 0;
      return {
        async act(messages, tools): Promise<AssistantMessage> {
          const text = model.template.render(messages, tools, { addGenerationPrompt: true });
          const ids = model.tokenizer.encode(text, { add_special_tokens: false }).ids;
          const room = maxContext - ids.length;
          if (room <= 0) {
            throw new Error(
              `the conversation is ${ids.length} tokens; ${name}'s context is ${maxContext}`,
            );
          }
          const r = await decoder.generate({
            ids,
            cache,
            sampling: opts.sampling,
            rng: ctx.rng,
            maxNewTokens: Math.min(opts.max_new_tokens, room),
            eos,
            stop,
            mask: masks?.(tools).constrain(Math.min(opts.max_new_tokens, room)),
          });
          cache = r.cache;
          const reply = model.tokenizer.decode(r.tokens, { skip_special_tokens: true });
          const msg = parseToolCalls(reply, `call_${turn++}`);
          msg.usage = { prompt_tokens: r.prefilled, completion_tokens: r.tokens.length };
          return msg;
        },
      };
    },
    async close() {
      await opened.session.release();
    },
  };
}

/** The grammar masks of a model folder's vocabulary (read once per agent). */
async function grammarMasks(model: ModelFolder) {
  const json = JSON.parse(await Deno.readTextFile(`${model.dir}/tokenizer.json`)) as TokenizerJson;
  return toolCallMasks(tokenVocab(json, { size: model.vocabSize, eos: model.eos }));
}
