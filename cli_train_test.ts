import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { runCli as cli } from "./testdata/cli.ts";
import { HAS_TORCH } from "./testdata/torch.ts";

Deno.test({
  name:
    "cli: train with an SFT curriculum trains one environment first, then all, and logs each phase",
  ignore: !HAS_TORCH,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "tooltrial-curriculum-" });
    try {
      // The tiny training file, with a curriculum on its SFT stage: library first, then all.
      const tiny = await Deno.readTextFile("testdata/training/tiny.yaml");
      const file = join(dir, "curriculum.yaml");
      const yaml = tiny
        .replace("suite: ../../suite.yaml", `suite: ${resolve("suite.yaml")}\nout: ${dir}/out`)
        .replace(
          "      epochs: 1,\n",
          "      epochs: 1,\n      curriculum: [{ envs: [library], epochs: 2 }],\n",
        );
      assert.notEqual(yaml, tiny);
      await Deno.writeTextFile(file, yaml);
      const r = await cli("train", file, "--until", "trial-sft");
      assert.equal(r.code, 0, r.err);
      const log = `${r.out}\n${r.err}`;
      assert.match(log, /trial-sft: library epoch 1 \(step \d+\/\d+\)/);
      assert.match(log, /trial-sft: library epoch 2 /);
      assert.match(log, /trial-sft: epoch 1 \(step (\d+)\/\1\)/);

      const stages = [...Deno.readDirSync(join(dir, "out"))].map((e) => e.name);
      const data = join(dir, "out", stages.find((n) => n.startsWith("trial-data-"))!);
      const sft = join(dir, "out", stages.find((n) => n.startsWith("trial-sft-"))!);
      // The data says where each conversation came from; the curriculum selected by it.
      const examples = (await Deno.readTextFile(join(data, "data.jsonl"))).trim().split("\n")
        .map((l) => JSON.parse(l));
      assert.ok(
        examples.every((e) => typeof e.meta?.env === "string" && e.meta.variant === "clean"),
      );
      const library = examples.filter((e) => e.meta.env === "library").length;
      assert.ok(library > 0 && library < examples.length);
      const epochs = (await Deno.readTextFile(join(sft, "epochs.jsonl"))).trim().split("\n")
        .map((l) => JSON.parse(l));
      assert.deepEqual(epochs.map((e) => [e.phase ?? "all", e.epoch]), [
        ["library", 1],
        ["library", 2],
        ["all", 1],
      ]);
      // The library phase's epochs count the library's turns only; the last epoch all of them.
      assert.ok(epochs[0].turns < epochs[2].turns);
      assert.equal(epochs[0].turns, epochs[1].turns);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
