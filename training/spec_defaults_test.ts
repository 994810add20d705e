// Defaults are written once, in the schema: for every `default:` of training.json, a training file
// that leaves the key out loads the same spec as one that writes the default, and one that writes
// another value loads a different spec. A default the fixture does not reach fails the test.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import trainingJson from "../spec/schema/training.json" with { type: "json" };
import { checkDefaults, schemaDefaults } from "../testdata/defaults_walk.ts";
import { loadTraining } from "./spec.ts";

/** A training file with every stage kind and every block that holds a defaulted property. */
const trainingDoc = (suite: string) => ({
  tooltrial: 1,
  training: "dflt",
  suite,
  model: {
    init: {
      hidden_size: 8,
      intermediate_size: 16,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      num_key_value_heads: 1,
    },
  },
  data: {},
  evaluation: {},
  trainer: {},
  stages: [
    { name: "syn", synthesize: { keep: {} } },
    { name: "s1", sft: { data: "syn", curriculum: [{ envs: ["mini"] }] } },
    { name: "g1", grpo: { from: "s1", reward: {} } },
    { name: "e1", export: { from: "s1" } },
    { name: "ev", evaluate: { agents: ["e1"] } },
  ],
});

/** Other values where the generic rule finds none that loads (null: no other value to try). */
const ALTERNATIVES: Record<string, unknown> = {
  // from: names an earlier sft or grpo stage; the fixture's first sft stage has none before it.
  "$defs/sft/properties/from": null,
  // Training may use seen tasks only: every other split is refused.
  "properties/data/properties/splits": null,
  "properties/data/properties/variants": ["v1"],
};

Deno.test("defaults: every default of training.json is what the training loader applies", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const suite = join(dir, "suite.yaml");
    await Deno.writeTextFile(
      suite,
      JSON.stringify({
        tooltrial: 1,
        suite: "s",
        envs: [resolve("testdata/good/mini.yaml")],
        variants: { v1: [{ rename_tools: { level: "slight" } }] },
        agents: { oracle: { scripted: "oracle" } },
      }),
    );
    const file = join(dir, "training.yaml");
    const problems = await checkDefaults({
      schema: trainingJson,
      doc: trainingDoc(suite),
      load: async (doc) => {
        // YAML reads JSON.
        await Deno.writeTextFile(file, JSON.stringify(doc));
        return await loadTraining(file);
      },
      alternatives: ALTERNATIVES,
    });
    assert.deepEqual(problems, []);
    assert.ok(schemaDefaults(trainingJson).length >= 40, "the walk finds the schema's defaults");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
