import assert from "node:assert/strict";
import * as ort from "onnxruntime-node";
import { buildLlamaOnnx, type LlamaShape, randomWeights, type Weights } from "./tiny_llama.ts";

const shape: LlamaShape = {
  vocab_size: 40,
  hidden_size: 16,
  intermediate_size: 24,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 4,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  max_position_embeddings: 128,
};

/** A plain-JS forward pass of the same architecture: the reference the ONNX graph must match. */
function reference(s: LlamaShape, w: Weights, ids: number[]): number[][] {
  const H = s.hidden_size, D = s.head_dim, NH = s.num_attention_heads, KV = s.num_key_value_heads;
  const lin = (x: number[], name: string, out: number) =>
    Array.from(
      { length: out },
      (_, o) => x.reduce((acc, v, i) => acc + v * w[name][o * x.length + i], 0),
    );
  const norm = (x: number[], name: string) => {
    const r = 1 / Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length + s.rms_norm_eps);
    return x.map((v, i) => v * r * w[name][i]);
  };
  const rope = (v: number[], pos: number) =>
    v.map((x, i) => {
      const j = i % (D / 2), f = pos / Math.pow(s.rope_theta, (2 * j) / D);
      const other = i < D / 2 ? -v[i + D / 2] : v[i - D / 2];
      return x * Math.cos(f) + other * Math.sin(f);
    });
  let hs = ids.map((t) => Array.from(w["model.embed_tokens.weight"].subarray(t * H, (t + 1) * H)));
  for (let l = 0; l < s.num_hidden_layers; l++) {
    const p = `model.layers.${l}`;
    const xs = hs.map((h) => norm(h, `${p}.input_layernorm.weight`));
    const qs = xs.map((x) => lin(x, `${p}.self_attn.q_proj.weight`, NH * D));
    const ks = xs.map((x) => lin(x, `${p}.self_attn.k_proj.weight`, KV * D));
    const vs = xs.map((x) => lin(x, `${p}.self_attn.v_proj.weight`, KV * D));
    hs = hs.map((h, t) => {
      const attn: number[] = [];
      for (let hd = 0; hd < NH; hd++) {
        const kh = Math.floor(hd / (NH / KV));
        const q = rope(qs[t].slice(hd * D, (hd + 1) * D), t);
        const sc = Array.from({ length: t + 1 }, (_, j) => {
          const k = rope(ks[j].slice(kh * D, (kh + 1) * D), j);
          return q.reduce((a, v, i) => a + v * k[i], 0) / Math.sqrt(D);
        });
        const m = Math.max(...sc),
          e = sc.map((x) => Math.exp(x - m)),
          z = e.reduce((a, b) => a + b);
        for (let i = 0; i < D; i++) {
          attn.push(e.reduce((a, p, j) => a + (p / z) * vs[j][kh * D + i], 0));
        }
      }
      const h2 = h.map((v, i) => v + lin(attn, `${p}.self_attn.o_proj.weight`, H)[i]);
      const y = norm(h2, `${p}.post_attention_layernorm.weight`);
      const g = lin(y, `${p}.mlp.gate_proj.weight`, s.intermediate_size);
      const u = lin(y, `${p}.mlp.up_proj.weight`, s.intermediate_size);
      const a = g.map((x, i) => (x / (1 + Math.exp(-x))) * u[i]);
      const d = lin(a, `${p}.mlp.down_proj.weight`, H);
      return h2.map((v, i) => v + d[i]);
    });
  }
  return hs.map((h) => lin(norm(h, "model.norm.weight"), "lm_head.weight", s.vocab_size));
}

const i64 = (a: number[], dims: number[]) =>
  new ort.Tensor("int64", BigInt64Array.from(a.map(BigInt)), dims);

function emptyPast(batch: number): Record<string, ort.Tensor> {
  const f: Record<string, ort.Tensor> = {};
  for (let i = 0; i < shape.num_hidden_layers; i++) {
    for (const k of ["key", "value"]) {
      f[`past_key_values.${i}.${k}`] = new ort.Tensor("float32", new Float32Array(0), [
        batch,
        shape.num_key_value_heads,
        0,
        shape.head_dim,
      ]);
    }
  }
  return f;
}

function close(actual: ArrayLike<number>, expected: number[], tol = 1e-4) {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) < tol,
      `logit ${i}: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

// Weights scaled up so attention is far from uniform and a masking mistake would show.
const weights = Object.fromEntries(
  Object.entries(randomWeights(shape, 3)).map((
    [k, v],
  ) => [k, k.endsWith("norm.weight") ? v : v.map((x) => x * 25)]),
);
const session = await ort.InferenceSession.create(buildLlamaOnnx(shape, weights));
const ids = [3, 17, 5, 29, 11, 2, 38];
const want = reference(shape, weights, ids);

Deno.test("tiny llama: prefill logits match a plain-JS reference", async () => {
  const n = ids.length;
  const out = await session.run({
    input_ids: i64(ids, [1, n]),
    attention_mask: i64(ids.map(() => 1), [1, n]),
    position_ids: i64(ids.map((_, i) => i), [1, n]),
    ...emptyPast(1),
  });
  const logits = out.logits.data as Float32Array;
  for (let t = 0; t < n; t++) close(logits.subarray(t * 40, (t + 1) * 40), want[t]);
});

Deno.test("tiny llama: KV-cache steps match the reference token by token", async () => {
  let feeds = emptyPast(1);
  for (let t = 0; t < ids.length; t++) {
    const out = await session.run({
      input_ids: i64([ids[t]], [1, 1]),
      attention_mask: i64(ids.slice(0, t + 1).map(() => 1), [1, t + 1]),
      position_ids: i64([t], [1, 1]),
      ...feeds,
    });
    close(out.logits.data as Float32Array, want[t]);
    feeds = {};
    for (let i = 0; i < shape.num_hidden_layers; i++) {
      for (const k of ["key", "value"]) {
        feeds[`past_key_values.${i}.${k}`] = out[`present.${i}.${k}`];
      }
    }
  }
});

Deno.test("tiny llama: a left-padded row in a batch gives the unpadded logits", async () => {
  const short = ids.slice(0, 4), pad = ids.length - short.length;
  const out = await session.run({
    input_ids: i64([...ids, ...Array(pad).fill(0), ...short], [2, ids.length]),
    attention_mask: i64([...ids.map(() => 1), ...Array(pad).fill(0), ...short.map(() => 1)], [
      2,
      ids.length,
    ]),
    position_ids: i64([...ids.map((_, i) => i), ...Array(pad).fill(0), ...short.map((_, i) => i)], [
      2,
      ids.length,
    ]),
    ...emptyPast(2),
  });
  const logits = out.logits.data as Float32Array, V = 40, n = ids.length;
  const wantShort = reference(shape, weights, short);
  close(logits.subarray((n - 1) * V, n * V), want[n - 1]);
  close(logits.subarray((2 * n - 1) * V, 2 * n * V), wantShort[short.length - 1]);
});
