import { Tokenizer } from "@huggingface/tokenizers";
import type { ModelSession } from "./session.ts";
import { SpecError, type SpecIssue } from "../../spec/errors.ts";
import { type ChatTemplate, compileTemplate } from "./chat_template.ts";
import type { CacheShape } from "./decoder.ts";

/**
 * What the project uses of a model folder's tokenizer (`tokenizer.json`, read with
 * `@huggingface/tokenizers`): our own narrow face of it, so the public API names no npm class.
 */
export interface TextTokenizer {
  /** Token ids of `text` (special tokens added unless `add_special_tokens` is false). */
  encode(text: string, options?: { add_special_tokens?: boolean }): { ids: number[] };
  /** The text of token ids (special tokens kept unless `skip_special_tokens`). */
  decode(ids: number[], options?: { skip_special_tokens?: boolean }): string;
  /** A token's id, when the vocabulary has it. */
  token_to_id(token: string): number | undefined;
  /** Every token and its id (added tokens too when `withAdded`). */
  get_vocab(withAdded?: boolean): Map<string, number>;
}

/** A Hugging Face-style model folder, checked and ready to run. */
export interface ModelFolder {
  /** The folder's path. */
  dir: string;
  /** config.json as written. */
  config: Record<string, unknown>;
  /** The KV cache layout the graph uses. */
  cache: CacheShape;
  /** Tokens the model scores (its logits' width). */
  vocabSize: number;
  /** Ids that end a turn (generation_config.json `eos_token_id`, plus the template's end-of-turn token). */
  eos: number[];
  /** The folder's tokenizer. */
  tokenizer: TextTokenizer;
  /** The compiled chat template (the folder's, or the compact one). */
  template: ChatTemplate;
  /** `onnx/model.onnx`. */
  onnxPath: string;
  /** SHA-256 over every file the folder's behaviour depends on. */
  hash: string;
  /** generation_config.json as written (sampling defaults a suite may override). */
  generation: Record<string, unknown>;
}

const FILES = [
  "config.json",
  "generation_config.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "onnx/model.onnx",
];

/**
 * Load a model folder in the layout transformers.js and optimum use: `config.json`,
 * `generation_config.json`, `tokenizer.json`, `tokenizer_config.json` (with `chat_template`) and
 * `onnx/model.onnx`. Every problem is a located `SpecError` naming the file and what to fix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadModelFolder } from "./model_folder.ts";
 * const m = await loadModelFolder("models/tiny-random");
 * assert.ok(m.cache.layers > 0);
 * ```
 */
export async function loadModelFolder(dir: string): Promise<ModelFolder> {
  const issues: SpecIssue[] = [];
  const at = (file: string, message: string, hint?: string, pointer = ""): SpecIssue => ({
    file: `${dir}/${file}`,
    line: 1,
    col: 1,
    pointer,
    message,
    hint,
  });
  try {
    if (!(await Deno.stat(dir)).isDirectory) throw new Error();
  } catch {
    throw new SpecError(
      [at(
        "",
        "model folder not found",
        "point `onnx:` at a folder holding config.json, tokenizer.json and onnx/model.onnx",
      )].map((i) => ({ ...i, file: dir })),
    );
  }
  const missing = [];
  for (const f of FILES) {
    try {
      await Deno.stat(`${dir}/${f}`);
    } catch {
      missing.push(f);
    }
  }
  if (missing.length > 0) {
    throw new SpecError(
      missing.map((f) =>
        at(
          f,
          "missing",
          f === "onnx/model.onnx"
            ? "export the model with optimum (`optimum-cli export onnx --task text-generation-with-past`) or build one with `deno task models`"
            : "a model folder needs config.json, generation_config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx",
        )
      ),
    );
  }
  const json = async (f: string): Promise<Record<string, unknown>> => {
    const text = await Deno.readTextFile(`${dir}/${f}`);
    try {
      const v = JSON.parse(text);
      if (typeof v !== "object" || v === null || Array.isArray(v)) {
        throw new Error("not a JSON object");
      }
      return v;
    } catch (e) {
      throw new SpecError([
        at(f, `not valid JSON: ${(e as Error).message}`, "fix or regenerate the file"),
      ]);
    }
  };
  const config = await json("config.json");
  const generation = await json("generation_config.json");
  const tokJson = await json("tokenizer.json");
  const tokConfig = await json("tokenizer_config.json");

  const int = (key: string, fallback?: number): number => {
    const v = config[key] ?? fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
      issues.push(
        at(
          "config.json",
          `${key} must be a positive integer`,
          `decoder-only configs (Llama, Qwen2) have ${key}`,
          `/${key}`,
        ),
      );
      return 1;
    }
    return v;
  };
  const layers = int("num_hidden_layers");
  const heads = int("num_attention_heads");
  const kvHeads = int(
    "num_key_value_heads",
    typeof config.num_attention_heads === "number" ? config.num_attention_heads : undefined,
  );
  const hidden = int("hidden_size");
  const headDim = int("head_dim", Math.floor(hidden / heads));
  const vocabSize = int("vocab_size");

  let tokenizer: Tokenizer | undefined;
  try {
    tokenizer = new Tokenizer(tokJson, tokConfig);
  } catch (e) {
    issues.push(at("tokenizer.json", `cannot be read as a tokenizer: ${(e as Error).message}`));
  }
  if (tokenizer) {
    const size = Math.max(...tokenizer.get_vocab(true).values()) + 1;
    if (size > vocabSize) {
      issues.push(
        at(
          "tokenizer.json",
          `has ${size} token ids but config.json vocab_size is ${vocabSize}`,
          "the tokenizer does not belong to this model: use the tokenizer it was trained with",
          "/model/vocab",
        ),
      );
    }
  }
  const source = chatTemplateSource(tokConfig.chat_template);
  let template: ChatTemplate | undefined;
  if (source === undefined) {
    issues.push(
      at(
        "tokenizer_config.json",
        "has no chat_template",
        "add the model's chat template (a Jinja string) as chat_template",
        "/chat_template",
      ),
    );
  } else {
    try {
      template = compileTemplate(source, specialStrings(tokConfig));
      template.render([{ role: "system", content: "s" }, { role: "user", content: "u" }], [
        { name: "f", description: "d", parameters: { type: "object", properties: {} } },
      ]);
    } catch (e) {
      issues.push(
        at(
          "tokenizer_config.json",
          `chat_template does not render: ${(e as Error).message}`,
          "fix the Jinja template",
          "/chat_template",
        ),
      );
    }
  }
  const eos = new Set<number>();
  const e0 = generation.eos_token_id ?? config.eos_token_id;
  for (const id of Array.isArray(e0) ? e0 : [e0]) if (typeof id === "number") eos.add(id);
  const endTurn = tokenizer?.token_to_id("<|im_end|>");
  if (endTurn !== undefined) eos.add(endTurn);
  if (eos.size === 0) {
    issues.push(
      at(
        "generation_config.json",
        "no eos_token_id",
        "set eos_token_id (a token id or a list of them)",
        "/eos_token_id",
      ),
    );
  }
  if (issues.length > 0) throw new SpecError(issues);

  const hash = await hashFiles(dir, FILES);
  return {
    dir,
    config,
    cache: { layers, kvHeads, headDim, positionIds: true },
    vocabSize,
    eos: [...eos].sort((a, b) => a - b),
    tokenizer: tokenizer!,
    template: template!,
    onnxPath: `${dir}/onnx/model.onnx`,
    hash,
    generation,
  };
}

