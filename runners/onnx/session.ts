/**
 * What the decode loop needs of an inference session, and onnxruntime-node as one. The other
 * implementation is the C API binding in `native.ts`.
 * @module
 */
import * as ort from "onnxruntime-node";

/** A tensor as the decode loop sees it, from either binding. */
export interface TensorLike {
  readonly type: string;
  readonly data: unknown;
  readonly dims: readonly number[];
  /** Free the tensor's memory now (native outputs); its `data` must not be used afterwards. */
  dispose?(): void;
}

/** The part of an inference session the decode loop uses, whichever binding runs it. */
export interface ModelSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Run the model; `fetches` limits the outputs (default: all). */
  run(
    feeds: Record<string, TensorLike>,
    fetches?: readonly string[],
  ): Promise<Record<string, TensorLike>>;
  release(): Promise<void>;
}

/** Which binding runs a session. */
export type Binding = "c-api" | "onnxruntime-node";

/** An onnxruntime-node session as a `ModelSession` (its outputs are copied into JavaScript). */
export function nodeSession(s: ort.InferenceSession): ModelSession {
  return {
    inputNames: s.inputNames,
    outputNames: s.outputNames,
    async run(feeds, fetches) {
      const f: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) {
        f[name] = t instanceof ort.Tensor
          ? t
          : new ort.Tensor(t.type as "float32", t.data as Float32Array, t.dims);
      }
      return fetches ? await s.run(f, [...fetches]) : await s.run(f);
    },
    release: () => s.release(),
  };
}

/** A single-use release: dispose every tensor that has a `dispose`. */
export function disposeAll(ts: Iterable<TensorLike | undefined>): void {
  for (const t of ts) t?.dispose?.();
}
