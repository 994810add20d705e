/**
 * What the decode loop needs of an inference session, and onnxruntime-node as one. The other
 * implementation is the C API binding in `native.ts`.
 * @module
 */
import * as ort from "onnxruntime-node";

/** A tensor as the decode loop sees it, from either binding. */
export interface TensorLike {
  /** Element type, e.g. `float32`, `int64`. */
  readonly type: string;
  /** The elements (a typed array). */
  readonly data: unknown;
  /** Shape. */
  readonly dims: readonly number[];
  /**
   * The same `data` will be passed again with the same dims (a buffer the caller refills between
   * runs): a binding may keep what it built around it instead of building it on every run.
   */
  readonly reuse?: boolean;
  /** Free the tensor's memory now (native outputs); its `data` must not be used afterwards. */
  dispose?(): void;
}

/** The part of an inference session the decode loop uses, whichever binding runs it. */
export interface ModelSession {
  /** The graph's input names. */
  readonly inputNames: readonly string[];
  /** The graph's output names. */
  readonly outputNames: readonly string[];
  /**
   * Run the model; `fetches` limits the outputs (default: all). Outputs named in `into` are written
   * into the given tensors (which must have the output's exact type and dims) and returned as
   * those same objects.
   */
  run(
    feeds: Record<string, TensorLike>,
    fetches?: readonly string[],
    into?: Record<string, TensorLike>,
  ): Promise<Record<string, TensorLike>>;
  /** Free the session and what it holds. */
  release(): Promise<void>;
}

/** Which binding runs a session. */
export type Binding = "c-api" | "onnxruntime-node";

/** An onnxruntime-node session as a `ModelSession` (its outputs are copied into JavaScript). */
export function nodeSession(s: ort.InferenceSession): ModelSession {
  return {
    inputNames: s.inputNames,
    outputNames: s.outputNames,
    async run(feeds, fetches, into) {
      const f: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) {
        f[name] = t instanceof ort.Tensor
          ? t
          : new ort.Tensor(t.type as "float32", t.data as Float32Array, t.dims);
      }
      const out: Record<string, TensorLike> = fetches
        ? await s.run(f, [...fetches])
        : await s.run(f);
      for (const [name, t] of Object.entries(into ?? {})) {
        // onnxruntime-node copies outputs into JavaScript anyway: one more copy of a small tensor.
        checkInto(name, t, out[name]);
        (t.data as Float32Array).set(out[name].data as Float32Array);
        out[name] = t;
      }
      return out;
    },
    release: () => s.release(),
  };
}

/** Throw unless `target` can take output `name`, which came out as `got`. */
export function checkInto(name: string, target: TensorLike, got?: TensorLike): void {
  if (!got) throw new Error(`the model has no output "${name}" to write into`);
  const size = target.dims.reduce((a, d) => a * d, 1);
  if ((target.data as ArrayLike<unknown>).length !== size) {
    throw new Error(
      `output "${name}": the buffer given holds ${
        (target.data as ArrayLike<unknown>).length
      } values, not the ${size} of [${target.dims}]`,
    );
  }
  if (got.type !== target.type || got.dims.join() !== target.dims.join()) {
    throw new Error(
      `output "${name}" is ${got.type} [${got.dims}], not the ${target.type} [${target.dims}] given for it`,
    );
  }
}

/** A single-use release: dispose every tensor that has a `dispose`. */
export function disposeAll(ts: Iterable<TensorLike | undefined>): void {
  for (const t of ts) t?.dispose?.();
}
