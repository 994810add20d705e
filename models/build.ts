/**
 * Build the built-in tiny model folders: `deno task models`.
 *
 * `models/tiny-random`: a 2-layer Llama-style decoder with seeded random weights, a byte-level BPE
 * tokenizer whose merges are learned from the built-in suite's own prompts (tool lists, queries,
 * calls), and the Hermes chat template. It scores near zero — it is there so the ONNX path runs
 * end to end with no download.
 */
import { loadSuite } from "../spec/mod.ts";
import { prompts } from "../runners/prompts.ts";
import { learnMerges } from "../runners/onnx/byte_bpe.ts";
import { compileTemplate, HERMES_TEMPLATE } from "../runners/onnx/chat_template.ts";
import { TINY_SHAPE, tinyModelFiles, writeFolder } from "../runners/onnx/tiny_folder.ts";
import { randomWeights } from "../runners/onnx/tiny_llama.ts";
import { callTools } from "../runners/messages.ts";

const MERGES = 1024;
const SEED = 20261125;

const suite = await loadSuite(Deno.args[0] ?? "suite.yaml");
const template = compileTemplate(HERMES_TEMPLATE);
const corpus: string[] = [prompts.direct(), prompts.trialSystem(6)];
for (const env of suite.envs) {
  const tools = env.tools.map((t) => ({
    name: t.name,
    description: t.description,
    parameters: t.parameters,
  }));
  for (const task of env.tasks) {
    corpus.push(template.render(
      [
        { role: "system", content: prompts.direct() },
        { role: "user", content: task.query },
        callTools(task.gold.map((g) => ({ name: g.tool, args: g.args }))),
      ],
      tools,
      { addGenerationPrompt: false },
    ));
  }
}
const merges = learnMerges(corpus, MERGES);
const vocab = 256 + merges.length + 7;
const shape = { ...TINY_SHAPE, vocab_size: vocab };
const out = "models/tiny-random";
await Deno.remove(out, { recursive: true }).catch(() => {});
await writeFolder(
  out,
  tinyModelFiles(shape, randomWeights(shape, SEED), merges, {
    tooltrial: { weights: `random, seed ${SEED}`, merges: MERGES },
  }),
);
console.log(`wrote ${out}: vocab ${vocab}, ${suite.envs.length} envs of prompts for the merges`);
