import { byteLevelTokenizer, CHAT_TOKENS } from "../runtime/byte_bpe.ts";
import { HERMES_TEMPLATE } from "../runtime/chat_template.ts";
import { buildLlamaOnnx, type LlamaShape, type Weights } from "./tiny_llama.ts";

/** The architecture of the built-in tiny models (vocab_size comes from the tokenizer). */
export const TINY_SHAPE: Omit<LlamaShape, "vocab_size"> = {
  hidden_size: 64,
  intermediate_size: 176,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 16,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  max_position_embeddings: 8192,
};

/** The files of a model folder, by relative path. */
export type FolderFiles = Record<string, string | Uint8Array>;

/**
 * The files of a Hugging Face-style folder for a Llama-style model with a byte-level BPE tokenizer
 * and the Hermes chat template: what `loadModelFolder` (and transformers.js) read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tinyModelFiles } from "./tiny_folder.ts";
 * import { randomWeights } from "./tiny_llama.ts";
 * const shape = { vocab_size: 263, hidden_size: 8, intermediate_size: 16, num_hidden_layers: 1,
 *   num_attention_heads: 2, num_key_value_heads: 1, head_dim: 4, rms_norm_eps: 1e-5,
 *   rope_theta: 10000, max_position_embeddings: 64 };
 * const files = tinyModelFiles(shape, randomWeights(shape, 1), []);
 * assert.ok("onnx/model.onnx" in files);
 * ```
 */
export function tinyModelFiles(
  shape: LlamaShape,
  weights: Weights,
  merges: [string, string][],
  meta: Record<string, unknown> = {},
  opts: { chatTemplate?: string } = {},
): FolderFiles {
  const tokenizer = byteLevelTokenizer(merges);
  const added = tokenizer.added_tokens as { id: number; content: string; special: boolean }[];
  const id = (t: string) => added.find((a) => a.content === t)!.id;
  const vocab = added[added.length - 1].id + 1;
  if (vocab !== shape.vocab_size) {
    throw new Error(`tokenizer has ${vocab} ids but the shape says vocab_size ${shape.vocab_size}`);
  }
  const [pad, , imEnd] = CHAT_TOKENS.map(id);
  const json = (v: unknown) => JSON.stringify(v, null, 2) + "\n";
  return {
    "config.json": json({
      architectures: ["LlamaForCausalLM"],
      model_type: "llama",
      ...shape,
      hidden_act: "silu",
      attention_bias: false,
      mlp_bias: false,
      tie_word_embeddings: false,
      torch_dtype: "float32",
      bos_token_id: pad,
      eos_token_id: imEnd,
      pad_token_id: pad,
      ...meta,
    }),
    "generation_config.json": json({
      bos_token_id: pad,
      eos_token_id: [imEnd, pad],
      pad_token_id: pad,
      do_sample: false,
    }),
    "tokenizer.json": JSON.stringify(tokenizer),
    "tokenizer_config.json": json({
      tokenizer_class: "PreTrainedTokenizerFast",
      bos_token: null,
      eos_token: "<|im_end|>",
      pad_token: "<|endoftext|>",
      add_bos_token: false,
      add_eos_token: false,
      clean_up_tokenization_spaces: false,
      model_max_length: shape.max_position_embeddings,
      added_tokens_decoder: Object.fromEntries(added.map((a) => [String(a.id), {
        content: a.content,
        lstrip: false,
        normalized: false,
        rstrip: false,
        single_word: false,
        special: a.special,
      }])),
      chat_template: opts.chatTemplate ?? HERMES_TEMPLATE,
    }),
    "onnx/model.onnx": buildLlamaOnnx(shape, weights),
  };
}

/** Write a folder's files under `dir`. */
export async function writeFolder(dir: string, files: FolderFiles): Promise<void> {
  for (const [rel, data] of Object.entries(files)) {
    const path = `${dir}/${rel}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    if (typeof data === "string") await Deno.writeTextFile(path, data);
    else await Deno.writeFile(path, data);
  }
}
