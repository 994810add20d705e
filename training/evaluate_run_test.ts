// The evaluate stage runs its suite through run/ (no CLI argv): a policy folder as an ONNX agent
// beside a scripted reference, its report and comparison written, its provenance the bench command.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import type { Report } from "../reports/mod.ts";
import type { TrainingContext } from "./context.ts";
import { evaluate } from "./evaluate.ts";
import { TrainingError } from "./learner.ts";
import { loadTraining } from "./spec.ts";

Deno.test({
  name: "evaluate: benches the stage's suite in-process and compares the policies",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const spec = await loadTraining("testdata/training/tiny.yaml");
    const stage = spec.stages.find((s) => s.kind === "evaluate")!;
    assert.equal(stage.kind, "evaluate");
    if (stage.kind !== "evaluate") return;
    const dir = await Deno.makeTempDir({ prefix: "tooltrial-evaluate-" });
    try {
      // The export stage's folder: tiny-random stands in for the trained policy.
      const policy = join(dir, "policy");
      await Deno.mkdir(policy);
      await Deno.symlink(resolve("models/tiny-random"), join(policy, "model"));
      const out = join(dir, "compare");
      await Deno.mkdir(out);
      const log: string[] = [];
      const ctx = {
        spec,
        dirs: new Map([["policy", policy]]),
        log: (l: string) => log.push(l),
      } as unknown as TrainingContext;
      const r = await evaluate(ctx, stage, { dir: out });
      const report: Report = JSON.parse(await Deno.readTextFile(join(out, "run", "report.json")));
      assert.equal(r.episodes, report.episodes.length);
      assert.ok(r.episodes > 0);
      assert.deepEqual(
        new Set(report.episodes.map((e) => e.agent)),
        new Set(["explorer", "policy"]),
      );
      assert.deepEqual(new Set(report.episodes.map((e) => e.protocol)), new Set(["trial"]));
      assert.deepEqual(report.provenance.command, [
        "bench",
        join(out, "suite.yaml"),
        "--out",
        join(out, "run"),
        "--variants",
        "clean",
        "--splits",
        spec.evaluation.splits.join(","),
        "--protocols",
        "trial",
        "--concurrency",
        "16",
        "--quiet",
      ]);
      assert.match(await Deno.readTextFile(r.comparison), /stage comparison/);
      assert.ok(log.some((l) => l.includes("policy")), log.join("\n"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("evaluate: a policy that does not load fails the stage, saying why", async () => {
  const spec = await loadTraining("testdata/training/tiny.yaml");
  const stage = spec.stages.find((s) => s.kind === "evaluate")!;
  if (stage.kind !== "evaluate") throw new Error("tiny.yaml has no evaluate stage");
  const dir = await Deno.makeTempDir({ prefix: "tooltrial-evaluate-" });
  try {
    const ctx = {
      spec,
      dirs: new Map([["policy", join(dir, "missing")]]),
      log: () => {},
    } as unknown as TrainingContext;
    await assert.rejects(
      evaluate(ctx, stage, { dir }),
      (err: Error) =>
        err instanceof TrainingError &&
        /^stage compare: the evaluation run failed/.test(err.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
