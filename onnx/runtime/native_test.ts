import assert from "node:assert/strict";
import { NativeSession, NativeTensor, nativeUnavailable, nativeVersion } from "./native.ts";
import { openSession } from "./providers.ts";
import type { TensorLike } from "./session.ts";

const MODEL = "models/tiny-random/onnx/model.onnx";
const LAYERS = 2, HEADS = 2, DIM = 16;

function feeds(ids: number[], past: number, pasts?: Record<string, TensorLike>) {
  const f: Record<string, TensorLike> = {
    // Tiny typed arrays like these live inside the JavaScript heap until their buffer is read.
    input_ids: { type: "int64", data: BigInt64Array.from(ids, BigInt), dims: [1, ids.length] },
    attention_mask: {
      type: "int64",
      data: new BigInt64Array(past + ids.length).fill(1n),
      dims: [1, past + ids.length],
    },
    position_ids: {
      type: "int64",
      data: BigInt64Array.from(ids, (_, i) => BigInt(past + i)),
      dims: [1, ids.length],
    },
  };
  for (let l = 0; l < LAYERS; l++) {
    for (const k of ["key", "value"]) {
      const name = `past_key_values.${l}.${k}`;
      f[name] = pasts?.[`present.${l}.${k}`] ??
        { type: "float32", data: new Float32Array(0), dims: [1, HEADS, 0, DIM] };
    }
  }
  return f;
}

Deno.test("native: the C API binding loads the library onnxruntime-node ships", () => {
  assert.equal(nativeUnavailable(), null);
  assert.equal(nativeVersion(), "1.30.0");
});

Deno.test("native: outputs equal onnxruntime-node's, step after step with caches fed back in place", async () => {
  const native = NativeSession.open(MODEL, { intraOpThreads: 1 });
  const node = await openSession(MODEL, ["cpu"], { binding: "onnxruntime-node" });
  assert.deepEqual(native.inputNames, node.session.inputNames);
  assert.deepEqual([...native.outputNames].sort(), [...node.session.outputNames].sort());
  const before = NativeTensor.live;
  let a = native.runSync(feeds([5, 17, 99, 3], 0));
  let b = await node.session.run(feeds([5, 17, 99, 3], 0));
  for (let step = 0; step < 40; step++) {
    for (const name of Object.keys(b)) {
      assert.deepEqual(a[name].dims, b[name].dims, name);
      assert.deepEqual(a[name].data, b[name].data, `${name} at step ${step}`);
    }
    // Garbage between steps: if an input's address moved with the heap, results would differ.
    void Array.from({ length: 2000 }, (_, i) => new Float64Array(i % 7));
    const id = 7 + step, len = 4 + step;
    const next = native.runSync(feeds([id], len, a));
    for (const t of Object.values(a)) t.dispose?.();
    a = next;
    b = await node.session.run(feeds([id], len, b));
  }
  for (const t of Object.values(a)) t.dispose?.();
  assert.equal(NativeTensor.live, before);
  await native.release();
  await node.session.release();
});

