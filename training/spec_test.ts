import assert from "node:assert/strict";
import { resolve } from "node:path";
import { SpecError } from "../spec/errors.ts";
import { loadTraining } from "./spec.ts";

const SUITE = resolve("suite.yaml");

/** Write a training file into a temp folder and load it; returns the SpecError's text or "ok". */
async function tryLoad(yaml: string): Promise<string> {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/t.yaml`;
  await Deno.writeTextFile(file, yaml);
  try {
    await loadTraining(file);
    return "ok";
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    return err.format().replaceAll(file, "t.yaml");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const head = (extra = "") =>
  `tooltrial: 1
training: t
suite: ${SUITE}
model: { init: { hidden_size: 8, intermediate_size: 16, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1 } }
${extra}`;

Deno.test("training spec: the committed mini reproduction loads", async () => {
  const t = await loadTraining("training/toolmaster-mini.yaml");
  assert.equal(t.name, "toolmaster-mini");
  assert.deepEqual(t.data.splits, ["seen"]);
  assert.deepEqual(t.stages.map((s) => s.kind).slice(0, 5), [
    "synthesize",
    "synthesize",
    "sft",
    "sft",
    "grpo",
  ]);
  assert.equal(t.stages.at(-1)!.kind, "evaluate");
  assert.ok("init" in t.model && t.model.init.head_dim === 32);
});

Deno.test("training spec: GRPO samples through the grammar and cuts rollouts only when asked; without the keys its stage is as before", async () => {
  const mini = await loadTraining("training/toolmaster-mini.yaml");
  const grpo = mini.stages.find((s) => s.kind === "grpo");
  // The miniature's rollouts sample calls as its comparison evaluates them.
  const compare = mini.stages.find((s) => s.kind === "evaluate");
  assert.ok(grpo?.kind === "grpo" && compare?.kind === "evaluate");
  assert.equal(grpo.grammar, compare.grammar);
  assert.equal(grpo.grammar, true);
  const dir = await Deno.makeTempDir();
  try {
    const stages = (extra: string) =>
      head(`stages:
  - name: d
    synthesize: {}
  - name: s
    sft: { data: d }
  - name: g
    grpo: { from: s${extra} }
`);
    await Deno.writeTextFile(`${dir}/off.yaml`, stages(""));
    await Deno.writeTextFile(`${dir}/on.yaml`, stages(", grammar: true, max_tokens: 300"));
    const [off, on] = await Promise.all(
      ["off", "on"].map(async (f) => (await loadTraining(`${dir}/${f}.yaml`)).stages[2]),
    );
    // Absent, not false: a file written before the key existed keeps its stage key.
    assert.ok(!("grammar" in off) && !("max_tokens" in off));
    assert.equal(on.kind === "grpo" && on.grammar, true);
    assert.equal(on.kind === "grpo" && on.max_tokens, 300);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.match(
    await tryLoad(head(`stages:
  - name: d
    synthesize: {}
  - name: s
    sft: { data: d }
  - name: g
    grpo: { from: s, grammar: yes please }
`)),
    /at \/stages\/2\/grpo\/grammar: must be boolean/,
  );
});

Deno.test("training spec: the GPU recipe is the mini one with a larger model on CUDA and GRPO at scale", async () => {
  const [mini, gpu] = await Promise.all(
    ["training/toolmaster-mini.yaml", "training/toolmaster-gpu.yaml"].map((f) => loadTraining(f)),
  );
  assert.equal(gpu.trainer.device, "cuda");
  assert.ok("init" in gpu.model && gpu.model.init.hidden_size === 512);
  // Same data, variants and evaluation: its figures compare with the miniature's.
  assert.deepEqual(gpu.data, mini.data);
  assert.deepEqual(gpu.evaluation, mini.evaluation);
  assert.deepEqual(
    gpu.stages.map((s) => [s.name, s.kind]),
    mini.stages.map((s) => [s.name, s.kind]),
  );
  const grpo = gpu.stages.find((s) => s.kind === "grpo");
  assert.ok(grpo && grpo.kind === "grpo" && grpo.steps >= 50);
  const miniGrpo = mini.stages.find((s) => s.kind === "grpo");
  assert.ok(miniGrpo?.kind === "grpo");
  // Rollouts sampled and cut as the miniature's are.
  assert.equal(grpo.grammar, miniGrpo.grammar);
  assert.equal(grpo.max_tokens, miniGrpo.max_tokens);
  // Nothing of it lands in models/: the committed policies stay the miniature's.
  assert.ok(gpu.stages.every((s) => s.kind !== "export" || s.to === null));
});

Deno.test("training spec: a training set overlapping an evaluation split is refused, located", async () => {
  const err = await tryLoad(head(`data: { splits: [seen, unseen_task] }
stages:
  - name: d
    synthesize: {}
`));
  assert.match(
    err,
    /t\.yaml:5:24 at \/data\/splits\/1: training on split unseen_task overlaps the evaluation split unseen_task/,
  );
  assert.match(err, /hint: training may use seen tasks only/);
});

Deno.test("training spec: training on the evaluated variant interfaces (same seed) is refused", async () => {
  const err = await tryLoad(head(`data: { variants: [clean, renamed], seeds: [5, 0] }
evaluation: { variants: [clean, renamed], seeds: [0] }
stages:
  - name: d
    synthesize: {}
`));
  assert.match(err, /at \/data\/seeds\/1: variant seed 0 is also an evaluation seed/);
  // Clean alone has no perturbation: the same seed is fine.
  assert.equal(
    await tryLoad(head(`data: { variants: [clean], seeds: [0] }
evaluation: { seeds: [0] }
stages:
  - name: d
    synthesize: {}
`)),
    "ok",
  );
});

Deno.test("training spec: stages referring to missing, later or wrong-kind stages", async () => {
  const err = await tryLoad(head(`stages:
  - name: data
    synthesize: {}
  - name: s1
    sft: { data: dta }
  - name: s2
    sft: { data: data, from: s3 }
  - name: s3
    sft: { data: data }
  - name: e
    export: { from: data }
  - name: ev
    evaluate: { agents: [s1] }
`));
  assert.match(
    err,
    /at \/stages\/1\/sft\/data: no stage named "dta"\n {4}hint: did you mean "data"\?/,
  );
  assert.match(err, /at \/stages\/2\/sft\/from: stage "s3" comes later/);
  assert.match(
    err,
    /at \/stages\/4\/export\/from: stage "data" is a synthesize stage; this needs sft or grpo/,
  );
  assert.match(
    err,
    /at \/stages\/5\/evaluate\/agents\/0: stage "s1" is a sft stage; this needs export/,
  );
});

Deno.test("training spec: unknown keys, unknown variants, two kinds in one stage, duplicate names", async () => {
  const err = await tryLoad(head(`data: { variants: [renamd] }
stages:
  - name: d
    synthesize: { techer: explorer }
  - name: d
    sft: { data: d }
    grpo: { from: d }
`));
  assert.match(err, /unknown key "techer"\n {4}hint: did you mean "teacher"\?/);
  assert.match(err, /at \/stages\/1: must NOT have more than 2 properties/);
  const err2 = await tryLoad(head(`data: { variants: [renamd] }
stages:
  - name: d
    synthesize: {}
  - name: d
    synthesize: {}
`));
  assert.match(
    err2,
    /at \/data\/variants\/0: variant "renamd" is not in suite default\n {4}hint: did you mean "renamed"\?/,
  );
  assert.match(err2, /at \/stages\/1\/name: stage "d" is listed twice/);
});

Deno.test("training spec: a policy whose training protocol evaluation leaves out is refused, located", async () => {
  const err = await tryLoad(head(`evaluation: { protocols: [trial] }
stages:
  - name: d
    synthesize: { style: trajectory }
  - name: s
    sft: { data: d }
  - name: x
    export: { from: s }
  - name: c
    evaluate: { agents: [x] }
`));
  assert.match(
    err,
    /at \/stages\/3\/evaluate\/agents\/0: x was trained under the direct protocol, which evaluation\.protocols leaves out/,
  );
  assert.match(err, /hint: add direct to evaluation\.protocols/);
});

Deno.test("training spec: training-only variants and a seed range; evaluation cannot run them", async () => {
  const ok = await tryLoad(head(`variants:
  words: [{ rename_tools: { level: medium, style: random } }]
data: { variants: [clean, words], seeds: { from: 101, count: 3 } }
evaluation: { variants: [clean, renamed] }
stages:
  - name: d
    synthesize: { probe: true }
`));
  assert.equal(ok, "ok");
  const err = await tryLoad(head(`variants:
  renamed: [reorder_params]
  words: [reorder_params]
data: { variants: [words], seeds: { from: 0, count: 2 } }
evaluation: { variants: [words], seeds: [0] }
stages:
  - name: d
    synthesize: {}
`));
  assert.match(
    err,
    /at \/variants\/renamed: variant "renamed" is already defined by suite default/,
  );
  assert.match(
    err,
    /at \/evaluation\/variants\/0: variant "words" is defined for training only; evaluation runs the suite's variants/,
  );
  assert.match(err, /at \/data\/seeds: variant seed 0 is also an evaluation seed/);
});

Deno.test("training spec: a curriculum names the suite's environments and the data's variants, located", async () => {
  const stages = (curriculum: string) =>
    head(`data: { variants: [clean, typos], seeds: [101] }
stages:
  - name: d
    synthesize: {}
  - name: s
    sft: { data: d, epochs: 2, curriculum: ${curriculum} }
`);
  const err = await tryLoad(
    stages(`[{ envs: [libary], epochs: 1 }, { envs: [shop], variants: [renamed] }]`),
  );
  assert.match(
    err,
    /at \/stages\/1\/sft\/curriculum\/0\/envs\/0: environment "libary" is not in suite/,
  );
  assert.match(err, /did you mean "library"\?/);
  assert.match(
    err,
    /at \/stages\/1\/sft\/curriculum\/1\/variants\/0: variant "renamed" is not among the data's variants/,
  );
  assert.match(err, /the data has clean, typos/);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/t.yaml`,
      stages(`[{ envs: [library], epochs: 2 }, { envs: [shop, library], variants: [clean] }]`),
    );
    const t = await loadTraining(`${dir}/t.yaml`);
    const s = t.stages[1];
    assert.ok(s.kind === "sft");
    assert.deepEqual(s.curriculum, [
      { envs: ["library"], epochs: 2 },
      { envs: ["shop", "library"], variants: ["clean"], epochs: 1 },
    ]);
    // Without one the stage has no curriculum key at all (its cache key is as before).
    await Deno.writeTextFile(
      `${dir}/t.yaml`,
      stages(`[{ envs: [library] }]`).replace(", curriculum: [{ envs: [library] }]", ""),
    );
    const plain = (await loadTraining(`${dir}/t.yaml`)).stages[1];
    assert.ok(!("curriculum" in plain));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
