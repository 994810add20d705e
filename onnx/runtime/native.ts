/**
 * onnxruntime's C API through Deno FFI, for the CPU decode loop.
 *
 * onnxruntime-node copies every output into a fresh JavaScript ArrayBuffer. For a decoder that
 * means the whole KV cache, every step: half the time of a batched step on the tiny model went to
 * that copy. Here outputs stay `OrtValue`s owned by onnxruntime: a step's `present.*` values are
 * fed back as the next step's `past_key_values.*` without leaving native memory, and JavaScript
 * reads only what it asks for (the logits, or a row being taken out of the batch) through a view.
 *
 * It loads the `libonnxruntime` that ships inside onnxruntime-node, so both bindings run the same
 * library. Linux only; elsewhere (or with `TOOLTRIAL_ORT_BINDING=node`) the agent uses
 * onnxruntime-node.
 * @module
 */
import type { Device, SessionOptions } from "./providers.ts";
import type { ModelSession, TensorLike } from "./session.ts";

/** Where `OrtApi` keeps each function (the struct only grows; see onnxruntime_c_api.h). */
const API = {
  GetErrorMessage: [2, ["pointer"], "pointer"],
  CreateEnv: [3, ["i32", "buffer", "buffer"], "pointer"],
  CreateSession: [7, ["pointer", "buffer", "pointer", "buffer"], "pointer"],
  Run: [
    9,
    ["pointer", "pointer", "buffer", "buffer", "usize", "buffer", "usize", "buffer"],
    "pointer",
  ],
  CreateSessionOptions: [10, ["buffer"], "pointer"],
  SetSessionLogSeverityLevel: [22, ["pointer", "i32"], "pointer"],
  SetSessionGraphOptimizationLevel: [23, ["pointer", "i32"], "pointer"],
  SetIntraOpNumThreads: [24, ["pointer", "i32"], "pointer"],
  SetInterOpNumThreads: [25, ["pointer", "i32"], "pointer"],
  SessionGetInputCount: [30, ["pointer", "buffer"], "pointer"],
  SessionGetOutputCount: [31, ["pointer", "buffer"], "pointer"],
  SessionGetInputName: [36, ["pointer", "usize", "pointer", "buffer"], "pointer"],
  SessionGetOutputName: [37, ["pointer", "usize", "pointer", "buffer"], "pointer"],
  CreateTensorWithDataAsOrtValue: [
    49,
    ["pointer", "pointer", "usize", "buffer", "usize", "i32", "buffer"],
    "pointer",
  ],
  GetTensorMutableData: [51, ["pointer", "buffer"], "pointer"],
  SessionGetOutputTypeInfo: [34, ["pointer", "usize", "buffer"], "pointer"],
  CastTypeInfoToTensorInfo: [55, ["pointer", "buffer"], "pointer"],
  GetTensorElementType: [60, ["pointer", "buffer"], "pointer"],
  GetDimensionsCount: [61, ["pointer", "buffer"], "pointer"],
  GetDimensions: [62, ["pointer", "buffer", "usize"], "pointer"],
  GetTensorTypeAndShape: [65, ["pointer", "buffer"], "pointer"],
  CreateCpuMemoryInfo: [69, ["i32", "i32", "buffer"], "pointer"],
  AllocatorFree: [76, ["pointer", "pointer"], "pointer"],
  GetAllocatorWithDefaultOptions: [78, ["buffer"], "pointer"],
  ReleaseStatus: [93, ["pointer"], "void"],
  ReleaseSession: [95, ["pointer"], "void"],
  ReleaseValue: [96, ["pointer"], "void"],
  ReleaseTypeInfo: [98, ["pointer"], "void"],
  ReleaseTensorTypeAndShapeInfo: [99, ["pointer"], "void"],
  ReleaseSessionOptions: [100, ["pointer"], "void"],
  GetTensorSizeInBytes: [318, ["pointer", "buffer"], "pointer"],
} as const;

type Api = typeof API;
type Fn<K extends keyof Api> = Deno.UnsafeFnPointer<
  { parameters: Api[K][1]; result: Api[K][2] }
