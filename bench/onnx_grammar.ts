/**
 * What grammar-constrained decoding costs per decode step (`deno run -A bench/onnx_grammar.ts`), on the tiny-random
 * model with the library environment's tools (11 tools, ~1.9k-token prompt), batch 1 on the CPU:
 * - `off`: no mask (what `grammar: false` runs);
 * - `text`: the mask on, outside any call (the model writes text; the cached state allows all);
 * - `call`: the prompt ends in `<tool_call>`, so every token is masked by the call grammar.
 * Each row decodes the same prompts; `mask µs` is the time inside the mask callback alone, and
 * `states` the automaton states walked over the vocabulary (cache misses), over all rounds.
 * `ROUNDS=n` (default 5) alternates the order.
 */
import { declarativeEnv } from "../tools/mod.ts";
import { loadEnv } from "../spec/mod.ts";
import { createRng } from "../runners/rng.ts";
import { ONNX_DEFAULTS, openOnnxAgent } from "../runners/agents/onnx.ts";
import { type TokenizerJson, tokenVocab, ToolCallMask } from "../onnx/runtime/token_mask.ts";

const MODEL = Deno.env.get("MODEL") ?? "models/tiny-random";
const rounds = Number(Deno.env.get("ROUNDS") ?? 5);
const NEW = 64;
const agent = await openOnnxAgent("m", {
  ...ONNX_DEFAULTS,
  path: MODEL,
  device: ["cpu"],
  threads: 1,
});
const { model, decoder } = agent;
const spec = await loadEnv("envs/library");
const env = declarativeEnv(spec);
const json = JSON.parse(await Deno.readTextFile(`${MODEL}/tokenizer.json`)) as TokenizerJson;
const vocab = tokenVocab(json, { size: model.vocabSize, eos: model.eos });
const mask = new ToolCallMask(vocab, env.tools);
const prompts = spec.tasks.slice(0, 4).map((t) =>
  model.tokenizer.encode(
    model.template.render([{ role: "user", content: t.query }], env.tools),
    { add_special_tokens: false },
  ).ids
);
const open = model.tokenizer.encode("<tool_call>", { add_special_tokens: false }).ids;

type Mode = "off" | "text" | "call";
const acc = new Map<Mode, { ms: number; tokens: number; maskMs: number }>();
async function run(mode: Mode) {
  const a = acc.get(mode) ?? { ms: 0, tokens: 0, maskMs: 0 };
  for (const [i, p] of prompts.entries()) {
    const inner = mode === "off" ? undefined : mask.constrain(NEW, { opened: mode === "call" });
    const timed = inner && ((g: readonly number[], l: Float32Array) => {
      const t = performance.now();
      inner(g, l);
      a.maskMs += performance.now() - t;
    });
    // Warm the prompt's cache first, so the timed part is decode steps.
    await decoder.generate({
      ids: mode === "call" ? [...p, ...open] : p,
      sampling: { temperature: 1, top_k: 0, top_p: 1 },
      rng: createRng(i),
      maxNewTokens: 1,
      eos: new Set(),
    });
    const t = performance.now();
    const r = await decoder.generate({
      ids: mode === "call" ? [...p, ...open] : p,
      sampling: { temperature: 1, top_k: 0, top_p: 1 },
      rng: createRng(i),
      maxNewTokens: NEW,
      eos: new Set(),
      mask: timed,
    });
    a.ms += performance.now() - t;
    a.tokens += r.tokens.length;
  }
  acc.set(mode, a);
}

const modes: Mode[] = ["off", "text", "call"];
for (let r = 0; r < rounds; r++) {
  for (const m of r % 2 === 0 ? modes : [...modes].reverse()) await run(m);
}
await agent.close();
console.log(
  `grammar cost per decode step — ${MODEL} (vocab ${model.vocabSize}), library tools, ` +
    `${prompts.length} prompts × ${rounds} rounds, batch 1, 1 thread`,
);
console.log("| mode | µs/step | mask µs/step |\n|---|---:|---:|");
for (const m of modes) {
  const a = acc.get(m)!;
  console.log(
    `| ${m} | ${(1000 * a.ms / a.tokens).toFixed(0)} | ${
      (1000 * a.maskMs / a.tokens).toFixed(1)
    } |`,
  );
}
console.log(`states walked: ${mask.stats.states}, masked steps: ${mask.stats.masked}`);
