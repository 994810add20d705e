import * as ort from "onnxruntime-node";
import type { CacheShape } from "./decoder.ts";

/**
 * The floor our decode loop is measured and checked against: prefill, then one `session.run` per
 * token with the presents fed back as pasts, greedy argmax, no batching and no bookkeeping.
 */
export async function bareGreedy(
  session: ort.InferenceSession,
  shape: CacheShape,
  opts: { ids: number[]; tokens: number },
): Promise<number[]> {
  const i64 = (a: number[], dims: number[]) =>
    new ort.Tensor("int64", BigInt64Array.from(a.map(BigInt)), dims);
  let past: Record<string, ort.Tensor> = {};
  for (let l = 0; l < shape.layers; l++) {
    for (const k of ["key", "value"]) {
      past[`past_key_values.${l}.${k}`] = new ort.Tensor("float32", new Float32Array(0), [
        1,
        shape.kvHeads,
        0,
        shape.headDim,
      ]);
    }
  }
  const out: number[] = [];
  let input = opts.ids, len = 0;
  while (out.length < opts.tokens) {
    const r = await session.run({
      input_ids: i64(input, [1, input.length]),
      attention_mask: new ort.Tensor("int64", new BigInt64Array(len + input.length).fill(1n), [
        1,
        len + input.length,
      ]),
      position_ids: i64(input.map((_, i) => len + i), [1, input.length]),
      ...past,
    });
    len += input.length;
    const logits = r.logits.data as Float32Array;
    const v = r.logits.dims[2], off = logits.length - v;
    let best = 0;
    for (let i = 1; i < v; i++) if (logits[off + i] > logits[off + best]) best = i;
    out.push(best);
    input = [best];
    past = {};
    for (let l = 0; l < shape.layers; l++) {
      for (const k of ["key", "value"]) {
        past[`past_key_values.${l}.${k}`] = r[`present.${l}.${k}`] as ort.Tensor;
      }
    }
  }
  return out;
}
