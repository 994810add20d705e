import type { CacheShape } from "./decoder.ts";
import { disposeAll, type ModelSession, type TensorLike } from "./session.ts";

/**
 * The floor our decode loop is measured and checked against: prefill, then one `session.run` per
 * token with the presents fed back as pasts, greedy argmax, no batching and no bookkeeping. Each
 * step's pasts are disposed once used (a no-op for onnxruntime-node tensors).
 */
export async function bareGreedy(
  session: ModelSession,
  shape: CacheShape,
  opts: { ids: number[]; tokens: number },
): Promise<number[]> {
  const i64 = (a: number[], dims: number[]): TensorLike => ({
    type: "int64",
    data: BigInt64Array.from(a.map(BigInt)),
    dims,
  });
  let past: Record<string, TensorLike> = {};
  for (let l = 0; l < shape.layers; l++) {
    for (const k of ["key", "value"]) {
      past[`past_key_values.${l}.${k}`] = {
        type: "float32",
        data: new Float32Array(0),
        dims: [1, shape.kvHeads, 0, shape.headDim],
      };
    }
  }
  const out: number[] = [];
  let input = opts.ids, len = 0;
  while (out.length < opts.tokens) {
    const r = await session.run({
      input_ids: i64(input, [1, input.length]),
      attention_mask: {
        type: "int64",
        data: new BigInt64Array(len + input.length).fill(1n),
        dims: [1, len + input.length],
      },
      position_ids: i64(input.map((_, i) => len + i), [1, input.length]),
      ...past,
    });
    len += input.length;
    const logits = r.logits.data as Float32Array;
    const v = r.logits.dims[2], off = logits.length - v;
    let best = 0;
    for (let i = 1; i < v; i++) if (logits[off + i] > logits[off + best]) best = i;
    r.logits.dispose?.();
    out.push(best);
    input = [best];
    disposeAll(Object.values(past));
    past = {};
    for (let l = 0; l < shape.layers; l++) {
      for (const k of ["key", "value"]) {
        past[`past_key_values.${l}.${k}`] = r[`present.${l}.${k}`];
      }
    }
  }
  disposeAll(Object.values(past));
  return out;
}
