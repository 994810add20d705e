import assert from "node:assert/strict";
import { variantEnvs } from "../runners/run.ts";
import { variantsFor } from "../variants/mod.ts";
import { openContext } from "./context.ts";
import { evaluatedNames, findLeaks, interfaceNames } from "./leakage.ts";
import { TrainingError } from "./learner.ts";
import { readExamples } from "./sft.ts";
import { loadTraining, type TrainingSpec } from "./spec.ts";
import { openaiTools } from "./tokenize.ts";

const mini = await loadTraining("training/toolmaster-mini.yaml");

/** Every (env, variant, seed) interface a training file's data selection draws. */
function trainingInterfaces(spec: TrainingSpec) {
  const envOf = variantEnvs(spec.suite);
  return spec.suite.envs.flatMap((env) =>
    variantsFor(spec.suite, env).filter((v) => spec.data.variants.includes(v.name)).flatMap((v) =>
      spec.data.seeds.map((seed) => ({
        env: env.name,
        variant: v.name,
        seed,
        tools: envOf(env.name, v, seed).tools,
      }))
    )
  );
}

Deno.test("leakage: the suite's renamed variant at a training seed shows evaluated names (reversed names repeat)", () => {
  const evaluated = evaluatedNames(mini);
  const envOf = variantEnvs(mini.suite);
  const lib = mini.suite.envs.find((e) => e.name === "library")!;
  const renamed = variantsFor(mini.suite, lib).find((v) => v.name === "renamed")!;
  const leaks = findLeaks(
    [{ tools: openaiTools(envOf("library", renamed, 101).tools) }],
    evaluated,
  );
  assert.ok(leaks.length > 0);
  assert.match(leaks[0].where, /· renamed · seed 0$/);
  // Clean names are never counted: clean is trained on and evaluated by design.
  const clean = variantsFor(mini.suite, lib)[0];
  assert.deepEqual(
    findLeaks([{ tools: openaiTools(envOf("library", clean, 0).tools) }], evaluated),
    [],
  );
});

Deno.test("leakage: the committed mini recipe's training interfaces, evaluation seeds and names are disjoint", () => {
  // At least 20 perturbed interfaces per training task.
  const perturbed = mini.data.variants.filter((v) => v !== "clean").length;
  assert.ok(perturbed * mini.data.seeds.length >= 20);
  assert.ok(mini.data.seeds.every((s) => !mini.evaluation.seeds.includes(s)));
  const evaluated = evaluatedNames(mini);
  const all = trainingInterfaces(mini);
  const leaking = all.filter((i) => interfaceNames(i.tools).some((n) => evaluated.has(n)));
  // Random words may coincide now and then (synthesize leaves those interfaces out), no more.
  assert.ok(leaking.length <= all.length * 0.1, `${leaking.length} of ${all.length}`);
  assert.ok(
    leaking.every((i) => i.variant === "renamed_words"),
    JSON.stringify(leaking.map((i) => i.variant)),
  );
});

Deno.test("leakage: SFT refuses training data that holds an evaluated name, saying which and where", async () => {
  const ctx = await openContext(mini, { log: () => {} });
  const envOf = variantEnvs(mini.suite);
  const lib = mini.suite.envs.find((e) => e.name === "library")!;
  const renamed = variantsFor(mini.suite, lib).find((v) => v.name === "renamed")!;
  const dir = await Deno.makeTempDir();
  try {
    const ok = {
      messages: [{ role: "user", content: "hi" }],
      tools: openaiTools(envOf("library", variantsFor(mini.suite, lib)[0], 0).tools),
    };
    const bad = { ...ok, tools: openaiTools(envOf("library", renamed, 101).tools) };
    await Deno.writeTextFile(`${dir}/data.jsonl`, JSON.stringify(ok) + "\n");
    assert.equal((await readExamples(ctx, `${dir}/data.jsonl`)).length, 1);
    await Deno.writeTextFile(
      `${dir}/data.jsonl`,
      [ok, bad].map((x) => JSON.stringify(x)).join("\n"),
    );
    await assert.rejects(
      () => readExamples(ctx, `${dir}/data.jsonl`),
      (e: Error) =>
        e instanceof TrainingError &&
        /data\.jsonl: \d+ tool or parameter names of the evaluated interfaces appear in the training data — line 2: "[a-z_]+" \(library · renamed · seed 0\)/
          .test(e.message) &&
        /use training variants and seeds whose names evaluation does not show/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
