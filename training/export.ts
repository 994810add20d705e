import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { tinyModelFiles, writeFolder } from "../onnx/build/tiny_folder.ts";
import { type LlamaShape, type Weights, weightShapes } from "../onnx/build/tiny_llama.ts";
import { createRng } from "../runners/rng.ts";
import type { TrainingContext } from "./context.ts";
import { Learner, TrainingError } from "./learner.ts";

/** Read weights a trainer exported: raw float32 `weights.bin` and its `{name: [offset, shape]}` manifest. */
export async function readWeights(path: string, shape: LlamaShape): Promise<Weights> {
  const bytes = await Deno.readFile(path);
  const manifest = JSON.parse(await Deno.readTextFile(`${path}.json`)) as Record<
    string,
    [number, number[]]
  >;
  const out: Weights = {};
  for (const [name, dims] of Object.entries(weightShapes(shape))) {
    const entry = manifest[name];
    if (!entry) throw new Error(`${path}: no ${name}`);
    const n = dims.reduce((a, b) => a * b, 1);
    if (entry[1].join("x") !== dims.join("x")) {
      throw new Error(
        `${path}: ${name} is ${entry[1].join("×")}, the model needs ${dims.join("×")}`,
      );
    }
    out[name] = new Float32Array(bytes.slice(entry[0], entry[0] + 4 * n).buffer);
  }
  return out;
}

/** Logits of whole sequences (no cache) from an ONNX model with past-key-value inputs. */
export async function onnxLogits(
  modelPath: string,
  shape: LlamaShape,
  seqs: number[][],
): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 2 });
  try {
    const out: Float32Array[] = [];
    for (const ids of seqs) {
      const t = ids.length;
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor("int64", BigInt64Array.from(ids.map(BigInt)), [1, t]),
        attention_mask: new ort.Tensor("int64", new BigInt64Array(t).fill(1n), [1, t]),
        position_ids: new ort.Tensor("int64", BigInt64Array.from(ids.map((_, i) => BigInt(i))), [
          1,
          t,
        ]),
      };
      for (let l = 0; l < shape.num_hidden_layers; l++) {
        for (const k of ["key", "value"]) {
          feeds[`past_key_values.${l}.${k}`] = new ort.Tensor("float32", new Float32Array(0), [
            1,
            shape.num_key_value_heads,
            0,
            shape.head_dim,
          ]);
        }
      }
      const r = await session.run(feeds);
      out.push(new Float32Array(r.logits.data as Float32Array));
    }
    return out;
  } finally {
    await session.release();
  }
}

/** The parity check's result: the largest |logit difference| trainer vs onnxruntime. */
export interface ExportStats {
  params: number;
  bytes: number;
  parity_max_abs: number;
  parity_tokens: number;
  folder: string;
  copied_to: string | null;
}

/**
 * Build the ONNX model folder (config, tokenizer, chat template, model.onnx) from a stage's
 * weights, and check that onnxruntime's logits match the trainer's on seeded sequences.
 */
export async function exportFolder(
  ctx: TrainingContext,
  opts: {
    name: string;
    dir: string;
    /** weights.bin to export, or null for the base model (initialised by the trainer). */
    weights: string | null;
    tolerance: number;
    to: string | null;
    seed: number;
    meta?: Record<string, unknown>;
  },
): Promise<ExportStats> {
  const learner = new Learner(ctx, {
    stage: opts.name,
    dir: opts.dir,
    weights: opts.weights ?? ctx.baseWeights,
    lr: 1e-3,
  });
  const folder = join(opts.dir, "model");
  const rng = createRng(opts.seed + 7);
  const seqs = [5, 33, 80].map((n) =>
    Array.from({ length: n }, () => rng.int(ctx.shape.vocab_size))
  );
  let trainerLogits: number[][];
  const weightsPath = join(opts.dir, "weights.bin");
  try {
    await learner.open();
    await learner.exportWeights(opts.dir);
    const r = await learner.request("logits", { ids: seqs });
    if (r === "restarted") throw new TrainingError(`stage ${opts.name}: the trainer died`);
    trainerLogits = r.logits as number[][];
  } finally {
    await learner.close();
  }
  const weights = await readWeights(weightsPath, ctx.shape);
  const files = tinyModelFiles(ctx.shape, weights, ctx.merges, { tooltrial: opts.meta ?? {} }, {
    chatTemplate: ctx.templateSource,
  });
  await Deno.remove(folder, { recursive: true }).catch(() => {});
  await writeFolder(folder, files);
  const ort = await onnxLogits(join(folder, "onnx/model.onnx"), ctx.shape, seqs);
  let worst = 0, n = 0;
  for (let s = 0; s < seqs.length; s++) {
    for (let i = 0; i < ort[s].length; i++) {
      worst = Math.max(worst, Math.abs(ort[s][i] - trainerLogits[s][i]));
    }
    n += seqs[s].length;
  }
  if (!(worst <= opts.tolerance)) {
    throw new TrainingError(
      `stage ${opts.name}: the ONNX model's logits differ from the trainer's by ${
        worst.toExponential(2)
      } (tolerance ${opts.tolerance}); the trainer's architecture does not match onnx/build/tiny_llama.ts`,
    );
  }
  if (opts.to) {
    await Deno.remove(opts.to, { recursive: true }).catch(() => {});
    await writeFolder(opts.to, files);
  }
  const params = Object.values(weights).reduce((a, w) => a + w.length, 0);
  return {
    params,
    bytes: (files["onnx/model.onnx"] as Uint8Array).length,
    parity_max_abs: worst,
    parity_tokens: n,
    folder,
    copied_to: opts.to,
  };
}
