import assert from "node:assert/strict";
import { SpecError } from "../../spec/errors.ts";
import { ONNX_DEFAULTS, openOnnxAgent } from "../../runners/agents/onnx.ts";
import { loadModelFolder } from "./model_folder.ts";
import { tinyModelFiles, writeFolder } from "../build/tiny_folder.ts";
import { randomWeights } from "../build/tiny_llama.ts";

const shape = {
  vocab_size: 263,
  hidden_size: 8,
  intermediate_size: 16,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  head_dim: 4,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  max_position_embeddings: 512,
};

const root = Deno.makeTempDirSync({ prefix: "tooltrial-model-" });
globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));

/** A fresh small model folder, with `edit` applied to its files before writing. */
async function folder(edit: (files: Record<string, string | Uint8Array>) => void = () => {}) {
  const dir = await Deno.makeTempDir({ dir: root });
  const files = tinyModelFiles(shape, randomWeights(shape, 5), []);
  edit(files);
  await writeFolder(dir, files);
  return dir;
}

async function problem(dir: string, open = false): Promise<string> {
  try {
    if (open) {
      await (await openOnnxAgent("m", { ...ONNX_DEFAULTS, path: dir, device: ["cpu"] })).close();
    } else await loadModelFolder(dir);
  } catch (err) {
    assert.ok(err instanceof SpecError, `a located error, not ${err}`);
    return err.format();
  }
  throw new Error("no error");
}

Deno.test("model folder: a good folder loads, with eos ids and a hash", async () => {
  const m = await loadModelFolder(await folder());
  assert.deepEqual(m.cache, { layers: 2, kvHeads: 1, headDim: 4, positionIds: true });
  assert.deepEqual(m.eos, [256, 258]); // <|endoftext|> and <|im_end|>
  assert.match(m.hash, /^[0-9a-f]{64}$/);
});

Deno.test("model folder: every bad input is a located error naming the file and the fix", async () => {
  assert.match(await problem("/nonexistent/model"), /model folder not found/);
  assert.match(
    await problem(await folder((f) => delete f["onnx/model.onnx"])),
    /onnx\/model\.onnx.*missing[\s\S]*hint: export the model/,
  );
  assert.match(
    await problem(await folder((f) => f["config.json"] = "{ not json")),
    /config\.json:1:1: not valid JSON/,
  );
  assert.match(
    await problem(
      await folder((f) =>
        f["config.json"] = JSON.stringify({ ...shape, num_hidden_layers: "two" })
      ),
    ),
    /config\.json:1:1 at \/num_hidden_layers: num_hidden_layers must be a positive integer/,
  );
  assert.match(
    await problem(
      await folder((f) => f["config.json"] = JSON.stringify({ ...shape, vocab_size: 100 })),
    ),
    /tokenizer\.json.*has 263 token ids but config\.json vocab_size is 100[\s\S]*does not belong to this model/,
  );
  const cfg = (edit: Record<string, unknown>) => (f: Record<string, string | Uint8Array>) =>
    f["tokenizer_config.json"] = JSON.stringify({
      ...JSON.parse(f["tokenizer_config.json"] as string),
      ...edit,
    });
  assert.match(
    await problem(await folder(cfg({ chat_template: undefined }))),
    /has no chat_template/,
  );
  assert.match(
    await problem(await folder(cfg({ chat_template: "{% for m in messages %}{{ m.content }" }))),
    /chat_template does not render/,
  );
  // No eos_token_id anywhere: the chat format's <|im_end|> still ends turns.
  const noEos = await folder((f) => {
    f["generation_config.json"] = "{}";
    f["config.json"] = JSON.stringify(shape);
  });
  assert.deepEqual((await loadModelFolder(noEos)).eos, [258]);
});

Deno.test("model folder: a corrupt or mismatched model fails when the agent opens it, located", async () => {
  assert.match(
    await problem(
      await folder((f) => f["onnx/model.onnx"] = new Uint8Array([1, 2, 3, 4, 5])),
      true,
    ),
    /model\.onnx:1:1: onnxruntime cannot load it \(no execution provider worked: cpu: /,
  );
  // config says 3 layers, the graph has 2: the cache inputs of layer 2 are missing.
  assert.match(
    await problem(
      await folder((f) => f["config.json"] = JSON.stringify({ ...shape, num_hidden_layers: 3 })),
      true,
    ),
    /model inputs lack past_key_values\.2\.key, past_key_values\.2\.value/,
  );
});
