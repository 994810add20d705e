import { createRng } from "../../core/rng.ts";
import { DT, GraphBuilder } from "./graph.ts";

/** Architecture of a Llama/Qwen2-style decoder (the config.json fields the loader reads). */
export interface LlamaShape {
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  head_dim: number;
  rms_norm_eps: number;
  rope_theta: number;
  max_position_embeddings: number;
}

/**
 * Weights by PyTorch/Hugging Face name and layout (`out × in` for linear layers):
 * `model.embed_tokens.weight`, `model.layers.{i}.self_attn.{q,k,v,o}_proj.weight`,
 * `model.layers.{i}.mlp.{gate,up,down}_proj.weight`, `model.layers.{i}.{input,post_attention}_layernorm.weight`,
 * `model.norm.weight`, `lm_head.weight`.
 */
export type Weights = Record<string, Float32Array>;

/** The parameter names and shapes of a Llama decoder, in PyTorch layout. */
export function weightShapes(s: LlamaShape): Record<string, number[]> {
  const h = s.hidden_size, q = s.num_attention_heads * s.head_dim;
  const kv = s.num_key_value_heads * s.head_dim, f = s.intermediate_size;
  const out: Record<string, number[]> = { "model.embed_tokens.weight": [s.vocab_size, h] };
  for (let i = 0; i < s.num_hidden_layers; i++) {
    const l = `model.layers.${i}`;
    out[`${l}.input_layernorm.weight`] = [h];
    out[`${l}.self_attn.q_proj.weight`] = [q, h];
    out[`${l}.self_attn.k_proj.weight`] = [kv, h];
    out[`${l}.self_attn.v_proj.weight`] = [kv, h];
    out[`${l}.self_attn.o_proj.weight`] = [h, q];
    out[`${l}.post_attention_layernorm.weight`] = [h];
    out[`${l}.mlp.gate_proj.weight`] = [f, h];
    out[`${l}.mlp.up_proj.weight`] = [f, h];
    out[`${l}.mlp.down_proj.weight`] = [h, f];
  }
  out["model.norm.weight"] = [h];
  out["lm_head.weight"] = [s.vocab_size, h];
  return out;
}

/** Seeded random weights: N(0, 0.02²)-ish (sum of uniforms) for matrices, ones for norms. */
export function randomWeights(s: LlamaShape, seed: number): Weights {
  const rng = createRng(seed);
  const out: Weights = {};
  for (const [name, dims] of Object.entries(weightShapes(s))) {
    const a = new Float32Array(dims.reduce((x, y) => x * y, 1));
    if (name.endsWith("norm.weight")) a.fill(1);
    else {
      // Irwin–Hall: the sum of 4 uniforms, centred and scaled to σ = 0.02.
      const k = 0.02 / Math.sqrt(4 / 12);
      for (let i = 0; i < a.length; i++) {
        a[i] = (rng.next() + rng.next() + rng.next() + rng.next() - 2) * k;
      }
    }
    out[name] = a;
  }
  return out;
}

/**
 * Build a decoder-only Llama-style ONNX graph with KV cache (RMSNorm, rotary embeddings, grouped
 * query attention, SwiGLU), in the input/output naming optimum and transformers.js use:
 * `input_ids`, `attention_mask`, `position_ids`, `past_key_values.{i}.key|value` →
 * `logits`, `present.{i}.key|value`. The causal mask is built in-graph from the past length, so
 * prefill, decode steps and left-padded batches all go through the same graph.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildLlamaOnnx, randomWeights } from "./tiny_llama.ts";
 * const shape = { vocab_size: 16, hidden_size: 8, intermediate_size: 16, num_hidden_layers: 1,
 *   num_attention_heads: 2, num_key_value_heads: 1, head_dim: 4, rms_norm_eps: 1e-5,
 *   rope_theta: 10000, max_position_embeddings: 64 };
 * const bytes = buildLlamaOnnx(shape, randomWeights(shape, 1));
 * assert.ok(bytes.length > 0);
 * ```
 */