/**
 * Check a session's inputs and outputs against the folder's config: every input and output the
 * decode loop feeds or reads must be there. Returns the cache shape to decode with.
 */
export function checkSession(m: ModelFolder, session: ModelSession): CacheShape {
  const inputs = new Set(session.inputNames), outputs = new Set(session.outputNames);
  const need = ["input_ids", "attention_mask"];
  const out = ["logits"];
  for (let l = 0; l < m.cache.layers; l++) {
    need.push(`past_key_values.${l}.key`, `past_key_values.${l}.value`);
    out.push(`present.${l}.key`, `present.${l}.value`);
  }
  const issues: SpecIssue[] = [];
  const missIn = need.filter((n) => !inputs.has(n)), missOut = out.filter((n) => !outputs.has(n));
  const file = m.onnxPath;
  if (missIn.length > 0) {
    issues.push({
      file,
      line: 1,
      col: 1,
      pointer: "",
      message: `model inputs lack ${missIn.join(", ")} (it has ${[...inputs].join(", ")})`,
      hint:
        "export a decoder with past key values (optimum task text-generation-with-past), or fix num_hidden_layers in config.json",
    });
  }
  if (missOut.length > 0) {
    issues.push({
      file,
      line: 1,
      col: 1,
      pointer: "",
      message: `model outputs lack ${missOut.join(", ")}`,
      hint: "export a decoder with past key values (present.{i}.key|value outputs)",
    });
  }
  if (issues.length > 0) throw new SpecError(issues);
  return { ...m.cache, positionIds: inputs.has("position_ids") };
}

function chatTemplateSource(t: unknown): string | undefined {
  if (typeof t === "string") return t;
  if (Array.isArray(t)) {
    const named = t.find((x) => x?.name === "tool_use") ?? t.find((x) => x?.name === "default");
    if (typeof named?.template === "string") return named.template;
  }
  return undefined;
}

function specialStrings(c: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ["bos_token", "eos_token", "pad_token", "unk_token"]) {
    const v = c[k];
    if (typeof v === "string") out[k] = v;
    else if (
      typeof v === "object" && v !== null &&
      typeof (v as { content?: unknown }).content === "string"
    ) {
      out[k] = (v as { content: string }).content;
    }
  }
  return out;
}

async function hashFiles(dir: string, files: string[]): Promise<string> {
  const parts: Uint8Array[] = [];
  for (const f of files) {
    parts.push(new TextEncoder().encode(`${f}\n`), await Deno.readFile(`${dir}/${f}`));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) all.set(p, o), o += p.length;
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}
