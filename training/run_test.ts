import assert from "node:assert/strict";
import { join } from "node:path";
import { HAS_TORCH } from "../testdata/torch.ts";
import { DONE_FILE, runTraining } from "./run.ts";
import { TrainingError } from "./learner.ts";
import { loadTraining } from "./spec.ts";

Deno.test({
  name:
    "train: every stage end to end; a dead trainer resumes; reruns skip; a change reruns what reads it",
  ignore: !HAS_TORCH,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "tooltrial-train-" });
    try {
      const spec = { ...(await loadTraining("testdata/training/tiny.yaml")), out };
      const log: string[] = [];
      // The trainer is killed before SFT step 1 (0-based): it restarts from the step-1 checkpoint.
      const first = await runTraining(spec, {
        log: (l) => log.push(l),
        crashAt: 1,
      });
      assert.deepEqual(first.map((r) => r.status), ["ran", "ran", "ran", "ran", "ran", "ran"]);
      const [data, sft, grpo, gated, exp, evaluate] = first.map((r) => r.stats);
      assert.match(gated.skipped as string, /below min_success 50%/);
      assert.equal(gated.steps, 0);
      assert.ok((data.kept as number) > 0);
      assert.equal(sft.restarts, 1);
      // parallel: 2 — the two GRPO stages read only trial-sft, so the second starts before the
      // first is done; the export waits for the one it reads.
      const at = (re: RegExp) => log.findIndex((l) => re.test(l));
      assert.ok(at(/^gated \(grpo\): running/) < at(/^trial-grpo: done in/), log.join("\n"));
      assert.ok(at(/^policy \(export\): running/) > at(/^trial-grpo: done in/));
      assert.ok(log.some((l) => /trainer died .*restarting from the last checkpoint/.test(l)));
      assert.equal((sft.steps as number) >= 2, true);
      assert.equal((grpo.log as unknown[]).length, 1);
      const step =
        (grpo.log as { trained_sequences: number; trained_tokens: number; longest: number }[])[0];
      // Tied groups train nothing; what is trained is counted (the update itself: bridge_test).
      assert.ok(
        step.trained_sequences === 0
          ? step.longest === 0 && step.trained_tokens === 0
          : step.longest > 0 && step.trained_tokens >= step.longest,
        JSON.stringify(step),
      );
      assert.ok((exp.parity_max_abs as number) <= 1e-4, `parity ${exp.parity_max_abs}`);
      const lines = (await Deno.readTextFile(join(first[0].dir, "data.jsonl"))).trim().split("\n");
      const ex = JSON.parse(lines[0]);
      assert.deepEqual(Object.keys(ex), ["messages", "tools", "meta"]);
      assert.deepEqual(Object.keys(ex.meta), ["env", "task", "variant", "seed"]);
      assert.equal(ex.tools[0].type, "function");
      // Exact-turn reproduction per epoch, over every assistant turn of the data.
      const turns = lines.map((l) =>
        JSON.parse(l).messages.filter((m: { role: string }) => m.role === "assistant").length
      )
        .reduce((a, b) => a + b, 0);
      const epochs = sft.epochs as { turns: number; exact_turns: number; token_accuracy: number }[];
      assert.equal(epochs.length, 1);
      assert.equal(epochs[0].turns, turns);
      assert.ok(epochs[0].exact_turns >= 0 && epochs[0].exact_turns <= 1);
      assert.equal(sft.stopped, "cap");
      // The policy carries the compact tool cards the training file asked for.
      const cfg = JSON.parse(
        await Deno.readTextFile(join(first[4].dir, "model", "tokenizer_config.json")),
      );
      assert.match(cfg.chat_template, /One function per line/);
      // Evaluated under the protocol it was trained on.
      assert.match(evaluate.table as string, /\| policy \(trial\) \|/);
      // With grammar-constrained calls, as the training file asked.
      assert.match(
        await Deno.readTextFile(join(first[5].dir, "suite.yaml")),
        /grammar: true/,
      );
      assert.match(await Deno.readTextFile(join(first[5].dir, "run", "report.md")), /policy/);

      // Retraining from the same file in a fresh folder, uninterrupted, gives the same weights
      // bit for bit (seeded data, batches, sampling and initialisation; the crash and restart of
      // the first run changed nothing).
      const fresh = await Deno.makeTempDir({ prefix: "tooltrial-train-" });
      try {
        const twin = await runTraining({ ...spec, out: fresh }, { log: () => {} });
        for (const i of [1, 2]) {
          assert.deepEqual(
            await Deno.readFile(join(twin[i].dir, "weights.bin")),
            await Deno.readFile(join(first[i].dir, "weights.bin")),
            `${first[i].name}: retrained weights differ`,
          );
        }
      } finally {
        await Deno.remove(fresh, { recursive: true });
      }

      // Rerun: everything cached.
      const again = await runTraining(spec, { log: () => {} });
      assert.deepEqual(again.map((r) => r.status), Array(6).fill("cached"));
      assert.deepEqual(again.map((r) => r.dir), first.map((r) => r.dir));

      // A changed SFT reruns itself and every stage after it that reads it; the data stays.
      const changed = {
        ...spec,
        stages: spec.stages.map((s) => (s.kind === "sft" ? { ...s, lr: 0.002 } : s)),
      };
      const third = await runTraining(changed, { log: () => {} });
      assert.deepEqual(third.map((r) => r.status), ["cached", "ran", "ran", "ran", "ran", "ran"]);
      assert.notEqual(third[1].dir, first[1].dir);
      for (const r of third) await Deno.stat(join(r.dir, DONE_FILE));
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test({
  name: "train: a NaN loss stops the stage with a message naming it, the step and the fix",
  ignore: !HAS_TORCH,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "tooltrial-train-" });
    try {
      const base = await loadTraining("testdata/training/tiny.yaml");
      const spec = {
        ...base,
        out,
        stages: base.stages.map((s) => (s.kind === "sft" ? { ...s, lr: 1e25, warmup: 0 } : s)),
      };
      await assert.rejects(
        runTraining(spec, { log: () => {}, until: "trial-sft" }),
        (e) =>
          e instanceof TrainingError &&
          /^stage trial-sft: (loss|gradient norm) is (nan|inf) at step \d+.*Lower the learning rate/s
            .test(e.message),
      );
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