>;
type Ort = { [K in keyof Api]: Fn<K> } & { version: string; env: Deno.PointerValue };

/** ONNX element types by the names onnxruntime-common uses (the ones a decoder needs). */
const ELEMENT = { float32: 1, int64: 7 } as const;
const ORT_ENABLE_ALL = 99, ORT_LOGGING_LEVEL_FATAL = 4;

let ort: Ort | null | undefined;
let unavailable = "";

/** The library file inside the installed onnxruntime-node package (Linux x64 and arm64). */
function libraryPath(): string {
  const { os, arch } = Deno.build;
  // Tested on Linux only; elsewhere onnxruntime-node runs the model.
  if (os !== "linux") throw new Error(`the C API binding is used on Linux only (this is ${os})`);
  const dir = `../bin/napi-v6/linux/${arch === "x86_64" ? "x64" : "arm64"}/libonnxruntime.so.1`;
  return new URL(dir, import.meta.resolve("onnxruntime-node")).pathname;
}

function load(): Ort | null {
  if (ort !== undefined) return ort;
  try {
    if (Deno.env.get("TOOLTRIAL_ORT_BINDING") === "node") {
      throw new Error("TOOLTRIAL_ORT_BINDING=node");
    }
    const lib = Deno.dlopen(libraryPath(), {
      OrtGetApiBase: { parameters: [], result: "pointer" },
    });
    const base = new Deno.UnsafePointerView(lib.symbols.OrtGetApiBase()!);
    const getApi = new Deno.UnsafeFnPointer(base.getPointer(0)!, {
      parameters: ["u32"],
      result: "pointer",
    });
    const getVersion = new Deno.UnsafeFnPointer(base.getPointer(8)!, {
      parameters: [],
      result: "pointer",
    });
    const version = new Deno.UnsafePointerView(getVersion.call()!).getCString();
    // Every function used here is in API version 24 (onnxruntime 1.24); asking for it works on
    // any newer library.
    const table = getApi.call(24);
    if (!table) throw new Error(`onnxruntime ${version} is older than 1.24`);
    const view = new Deno.UnsafePointerView(table);
    const fns: Record<string, unknown> = {};
    for (const [name, [index, parameters, result]] of Object.entries(API)) {
      fns[name] = new Deno.UnsafeFnPointer(view.getPointer(index * 8)!, { parameters, result });
    }
    const o = { ...fns, version, env: null } as unknown as Ort;
    const out = new BigUint64Array(1);
    check(o, o.CreateEnv.call(ORT_LOGGING_LEVEL_FATAL, cString("tooltrial"), out));
    o.env = Deno.UnsafePointer.create(out[0]);
    ort = o;
  } catch (err) {
    unavailable = err instanceof Error ? err.message : String(err);
    ort = null;
  }
  return ort;
}

/** Why the C API binding cannot be used here, or null when it can. */
export function nativeUnavailable(): string | null {
  return load() ? null : unavailable;
}

/** The onnxruntime version the C API binding loaded (null when it cannot load). */
export function nativeVersion(): string | null {
  return load()?.version ?? null;
}

function cString(s: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(s + "\0");
}

/** Throw onnxruntime's message for a non-null status, and free the status. */
function check(o: Ort, status: Deno.PointerValue) {
  if (status === null) return;
  const msg = new Deno.UnsafePointerView(o.GetErrorMessage.call(status)!).getCString();
  o.ReleaseStatus.call(status);
  throw new Error(msg);
}

const ptr = (v: bigint) => Deno.UnsafePointer.create(v);

/**
 * The backing memory of a typed array as a stable pointer. Small typed arrays can live inside the
 * JavaScript heap, where the garbage collector moves them; reading `.buffer` moves them out first.
 */
function dataPointer(a: ArrayBufferView): Deno.PointerValue {
  void a.buffer;
  return Deno.UnsafePointer.of(a as ArrayBufferView<ArrayBuffer>);
}

/** Outputs not disposed are released when collected (a view keeps its tensor reachable). */
const orphans = new FinalizationRegistry<bigint>((value) => {
  NativeTensor.live--;
  ort?.ReleaseValue.call(ptr(value));
});
const OWNER = Symbol("tooltrial.ortValue");

