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

Deno.test({
  name:
    "trainer: GRPO raises the rewarded completion and lowers the other; KL to the reference grows",
  ignore: !HAS_TORCH,
  async fn() {
    const t = Trainer.start(PYTORCH_TRAINER);
    try {
      await t.request("init", { shape, seed: 2, lr: 0.01, threads: 1 });
      await t.request("set_reference");
      const prefix = row(12, 0);
      const good = [...prefix, ...row(8, 3)], bad = [...prefix, ...row(8, 5)];
      const mask = (r: number[]) => r.map((_, i) => (i >= 12 ? 1 : 0));
      // Mean negative log-likelihood of a completion, weights untouched (lr 0).
      const nll = async (r: number[]) =>
        (await t.request("sft", { ids: [r], mask: [mask(r)], lr: 0 })).loss as number;
      const [good0, bad0] = [await nll(good), await nll(bad)];
      const groups = [{
        ids: [good, bad],
        mask: [mask(good), mask(bad)],
        adv: [1, -1],
        prefix: 12,
      }];
      const first = await t.request("grpo", { groups, epochs: 1, clip: 0.2, kl: 0.04 });
      assert.equal(first.kl, 0, "the first update starts at the reference");
      assert.equal(first.tokens, 16);
      let last = first;
      for (let i = 0; i < 10; i++) {
        last = await t.request("grpo", { groups, epochs: 2, clip: 0.2, kl: 0.04 });
      }
      const [good1, bad1] = [await nll(good), await nll(bad)];
      assert.ok(good1 < good0 - 0.1, `rewarded: ${good0} → ${good1}`);
      assert.ok(bad1 > bad0 + 0.1, `penalised: ${bad0} → ${bad1}`);
      assert.ok((last.kl as number) > 0, JSON.stringify(last));
      // Two epochs per batch: the second update sees a moved policy, so some ratios clip.
      assert.ok((last.clip_frac as number) >= 0 && (last.clip_frac as number) <= 1);
      // Each GRPO request counts as one step, whatever its epochs.
      assert.equal(last.step, (first.step as number) + 10);
    } finally {
      await t.close();
    }
  },
});
