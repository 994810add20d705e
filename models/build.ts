/**
 * Build the built-in tiny model folders: `deno task models`.
 *
 * `models/tiny-random`: a 2-layer Llama-style decoder with seeded random weights, a byte-level BPE
 * tokenizer whose merges are learned from the prompts of three built-in environments (tool lists,
 * queries, calls), and the Hermes chat template. Rebuilding gives the same bytes (a test checks the
 * committed folder). It scores near zero: it is there so the ONNX path runs end to end, offline.
 */
import { loadEnv } from "../spec/mod.ts";
import { prompts } from "../runners/prompts.ts";
import { learnMerges } from "../onnx/runtime/byte_bpe.ts";
import { compileTemplate, HERMES_TEMPLATE } from "../onnx/runtime/chat_template.ts";
import { type FolderFiles, TINY_SHAPE, tinyModelFiles, writeFolder } from "../onnx/build/tiny_folder.ts";
import { randomWeights } from "../onnx/build/tiny_llama.ts";
import { callTools } from "../core/messages.ts";

const MERGES = 1024;
const SEED = 20261125;
/** A fixed corpus, so adding environments later does not change the tokenizer. */
const CORPUS_ENVS = ["envs/library", "envs/calendar", "envs/shop"];

/** The files of `models/tiny-random`. */
export async function tinyRandomFiles(): Promise<FolderFiles> {
  const envs = await Promise.all(CORPUS_ENVS.map((e) => loadEnv(e)));
  const template = compileTemplate(HERMES_TEMPLATE);
  const corpus: string[] = [prompts.direct(), prompts.trialSystem(6)];
  for (const env of envs) {
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
  const shape = { ...TINY_SHAPE, vocab_size: 256 + merges.length + 7 };
  return tinyModelFiles(shape, randomWeights(shape, SEED), merges, {
    tooltrial: { weights: `random, seed ${SEED}`, merges: MERGES },
  });
}

if (import.meta.main) {
  const out = "models/tiny-random";
  await Deno.remove(out, { recursive: true }).catch(() => {});
  await writeFolder(out, await tinyRandomFiles());
  console.log(`wrote ${out}: merges learned from ${CORPUS_ENVS.join(", ")}`);
}
