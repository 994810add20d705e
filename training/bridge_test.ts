import assert from "node:assert/strict";
import { HAS_TORCH } from "../testdata/torch.ts";
import { NanLossError, PYTORCH_TRAINER, Trainer, TrainerError } from "./bridge.ts";

const shape = {
  vocab_size: 50,
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
const row = (n: number, k: number) => Array.from({ length: n }, (_, i) => (i * 7 + k) % 50);

Deno.test({
  name: "trainer: SFT lowers the loss; a shared frozen prefix gives the same loss as none",
  ignore: !HAS_TORCH,
  async fn() {
    const t = Trainer.start(PYTORCH_TRAINER);
    try {
      const init = await t.request("init", { shape, seed: 1, lr: 0.01, threads: 1 });
      assert.equal(init.device, "cpu");
      const prefix = row(20, 0);
      const ids = [0, 1, 2].map((k) => [...prefix, ...row(10 + k, k + 1)]);
      const mask = ids.map((r) => r.map((_, i) => (i >= 20 ? 1 : 0)));
      const full = await t.request("sft", { ids, mask, lr: 0 });
      const frozen = await t.request("sft", { ids, mask, lr: 0, prefix: 20 });
      assert.equal(frozen.prefix, 20);
      assert.ok(Math.abs((full.loss as number) - (frozen.loss as number)) < 1e-5);
      // A prefix the rows do not share is not used.
      const other = [row(30, 1), row(30, 2)];
      const wrong = await t.request("sft", {
        ids: other,
        mask: other.map((r) => r.map(() => 1)),
        lr: 0,
        prefix: 20,
      });
      assert.equal(wrong.prefix, 0);
      let last = full.loss as number;
      for (let i = 0; i < 15; i++) {
        last = (await t.request("sft", { ids, mask, prefix: 20 })).loss as number;
      }
      assert.ok(last < (full.loss as number) - 0.5, `${full.loss} → ${last}`);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "trainer: a NaN loss is an error of its own; a dead trainer is reported as died",
  ignore: !HAS_TORCH,
  async fn() {
    const t = Trainer.start(PYTORCH_TRAINER);
    try {
      await t.request("init", { shape, seed: 1, lr: 1e25, threads: 1 });
      const ids = [row(12, 0), row(12, 1)], mask = ids.map((r) => r.map(() => 1));
      await assert.rejects(async () => {
        for (let i = 0; i < 20; i++) await t.request("sft", { ids, mask, lr: 1e25 });
      }, (e) => e instanceof NanLossError && /(loss|gradient norm) is (nan|inf)/.test(e.message));
      await assert.rejects(t.request("nope"), /unknown command 'nope'/);
      t.kill();
      await assert.rejects(
        t.request("sft", { ids, mask }),
        (e) => e instanceof TrainerError && e.died,
      );
    } finally {
      await t.close();
    }
  },
});