export function buildLlamaOnnx(s: LlamaShape, w: Weights): Uint8Array {
  for (const [name, dims] of Object.entries(weightShapes(s))) {
    const n = dims.reduce((x, y) => x * y, 1);
    if (!w[name]) throw new Error(`missing weight ${name}`);
    if (w[name].length !== n) {
      throw new Error(`weight ${name} has ${w[name].length} values; expected ${dims.join("×")}`);
    }
  }
  const g = new GraphBuilder("tiny_llama");
  const H = s.hidden_size, D = s.head_dim, NH = s.num_attention_heads, KV = s.num_key_value_heads;
  const rep = NH / KV;
  if (!Number.isInteger(rep)) {
    throw new Error("num_attention_heads must be a multiple of num_key_value_heads");
  }

  g.input("input_ids", DT.int64, ["batch_size", "sequence_length"]);
  g.input("attention_mask", DT.int64, ["batch_size", "total_sequence_length"]);
  g.input("position_ids", DT.int64, ["batch_size", "sequence_length"]);
  for (let i = 0; i < s.num_hidden_layers; i++) {
    for (const kind of ["key", "value"]) {
      g.input(`past_key_values.${i}.${kind}`, DT.float, [
        "batch_size",
        KV,
        "past_sequence_length",
        D,
      ]);
    }
  }

  const linear = (x: string, name: string, outDim: number, inDim: number) =>
    g.op("MatMul", [x, g.weight(`${name}.T`, [inDim, outDim], transpose(w[name], outDim, inDim))]);
  // Written as Pow → ReduceMean → Add → Sqrt → Div → Mul, the shape onnxruntime fuses into one
  // SimplifiedLayerNormalization kernel.
  const two = g.scalar(2);
  const rmsNorm = (x: string, name: string) => {
    const ms = g.op("ReduceMean", [g.op("Pow", [x, two])], { attrs: { axes: [-1], keepdims: 1 } });
    const rms = g.op("Sqrt", [g.op("Add", [ms, g.scalar(s.rms_norm_eps)])]);
    return g.op("Mul", [g.op("Div", [x, rms]), g.weight(name, [H], w[name])]);
  };

  // Rotary tables from position_ids, [B, S, D], tiled across the query and the KV heads.
  const invFreq = new Float32Array(D / 2).map((_, i) => 1 / Math.pow(s.rope_theta, (2 * i) / D));
  const pos = g.op("Unsqueeze", [
    g.op("Cast", ["position_ids"], { attrs: { to: DT.float } }),
    g.ints([-1]),
  ]);
  const freqs = g.op("Mul", [pos, g.weight("rope.inv_freq", [D / 2], invFreq)]);
  const emb = g.op("Concat", [freqs, freqs], { attrs: { axis: -1 } });
  const cos = g.op("Cos", [emb]), sin = g.op("Sin", [emb]);
  const tile = (t: string, n: number) => n === 1 ? t : g.op("Tile", [t, g.ints([1, 1, n])]);
  const cosQ = tile(cos, NH), sinQ = tile(sin, NH), cosK = tile(cos, KV), sinK = tile(sin, KV);
  // x·cos + rotate_half(x)·sin, with rotate_half already folded into the projection weights.
  const rope = (x: string, rotated: string, c: string, sn: string) =>
    g.op("Add", [g.op("Mul", [x, c]), g.op("Mul", [rotated, sn])]);

  // Mask [B, 1, S, T]: key j is visible to query i when j ≤ past + i and attention_mask[b, j] = 1.
  const one = g.ints([1], []), zeroS = g.ints([0], []);
  const past = g.op("Gather", [g.op("Shape", ["past_key_values.0.key"]), g.ints([2], [])], {
    attrs: { axis: 0 },
  });
  const seq = g.op("Gather", [g.op("Shape", ["input_ids"]), one], { attrs: { axis: 0 } });
  const total = g.op("Gather", [g.op("Shape", ["attention_mask"]), one], { attrs: { axis: 0 } });
  const qpos = g.op("Range", [past, g.op("Add", [past, seq]), one]);
  const kpos = g.op("Range", [zeroS, total, one]);
  const causal = g.op("LessOrEqual", [
    g.op("Unsqueeze", [kpos, g.ints([0])]),
    g.op("Unsqueeze", [qpos, g.ints([1])]),
  ]);
  const padOk = g.op("Unsqueeze", [
    g.op("Cast", ["attention_mask"], { attrs: { to: DT.bool } }),
    g.ints([1, 2]),
  ]);
  const mask = g.op("And", [causal, padOk]);
  // Additive mask [B, 1, 1, S, T] (broadcast over KV heads and the stacked query heads).
  const bias = g.op("Unsqueeze", [g.op("Where", [mask, g.scalar(0), g.scalar(-1e9)]), g.ints([1])]);
  const groupShape = g.op("Concat", [
    g.ints([0, KV, rep]),
    g.op("Unsqueeze", [seq, g.ints([0])]),
    g.ints([-1]),
  ], { attrs: { axis: 0 } });

  let h = g.op("Gather", [
    g.weight("model.embed_tokens.weight", [s.vocab_size, H], w["model.embed_tokens.weight"]),
    "input_ids",
  ], {
    attrs: { axis: 0 },
  });
  const heads = (x: string, n: number) =>
    g.op("Transpose", [g.op("Reshape", [x, g.ints([0, 0, n, D])])], {
      attrs: { perm: [0, 2, 1, 3] },
    });
  for (let i = 0; i < s.num_hidden_layers; i++) {
    const l = `model.layers.${i}`;
    const x = rmsNorm(h, `${l}.input_layernorm.weight`);
    // One MatMul for q, k, v and the rotated halves of q and k; 1/√d is folded into q.
    const scale = 1 / Math.sqrt(D);
    const wq = transpose(w[`${l}.self_attn.q_proj.weight`], NH * D, H).map((v) => v * scale);
    const wk = transpose(w[`${l}.self_attn.k_proj.weight`], KV * D, H);
    const wv = transpose(w[`${l}.self_attn.v_proj.weight`], KV * D, H);
    const widths = [NH * D, NH * D, KV * D, KV * D, KV * D];
    const fused = concatColumns(H, [
      wq,
      rotateHalf(wq, H, NH * D, D),
      wk,
      rotateHalf(wk, H, KV * D, D),
      wv,
    ], widths);
    const qkv = g.op("MatMul", [
      x,
      g.weight(`${l}.self_attn.qkv_rot.T`, [H, widths.reduce((a, b) => a + b)], fused),
    ]);
    const [q0, qr, k0, kr, v0] = splitNames(
      g.op("Split", [qkv, g.ints(widths)], { outputs: 5, attrs: { axis: -1 } }),
      5,
    );
    const q = heads(rope(q0, qr, cosQ, sinQ), NH);
    const k = heads(rope(k0, kr, cosK, sinK), KV);
    const v = heads(v0, KV);
    const pk = g.op("Concat", [`past_key_values.${i}.key`, k], {
      name: `present.${i}.key`,
      attrs: { axis: 2 },
    });
    const pv = g.op("Concat", [`past_key_values.${i}.value`, v], {
      name: `present.${i}.value`,
      attrs: { axis: 2 },
    });
    g.output(pk, DT.float, ["batch_size", KV, "total_sequence_length", D]);
    g.output(pv, DT.float, ["batch_size", KV, "total_sequence_length", D]);
    // Grouped-query attention without copying K/V per head: the `rep` query heads that share a
    // KV head are stacked along the sequence axis, [B, KV, rep·S, D].
    const qg = g.op("Reshape", [q, g.ints([0, KV, -1, D])]);
    const scores = g.op("MatMul", [qg, g.op("Transpose", [pk], { attrs: { perm: [0, 1, 3, 2] } })]);
    const masked = g.op("Add", [g.op("Reshape", [scores, groupShape]), bias]);
    const probs = g.op("Reshape", [
      g.op("Softmax", [masked], { attrs: { axis: -1 } }),
      g.op("Shape", [scores]),
    ]);
    const attn = g.op("Reshape", [
      g.op("Transpose", [g.op("Reshape", [g.op("MatMul", [probs, pv]), g.ints([0, NH, -1, D])])], {
        attrs: { perm: [0, 2, 1, 3] },
      }),
      g.ints([0, 0, NH * D]),
    ]);
    h = g.op("Add", [h, linear(attn, `${l}.self_attn.o_proj.weight`, H, NH * D)]);
    const y = rmsNorm(h, `${l}.post_attention_layernorm.weight`);
    const gate = linear(y, `${l}.mlp.gate_proj.weight`, s.intermediate_size, H);
    const up = linear(y, `${l}.mlp.up_proj.weight`, s.intermediate_size, H);
    const act = g.op("Mul", [g.op("Mul", [gate, g.op("Sigmoid", [gate])]), up]);
    h = g.op("Add", [h, linear(act, `${l}.mlp.down_proj.weight`, H, s.intermediate_size)]);
  }
  const logits = linear(rmsNorm(h, "model.norm.weight"), "lm_head.weight", s.vocab_size, H);
  g.output(g.op("Identity", [logits], { name: "logits" }), DT.float, [
    "batch_size",
    "sequence_length",
    s.vocab_size,
  ]);
  return g.serialize({ architecture: "LlamaForCausalLM" });
}