type Element = "float32" | "int64";
const BYTES: Record<Element, number> = { float32: 4, int64: 8 };
const out1 = new BigUint64Array(1);

/**
 * An output of a native run: an `OrtValue` owned by onnxruntime. Nothing is asked of onnxruntime
 * until it is needed: a cache tensor fed straight back costs no call at all. `data` is a view over
 * onnxruntime's memory; `dispose()` frees it and detaches the view, so a stale view reads as empty
 * instead of as freed memory.
 */
export class NativeTensor implements TensorLike {
  #value: bigint;
  #data?: Float32Array | BigInt64Array;
  #dims?: readonly number[];
  readonly type: Element;
  /** Outputs not yet released (for leak checks). */
  static live = 0;

  constructor(value: bigint, type: Element) {
    this.#value = value;
    this.type = type;
    NativeTensor.live++;
    orphans.register(this, value, this);
  }

  /** The `OrtValue*` (0n once disposed). */
  get value(): bigint {
    return this.#value;
  }

  #live(): Deno.PointerValue {
    if (this.#value === 0n) throw new Error("tensor used after dispose()");
    return ptr(this.#value);
  }

  get dims(): readonly number[] {
    if (this.#dims) return this.#dims;
    const o = ort!;
    check(o, o.GetTensorTypeAndShape.call(this.#live(), out1));
    const info = ptr(out1[0]);
    try {
      check(o, o.GetDimensionsCount.call(info, out1));
      const dims = new BigInt64Array(Number(out1[0]));
      check(o, o.GetDimensions.call(info, dims, BigInt(dims.length)));
      return this.#dims = Array.from(dims, Number);
    } finally {
      o.ReleaseTensorTypeAndShapeInfo.call(info);
    }
  }

  get data(): Float32Array | BigInt64Array {
    if (this.#data) return this.#data;
    const o = ort!, v = this.#live();
    check(o, o.GetTensorSizeInBytes.call(v, out1));
    const bytes = Number(out1[0]);
    const n = bytes / BYTES[this.type];
    if (n === 0) {
      return this.#data = this.type === "float32" ? new Float32Array(0) : new BigInt64Array(0);
    }
    check(o, o.GetTensorMutableData.call(v, out1));
    const buf = new Deno.UnsafePointerView(ptr(out1[0])!).getArrayBuffer(bytes);
    // Whoever holds any view of this memory keeps the tensor, and so the memory, alive.
    (buf as unknown as Record<symbol, unknown>)[OWNER] = this;
    this.#data = this.type === "float32" ? new Float32Array(buf) : new BigInt64Array(buf);
    return this.#data;
  }

  dispose(): void {
    if (this.#value === 0n) return;
    orphans.unregister(this);
    if (this.#data && this.#data.length > 0) (this.#data.buffer as ArrayBuffer).transfer(0);
    this.#data = undefined;
    ort!.ReleaseValue.call(ptr(this.#value));
    this.#value = 0n;
    NativeTensor.live--;
  }
}

/** Wrappers of `reuse` tensors, by array; released when the array is collected. */
const kept = new WeakMap<object, { value: bigint; key: string }>();
const keptRelease = new FinalizationRegistry<{ value: bigint }>((k) =>
  ort?.ReleaseValue.call(ptr(k.value))
);

/** NUL-terminated names in one buffer outside the JavaScript heap, so their addresses never move. */
function nameTable(names: readonly string[]): { keep: ArrayBuffer; at: Map<string, bigint> } {
  const enc = names.map((n) => new TextEncoder().encode(n + "\0"));
  const keep = new ArrayBuffer(enc.reduce((a, e) => a + e.length, 0));
  const base = Deno.UnsafePointer.value(Deno.UnsafePointer.of(keep));
  const at = new Map<string, bigint>();
  let off = 0;
  enc.forEach((e, i) => {
    new Uint8Array(keep, off, e.length).set(e);
    at.set(names[i], base + BigInt(off));
    off += e.length;
  });
  return { keep, at };
}

/**
 * An inference session on the CPU through the C API. Inputs may be `NativeTensor`s from an earlier
 * run (used in place) or any `{type, data, dims}` over a typed array (wrapped without copying).
 * Outputs are `NativeTensor`s: dispose them when done, or they wait for the garbage collector.
 */
export class NativeSession implements ModelSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly version: string;
  #session: Deno.PointerValue;
  #memory: Deno.PointerValue;
  #names: { keep: ArrayBuffer; at: Map<string, bigint> };
  #outTypes = new Map<string, Element>();

  private constructor(o: Ort, session: Deno.PointerValue) {
    this.#session = session;
    this.version = o.version;
    const out = new BigUint64Array(1);
    check(o, o.CreateCpuMemoryInfo.call(1, /* arena */ 0, /* default */ out));
    this.#memory = ptr(out[0]);
    check(o, o.GetAllocatorWithDefaultOptions.call(out));
    const alloc = ptr(out[0]);
    const names = (count: Fn<"SessionGetInputCount">, get: Fn<"SessionGetInputName">) => {
      check(o, count.call(session, out));
      const n = Number(out[0]), list: string[] = [];
      for (let i = 0; i < n; i++) {
        check(o, get.call(session, BigInt(i), alloc, out));
        const p = ptr(out[0]);
        list.push(new Deno.UnsafePointerView(p!).getCString());
        check(o, o.AllocatorFree.call(alloc, p));
      }
      return list;
    };
    this.inputNames = names(o.SessionGetInputCount, o.SessionGetInputName);
    this.outputNames = names(o.SessionGetOutputCount, o.SessionGetOutputName);
    this.#names = nameTable([...this.inputNames, ...this.outputNames]);
    this.outputNames.forEach((name, i) => {
      check(o, o.SessionGetOutputTypeInfo.call(session, BigInt(i), out));
      const typeInfo = ptr(out[0]);
      try {
        check(o, o.CastTypeInfoToTensorInfo.call(typeInfo, out));
        if (out[0] === 0n) return; // not a tensor: never fetched by the decode loop
        const el = new Int32Array(1);
        check(o, o.GetTensorElementType.call(ptr(out[0]), el));
        const type = el[0] === ELEMENT.float32
          ? "float32"
          : el[0] === ELEMENT.int64
          ? "int64"
          : null;
        if (type) this.#outTypes.set(name, type);
      } finally {
        o.ReleaseTypeInfo.call(typeInfo);
      }
    });
  }

  /** Open `modelPath` on the CPU; throws onnxruntime's message when it cannot. */
  static open(modelPath: string, opts: SessionOptions = {}): NativeSession {
    const o = load();
    if (!o) throw new Error(`the onnxruntime C API is not available: ${unavailable}`);
    const out = new BigUint64Array(1);
    check(o, o.CreateSessionOptions.call(out));
    const so = ptr(out[0]);
    try {
      check(o, o.SetIntraOpNumThreads.call(so, intraOpThreads(opts.intraOpThreads, "cpu")));
      check(o, o.SetInterOpNumThreads.call(so, opts.interOpThreads ?? 0));
      check(o, o.SetSessionGraphOptimizationLevel.call(so, ORT_ENABLE_ALL));
      check(o, o.SetSessionLogSeverityLevel.call(so, ORT_LOGGING_LEVEL_FATAL));
      check(o, o.CreateSession.call(o.env, cString(modelPath), so, out));
    } finally {
      o.ReleaseSessionOptions.call(so);
    }
    return new NativeSession(o, ptr(out[0]));
  }

  run(
    feeds: Record<string, TensorLike>,
    fetches?: readonly string[],
    into?: Record<string, TensorLike>,
  ): Promise<Record<string, TensorLike>> {
    // Let timers and I/O run between forward passes, as onnxruntime-node does.
    return new Promise((resolve, reject) =>
      setImmediate(() => {
        try {
          resolve(this.runSync(feeds, fetches, into));
        } catch (err) {
          reject(err);
        }
      })
    );
  }

  /** One forward pass, on this thread. */
  runSync(
    feeds: Record<string, TensorLike>,
    fetches?: readonly string[],
    into?: Record<string, TensorLike>,
  ): Record<string, TensorLike> {
    const o = ort!;
    if (this.#session === null) throw new Error("session already released");
    const inNames = Object.keys(feeds), outNames = fetches ?? this.outputNames;
    const inPtrs = new BigUint64Array(inNames.length), inVals = new BigUint64Array(inNames.length);
    const outPtrs = new BigUint64Array(outNames.length);
    const outVals = new BigUint64Array(outNames.length);
    const wrapped: bigint[] = [];
    try {
      inNames.forEach((name, i) => {
        const at = this.#names.at.get(name);
        if (at === undefined || !this.inputNames.includes(name)) {
          throw new Error(`the model has no input "${name}"`);
        }
        inPtrs[i] = at;
        const t = feeds[name];
        if (t instanceof NativeTensor) {
          if (t.value === 0n) throw new Error(`input "${name}" was disposed`);
          inVals[i] = t.value;
        } else if (t.reuse) inVals[i] = this.#kept(o, `input "${name}"`, t);
        else wrapped.push(inVals[i] = this.#wrap(o, `input "${name}"`, t));
      });
      outNames.forEach((name, i) => {
        const at = this.#names.at.get(name);
        if (at === undefined || !this.#outTypes.has(name)) {
          throw new Error(`the model has no float32 or int64 output "${name}"`);
        }
        outPtrs[i] = at;
        // A value given here is written into; onnxruntime allocates the others.
        const t = into?.[name];
        if (t) outVals[i] = this.#kept(o, `output "${name}"`, t);
      });
      check(
        o,
        o.Run.call(
          this.#session,
          null,
          inPtrs,
          inVals,
          BigInt(inNames.length),
          outPtrs,
          BigInt(outNames.length),
          outVals,
        ),
      );
    } finally {
      for (const v of wrapped) o.ReleaseValue.call(ptr(v));
    }
    const result: Record<string, TensorLike> = {};
    outNames.forEach((name, i) =>
      result[name] = into?.[name] ?? new NativeTensor(outVals[i], this.#outTypes.get(name)!)
    );
    return result;
  }

  /** An `OrtValue` over a typed array's memory (no copy); the caller releases it. */
  #wrap(o: Ort, what: string, t: TensorLike): bigint {
    const el = ELEMENT[t.type as keyof typeof ELEMENT];
    if (!el) throw new Error(`${what}: unsupported type ${t.type}`);
    const data = t.data as Float32Array | BigInt64Array;
    try {
      check(
        o,
        o.CreateTensorWithDataAsOrtValue.call(
          this.#memory,
          dataPointer(data),
          BigInt(data.byteLength),
          BigInt64Array.from(t.dims, BigInt),
          BigInt(t.dims.length),
          el,
          out1,
        ),
      );
    } catch (err) {
      throw new Error(`${what} [${t.dims}]: ${(err as Error).message}`);
    }
    return out1[0];
  }

  /**
   * The wrapper of a `reuse` tensor, built on first use and kept with its array: each FFI call
   * costs about a microsecond and a half, so a decode step that re-wrapped its inputs and fetched
   * its logits anew paid for a dozen of them.
   */
  #kept(o: Ort, what: string, t: TensorLike): bigint {
    const data = t.data as Float32Array | BigInt64Array;
    const key = `${t.type} ${t.dims.join()} ${data.byteLength}`;
    let k = kept.get(data);
    if (k?.key === key) return k.value;
    const value = this.#wrap(o, what, t);
    if (k) o.ReleaseValue.call(ptr(k.value)), k.value = value, k.key = key;
    else {
      kept.set(data, k = { value, key });
      keptRelease.register(data, k);
    }
    return value;
  }

  release(): Promise<void> {
    if (this.#session !== null) {
      ort!.ReleaseSession.call(this.#session);
      this.#session = null;
    }
    return Promise.resolve();
  }
}

/** The intra-op threads a session on `provider` gets for a setting (see SessionOptions; this binding is always the CPU's). */
export function intraOpThreads(setting: number | "auto" | undefined, provider: Device): number {
  if (setting === "auto") return provider === "cpu" ? 1 : 0;
  return setting ?? 0;
}
