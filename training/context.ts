import { join } from "node:path";
import { sha256Hex } from "../spec/files.ts";
import {
  type ChatTemplate,
  COMPACT_TEMPLATE,
  compileTemplate,
} from "../onnx/runtime/chat_template.ts";
import { loadModelFolder, type TextTokenizer } from "../onnx/runtime/model_folder.ts";
import type { LlamaShape } from "../onnx/build/tiny_llama.ts";
import { VERSION } from "../version.ts";
import { PYTORCH_TRAINER, type TrainerCommand } from "./bridge.ts";
import type { StageSpec, TrainingSpec } from "./spec.ts";

/** What every stage of a training run shares: the tokenizer, the architecture, where outputs go. */
export interface TrainingContext {
  spec: TrainingSpec;
  tokenizer: TextTokenizer;
  template: ChatTemplate;
  /** The Jinja source of `template`: what exported folders carry in tokenizer_config.json. */
  templateSource: string;
  /** BPE merges of the tokenizer (exported folders rebuild the same tokenizer.json from them). */
  merges: [string, string][];
  shape: LlamaShape;
  /** Weights the base model starts from (a folder's weights.bin), or null for a seeded init. */
  baseWeights: string | null;
  trainer: TrainerCommand;
  /** Content key of each stage, by name (filled in as stages are planned). */
  keys: Map<string, string>;
  /** Output folder of each stage, by name. */
  dirs: Map<string, string>;
  log: (line: string) => void;
}

/** Open the tokenizer folder and fix the model's architecture. */
export async function openContext(
  spec: TrainingSpec,
  opts: { log?: (line: string) => void } = {},
): Promise<TrainingContext> {
  const tok = await loadModelFolder(spec.tokenizer);
  const tokConfig = JSON.parse(
    await Deno.readTextFile(join(spec.tokenizer, "tokenizer_config.json")),
  );
  const templateSource: string = spec.chat_template === "compact"
    ? COMPACT_TEMPLATE
    : tokConfig.chat_template;
  const template = spec.chat_template === "compact"
    ? compileTemplate(COMPACT_TEMPLATE)
    : tok.template;
  const tokJson = JSON.parse(await Deno.readTextFile(join(spec.tokenizer, "tokenizer.json")));
  const rawMerges = tokJson.model?.merges ?? [];
  const merges: [string, string][] = rawMerges.map((m: string | [string, string]) =>
    typeof m === "string" ? m.split(" ") as [string, string] : m
  );
  const vocab = Math.max(...tok.tokenizer.get_vocab(true).values()) + 1;
  let shape: LlamaShape;
  let baseWeights: string | null = null;
  if ("init" in spec.model) {
    const { seed: _seed, ...init } = spec.model.init;
    shape = { ...init, vocab_size: vocab, rms_norm_eps: 1e-5, rope_theta: 10000 };
  } else {
    const cfg = JSON.parse(await Deno.readTextFile(join(spec.model.folder, "config.json")));
    shape = {
      vocab_size: cfg.vocab_size,
      hidden_size: cfg.hidden_size,
      intermediate_size: cfg.intermediate_size,
      num_hidden_layers: cfg.num_hidden_layers,
      num_attention_heads: cfg.num_attention_heads,
      num_key_value_heads: cfg.num_key_value_heads,
      head_dim: cfg.head_dim,
      rms_norm_eps: cfg.rms_norm_eps,
      rope_theta: cfg.rope_theta,
      max_position_embeddings: cfg.max_position_embeddings,
    };
    baseWeights = join(spec.model.folder, "weights.bin");
  }
  const here = new URL(".", import.meta.url).pathname;
  const trainer: TrainerCommand = spec.trainer.command
    ? { command: spec.trainer.command.map((a) => a.replace("{trainer_dir}", here)) }
    : PYTORCH_TRAINER;
  return {
    spec,
    tokenizer: tok.tokenizer,
    template,
    templateSource,
    merges,
    shape,
    baseWeights,
    trainer,
    keys: new Map(),
    dirs: new Map(),
    log: opts.log ?? ((l) => console.error(l)),
  };
}

/** The names a stage reads the outputs of. */
export function stageInputs(s: StageSpec): string[] {
  switch (s.kind) {
    case "synthesize":
      return [];
    case "sft":
      return [s.data, s.from];
    case "grpo":
    case "export":
      return [s.from];
    case "evaluate":
      return s.agents;
  }
}

/**
 * A stage's content key: its settings, the keys of the stages it reads, and what it depends on
 * outside (suite, data selection, model, tokenizer, trainer code, tooltrial version). Changing any
 * of them changes the key, so the stage and every stage reading it rerun.
 */
export async function stageKey(ctx: TrainingContext, s: StageSpec): Promise<string> {
  const { name: _n, index: _i, ...settings } = s;
  const spec = ctx.spec;
  const trainerCode = s.kind === "sft" || s.kind === "grpo" || s.kind === "export"
    ? await fileHash(ctx.trainer.command[ctx.trainer.command.length - 1])
    : null;
  const inputs = stageInputs(s).map((n) => [n, ctx.keys.get(n) ?? n]);
  const teacher = s.kind === "synthesize"
    ? spec.suite.agents.find((a) => a.name === s.teacher && a.kind !== "scripted")
    : undefined;
  return await sha256Hex(JSON.stringify({
    version: VERSION,
    settings,
    inputs,
    // What training reads of the suite (not its agents or protocols, which do not change it).
    envs: spec.suite.envs.map((e) => e.sha256),
    variants: spec.suite.variants.map((v) => [v.name, v.ops.map((o) => [o.op, o.options])]),
    heldout: spec.suite.heldout,
    data: spec.data,
    model: spec.model,
    shape: ctx.shape,
    template: ctx.templateSource,
    evaluation: s.kind === "evaluate" ? spec.evaluation : null,
    trainer: trainerCode,
    device: s.kind === "sft" || s.kind === "grpo" ? spec.trainer.device : null,
    // A teacher that is one of the suite's agents (an endpoint model): which model it is.
    ...(teacher ? { teacher } : {}),
  }));
}

async function fileHash(path: string): Promise<string | null> {
  try {
    return await sha256Hex(await Deno.readFile(path));
  } catch {
    return null;
  }
}
