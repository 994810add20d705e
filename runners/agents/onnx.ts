import type { Agent, AgentSession } from "../agent.ts";
import type { AssistantMessage } from "../../core/messages.ts";
import { openChatModel } from "../../onnx/runtime/chat_model.ts";
import type { Decoder, KvCache } from "../../onnx/runtime/decoder.ts";
import type { ModelFolder } from "../../onnx/runtime/model_folder.ts";
import type { Device } from "../../onnx/runtime/providers.ts";
import { GREEDY, type Sampling } from "../../onnx/runtime/sampler.ts";

/** How a suite runs an ONNX model as an agent (the `onnx:` agent entry, normalized). */
export interface OnnxAgentOptions {
  /** The model folder. */
  path: string;
  /** Execution providers to try, in order. */
  device: Device[];
  /** onnxruntime intra-op threads (0 = one per core; `auto`: 1 on the CPU, the default on a GPU). */
  threads: number | "auto";
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
  threads: "auto",
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
 * `<tool_call>` blocks from the reply. Concurrent episodes share one continuous batch. A turn is
 * `ChatModel.turn` (chat_model.ts), the same step `tooltrial serve --model` answers requests with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openOnnxAgent, ONNX_DEFAULTS } from "./onnx.ts";
 * const agent = await openOnnxAgent("tiny", { ...ONNX_DEFAULTS, path: "models/tiny-random", device: ["cpu"] });
 * assert.ok(agent.provider === "cpu");
 * await agent.close();
 * ```
 */
export async function openOnnxAgent(name: string, opts: OnnxAgentOptions): Promise<OnnxAgent> {
  const m = await openChatModel(name, opts);
  return {
    name,
    model: m.model,
    provider: m.provider,
    attempts: m.attempts,
    decoder: m.decoder,
    info: m.info,
    start(ctx): AgentSession {
      let cache: KvCache | undefined;
      return {
        async act(messages, tools): Promise<AssistantMessage> {
          const r = await m.turn({
            messages,
            tools,
            seed: ctx.seed,
            sampling: opts.sampling,
            maxNewTokens: opts.max_new_tokens,
            stop: opts.stop,
            cache,
          });
          cache = r.cache;
          return r.message;
        },
      };
    },
    close: () => m.close(),
  };
}