Deno.test("native and onnxruntime-node: refilled `reuse` inputs and logits written `into` a buffer give the plain results", async () => {
  const native = NativeSession.open(MODEL, { intraOpThreads: 1 });
  const node = await openSession(MODEL, ["cpu"], { binding: "onnxruntime-node" });
  for (const s of [native, node.session]) {
    const before = NativeTensor.live;
    // The same three arrays every step, refilled in place, as the decoder does.
    const ids = new BigInt64Array(1), pos = new BigInt64Array(1);
    const ones = new BigInt64Array(64).fill(1n);
    const logits = new Float32Array(1287);
    let plain = await s.run(feeds([5, 17, 99, 3], 0));
    let kept = await s.run(feeds([5, 17, 99, 3], 0));
    for (let step = 0; step < 20; step++) {
      const id = 7 + step, len = 4 + step;
      ids[0] = BigInt(id), pos[0] = BigInt(len);
      const f = feeds([id], len, kept);
      f.input_ids = { type: "int64", data: ids, dims: [1, 1], reuse: true };
      f.position_ids = { type: "int64", data: pos, dims: [1, 1], reuse: true };
      // A longer mask each step: a new view of one buffer, wrapped once and kept with it.
      const mask = ones.subarray(0, len + 1);
      f.attention_mask = { type: "int64", data: mask, dims: [1, len + 1], reuse: true };
      const target = { type: "float32", data: logits, dims: [1, 1, 1287], reuse: true };
      const next = await s.run(f, undefined, { logits: target });
      const expect = await s.run(feeds([id], len, plain));
      assert.equal(next.logits, target, "the given tensor is returned");
      assert.deepEqual(logits, expect.logits.data, `logits at step ${step}`);
      assert.deepEqual(next["present.1.value"].data, expect["present.1.value"].data);
      for (const t of Object.values(kept)) t.dispose?.();
      for (const t of Object.values(plain)) t.dispose?.();
      kept = next, plain = expect;
    }
    for (const t of [...Object.values(kept), ...Object.values(plain)]) t.dispose?.();
    assert.equal(NativeTensor.live, before);
    // One array kept under new dims (two tokens of one row, then one token of two rows): the
    // wrapper is rebuilt, and the results are the plain ones.
    const two = BigInt64Array.from([5n, 17n]), mask2 = ones.subarray(0, 2);
    for (const dims of [[1, 2], [2, 1]]) {
      const f = feeds([5, 17], 0);
      f.input_ids = { type: "int64", data: two, dims, reuse: true };
      f.attention_mask = { type: "int64", data: mask2, dims, reuse: true };
      f.position_ids = {
        type: "int64",
        data: BigInt64Array.from(dims[0] === 1 ? [0n, 1n] : [0n, 0n]),
        dims,
      };
      for (const name of Object.keys(f).filter((n) => n.startsWith("past_"))) {
        f[name] = { type: "float32", data: new Float32Array(0), dims: [dims[0], HEADS, 0, DIM] };
      }
      const got = await s.run(f);
      const want = await s.run({ ...f, input_ids: { ...f.input_ids, data: two.slice() } });
      assert.deepEqual(got.logits.dims, [...dims, 1287]);
      assert.deepEqual(got.logits.data, want.logits.data, `[${dims}]`);
      for (const t of [...Object.values(got), ...Object.values(want)]) t.dispose?.();
    }
    // A buffer of the wrong shape is refused, with the output's name.
    const small = { type: "float32", data: new Float32Array(1287), dims: [1, 2, 1287] };
    await assert.rejects(() => s.run(feeds([3, 4], 0), undefined, { logits: small }), /logits/);
    const wrong = { type: "float32", data: new Float32Array(2 * 1287), dims: [1, 2, 1287] };
    await assert.rejects(() => s.run(feeds([3], 0), undefined, { logits: wrong }), /logits/);
  }
  await native.release();
  await node.session.release();
});

Deno.test("native: a disposed output cannot be read or fed, and fetches pick outputs", async () => {
  const s = NativeSession.open(MODEL, { intraOpThreads: 1 });
  const out = await s.run(feeds([1, 2], 0), ["logits", "present.0.key"]);
  assert.deepEqual(Object.keys(out), ["logits", "present.0.key"]);
  const logits = out.logits.data as Float32Array;
  assert.equal(logits.length, 2 * out.logits.dims[2]);
  out.logits.dispose?.();
  out.logits.dispose?.(); // twice is fine
  // The old view is detached: it reads as empty, never as freed memory.
  assert.equal(logits.length, 0);
  assert.throws(() => out.logits.data, /after dispose/);
  const f = feeds([3], 2);
  f["past_key_values.0.key"] = out["present.0.key"];
  out["present.0.key"].dispose?.();
  assert.throws(() => s.runSync(f), /"past_key_values.0.key" was disposed/);
  assert.throws(() => s.runSync({ ...feeds([3], 0), nope: f.input_ids }), /no input "nope"/);
  assert.throws(() => s.runSync(feeds([3], 0), ["nope"]), /no float32 or int64 output "nope"/);
  // onnxruntime's own message for a bad shape.
  const bad = feeds([3], 0);
  bad.attention_mask = { type: "int64", data: new BigInt64Array(3), dims: [3] };
  assert.throws(() => s.runSync(bad), /attention_mask|rank|dimension/i);
  await s.release();
  assert.throws(() => s.runSync(feeds([3], 0)), /released/);
});

Deno.test("native: a missing or corrupt model is onnxruntime's error", async () => {
  assert.throws(() => NativeSession.open("models/nope.onnx"), /nope\.onnx|No such file|open/i);
  const dir = await Deno.makeTempDir();
  try {
    const bytes = await Deno.readFile(MODEL);
    await Deno.writeFile(`${dir}/cut.onnx`, bytes.subarray(0, 4000));
    assert.throws(() => NativeSession.open(`${dir}/cut.onnx`), /protobuf|parse|load/i);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("native: openSession picks the C API on the CPU unless told not to", async () => {
  const auto = await openSession(MODEL, ["cpu"]);
  assert.equal(auto.binding, "c-api");
  assert.match(auto.runtime, /^onnxruntime 1\.30\.0 \(C API\)$/);
  await auto.session.release();
  const node = await openSession(MODEL, ["cpu"], { binding: "onnxruntime-node" });
  assert.equal(node.binding, "onnxruntime-node");
  assert.match(node.runtime, /^onnxruntime-node 1\.30\.0$/);
  await node.session.release();
});
