import p from "onnx-proto";

const { onnx } = p;

/** ONNX element types used by the tiny-model builder. */
export const DT = { float: 1, int64: 7, bool: 9 } as const;

/** A dimension: a fixed size or a symbolic name (`batch_size`, `sequence_length`, …). */
export type Dim = number | string;

/** An attribute value: integers are INT, `{ f }` forces FLOAT, arrays are INTS. */
type Attr = number | number[] | string | { f: number };

/**
 * A minimal ONNX graph builder: named nodes, initializers, inputs and outputs, serialized with
 * onnx-proto. Enough for the tiny decoder-only models tests and the default suite run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GraphBuilder, DT } from "./graph.ts";
 * const g = new GraphBuilder("add_one");
 * g.input("x", DT.float, ["n"]);
 * g.output(g.op("Add", ["x", g.scalar(1)], { name: "y" }), DT.float, ["n"]);
 * assert.ok(g.serialize().length > 0);
 * ```
 */
export class GraphBuilder {
  #nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  #inits: InstanceType<typeof onnx.TensorProto>[] = [];
  #inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  #outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  #n = 0;
  constructor(readonly name: string, readonly opset = 14) {}

  /** A fresh value name with a readable prefix. */
  fresh(prefix: string): string {
    return `${prefix}_${this.#n++}`;
  }

  input(name: string, type: number, dims: Dim[]): string {
    this.#inputs.push(valueInfo(name, type, dims));
    return name;
  }

  output(name: string, type: number, dims: Dim[]): string {
    this.#outputs.push(valueInfo(name, type, dims));
    return name;
  }

  /** A float32 initializer. */
  weight(name: string, dims: number[], data: Float32Array): string {
    this.#inits.push(
      onnx.TensorProto.create({
        name,
        dims,
        dataType: DT.float,
        rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      }),
    );
    return name;
  }

  /** An int64 constant tensor (1-D unless `dims` says otherwise). */
  ints(values: number[], dims: number[] = [values.length]): string {
    const name = this.fresh("i64");
    const buf = new BigInt64Array(values.map((v) => BigInt(v)));
    this.#inits.push(
      onnx.TensorProto.create({
        name,
        dims,
        dataType: DT.int64,
        rawData: new Uint8Array(buf.buffer),
      }),
    );
    return name;
  }

  /** A float32 scalar constant. */
  scalar(value: number): string {
    return this.weight(this.fresh("f32"), [], new Float32Array([value]));
  }

  /** Add a node; returns its (first) output name. `name` names the output. */
  op(
    type: string,
    inputs: string[],
    opts: { name?: string; outputs?: number; attrs?: Record<string, Attr> } = {},
  ): string {
    const n = opts.outputs ?? 1;
    const first = opts.name ?? this.fresh(type.toLowerCase());
    const outputs = [first, ...Array.from({ length: n - 1 }, (_, i) => `${first}_${i + 1}`)];
    this.#nodes.push(
      onnx.NodeProto.create({
        opType: type,
        input: inputs,
        output: outputs,
        name: `${type}_${this.#nodes.length}`,
        attribute: Object.entries(opts.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      }),
    );
    return first;
  }

  /** The model as ONNX protobuf bytes. */
  serialize(metadata: Record<string, string> = {}): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: "tooltrial",
      opsetImport: [{ domain: "", version: this.opset }],
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
      graph: onnx.GraphProto.create({
        name: this.name,
        node: this.#nodes,
        initializer: this.#inits,
        input: this.#inputs,
        output: this.#outputs,
      }),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, elemType: number, dims: Dim[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => typeof d === "number" ? { dimValue: d } : { dimParam: d }) },
      },
    },
  });
}

function attribute(name: string, v: Attr) {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === "string") {
    return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(v) });
  }
  if (Array.isArray(v)) return onnx.AttributeProto.create({ name, type: T.INTS, ints: v });
  if (typeof v === "object") return onnx.AttributeProto.create({ name, type: T.FLOAT, f: v.f });
  return Number.isInteger(v) && !Object.is(v, -0)
    ? onnx.AttributeProto.create({ name, type: T.INT, i: v })
    : onnx.AttributeProto.create({ name, type: T.FLOAT, f: v });
}