/** The output names of a multi-output node made by `GraphBuilder.op`. */
function splitNames(first: string, n: number): string[] {
  return [first, ...Array.from({ length: n - 1 }, (_, i) => `${first}_${i + 1}`)];
}

/** Row-major `rows × widths[i]` matrices side by side: `rows × Σ widths`. */
function concatColumns(rows: number, parts: Float32Array[], widths: number[]): Float32Array {
  const total = widths.reduce((a, b) => a + b, 0);
  const out = new Float32Array(rows * total);
  let at = 0;
  parts.forEach((p, i) => {
    for (let r = 0; r < rows; r++) {
      out.set(p.subarray(r * widths[i], (r + 1) * widths[i]), r * total + at);
    }
    at += widths[i];
  });
  return out;
}

/**
 * The columns of an `in × out` projection permuted and negated so that `x · W'` is
 * rotate_half(`x · W`) within each head: the first half of a head takes −(second half), the second
 * half takes the first.
 */
function rotateHalf(wT: Float32Array, rows: number, cols: number, headDim: number): Float32Array {
  const out = new Float32Array(wT.length), half = headDim / 2;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = c % headDim, base = c - i;
      out[r * cols + c] = i < half
        ? -wT[r * cols + base + i + half]
        : wT[r * cols + base + i - half];
    }
  }
  return out;
}

/** `out × in` row-major → `in × out` row-major. */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
  return t;
}
