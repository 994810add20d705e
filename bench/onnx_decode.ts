/**
 * The ONNX agent's decode loop, side by side in interleaved rounds on the built-in tiny model
 * (`deno task perf`; `ROUNDS=n` for more rounds, `MEMORY_EPISODES=n` for the leak check):
 *
 * 1. our `Decoder` (batch 1) vs a bare loop of `session.run` calls: same model, prompt and tokens;
 * 2. 8 concurrent sequences (continuous batching) vs the same 8 one after another;
 * 3. our `Decoder` vs `@huggingface/transformers` `generate` on the same folder, greedy, same tokens;
 * 4. memory over many generated episodes: RSS before and after (no tensor leaks).
 */
import { AutoModelForCausalLM, env as hf, Tensor } from "@huggingface/transformers";
import { Decoder } from "../onnx/runtime/decoder.ts";
import { checkSession, loadModelFolder } from "../onnx/runtime/model_folder.ts";
import { openSession } from "../onnx/runtime/providers.ts";
import { NativeTensor } from "../onnx/runtime/native.ts";
import { ONNX_DEFAULTS, openOnnxAgent } from "../runners/agents/onnx.ts";
import { runEpisode } from "../runners/episode.ts";
import { loadEnv } from "../spec/mod.ts";
import { declarativeEnv } from "../tools/mod.ts";
import { bareGreedy } from "../onnx/runtime/reference_loop.ts";
import { GREEDY } from "../onnx/runtime/sampler.ts";
import { createRng } from "../runners/rng.ts";
import { interleavedMedians } from "./rounds.ts";

const DIR = Deno.env.get("MODEL") ?? "models/tiny-random";
const NEW = 128;
const model = await loadModelFolder(DIR);
// One intra-op thread: this tiny model does not gain from more, and timings are steadier.
const { session, runtime } = await openSession(model.onnxPath, ["cpu"], { intraOpThreads: 1 });
const shape = checkSession(model, session);
// The same model through onnxruntime-node, which copies every output (the whole KV cache) into
// JavaScript each step: the floor before the C API binding, kept as context.
const node = await openSession(model.onnxPath, ["cpu"], {
  intraOpThreads: 1,
  binding: "onnxruntime-node",
});
const prompt = model.tokenizer.encode(
  model.template.render([
    { role: "system", content: "You complete the user's request by calling the available tools." },
    {
      role: "user",
      content: "Who wrote the novel Ten Thousand Lanterns, and when was it published?",
    },
  ], [{
    name: "search_books",
    description: "Find books whose title contains a phrase.",
    parameters: { type: "object", properties: { query: { type: "string" } }, required: ["query"] },
  }]),
  { add_special_tokens: false },
).ids;
const none = new Set<number>(); // no EOS: every case produces exactly NEW tokens

function prompts(n: number): number[][] {
  // Distinct prompts of different lengths, so batched rows need padding.
  return Array.from({ length: n }, (_, i) => [...prompt.slice(0, prompt.length - 3 * i), 40 + i]);
}

const bareLoop = (ids: number[]) => bareGreedy(session, shape, { ids, tokens: NEW });
const bareNode = (ids: number[]) => bareGreedy(node.session, shape, { ids, tokens: NEW });

const ours = new Decoder(session, shape, { maxBatch: 16, prefixCache: 0 });
const gen = (ids: number[]) =>
  ours.generate({ ids, sampling: GREEDY, rng: createRng(1), maxNewTokens: NEW, eos: none });

hf.allowRemoteModels = false;
const tjs = await AutoModelForCausalLM.from_pretrained(await Deno.realPath(DIR), {
  local_files_only: true,
  dtype: "fp32",
  device: "cpu",
  session_options: { intraOpNumThreads: 1 },
});
async function transformersJs(ids: number[]): Promise<number[]> {
  const out = await tjs.generate({
    input_ids: new Tensor("int64", BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
    attention_mask: new Tensor("int64", new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
    max_new_tokens: NEW,
    min_new_tokens: NEW,
    do_sample: false,
  }) as Tensor;
  return Array.from(out.data as BigInt64Array, Number).slice(ids.length);
}

// Correctness first: every contender yields the same greedy tokens.
const floor = await bareLoop(prompt);
const nodeFloor = await bareNode(prompt);
const mine = (await gen(prompt)).tokens;
const theirs = await transformersJs(prompt);
const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const batched = await Promise.all(prompts(8).map(gen));
const alone: number[][] = [];
for (const p of prompts(8)) alone.push((await gen(p)).tokens);
console.log(
  `tokens identical — ours vs bare loop: ${same(mine, floor)}, vs onnxruntime-node loop: ${
    same(mine, nodeFloor)
  }, vs transformers.js: ${same(mine, theirs)}, ` +
    `8 batched vs 8 alone: ${batched.every((r, i) => same(r.tokens, alone[i]))}`,
);

const rows: [string, string, string][] = [];
const tps = (tokens: number, ms: number) =>
  `${Math.round(tokens / (ms / 1000)).toLocaleString("en-US")} tok/s`;
{
  const [a, b] = await interleavedMedians([
    ["ours", async () => void await gen(prompt)],
    ["bare", async () => void await bareLoop(prompt)],
  ]);
  rows.push([
    "decode loop vs bare session.run loop (batch 1)",
    `${tps(NEW, a)} vs ${tps(NEW, b)}`,
    `${(a / b).toFixed(2)}× time (goal ≤ 1.15×)`,
  ]);
}
{
  const [a, b] = await interleavedMedians([
    ["ours", async () => void await gen(prompt)],
    ["bare onnxruntime-node", async () => void await bareNode(prompt)],
  ]);
  rows.push([
    "decode loop vs bare session.run loop on onnxruntime-node (batch 1; context)",
    `${tps(NEW, a)} vs ${tps(NEW, b)}`,
    `${(b / a).toFixed(2)}× tokens/s`,
  ]);
}
{
  // Episodes of one environment share the system prompt and tools: both sides start from the
  // shared prefix cache, so this compares decoding 8 together against 8 one after another.
  const ps = prompts(8);
  const shared = new Decoder(session, shape, { maxBatch: 16 });
  const genShared = (ids: number[]) =>
    shared.generate({ ids, sampling: GREEDY, rng: createRng(1), maxNewTokens: NEW, eos: none });
  const [a, b] = await interleavedMedians([
    ["8 concurrent", async () => void await Promise.all(ps.map(genShared))],
    ["8 sequential", async () => {
      for (const p of ps) await genShared(p);
    }],
  ], Number(Deno.env.get("ROUNDS") ?? 7));
  rows.push([
    "8 episodes batched vs sequential",
    `${tps(8 * NEW, a)} vs ${tps(8 * NEW, b)}`,
    `${(b / a).toFixed(2)}× tokens/s (goal ≥ 3×)`,
  ]);
}
{
  const [a, b] = await interleavedMedians([
    ["ours", async () => void await gen(prompt)],
    ["transformers.js", async () => void await transformersJs(prompt)],
  ]);
  rows.push([
    "ours vs transformers.js generate (batch 1)",
    `${tps(NEW, a)} vs ${tps(NEW, b)}`,
    `${(b / a).toFixed(2)}× tokens/s (goal ≥ 1.5×)`,
  ]);
}
{
  // What an agent does: 8 episodes in flight. Ours batches them; transformers.js' generate runs
  // each call on its own (calls on one session take turns).
  const ps = prompts(8);
  const [a, b] = await interleavedMedians([
    ["ours", async () => void await Promise.all(ps.map(gen))],
    ["transformers.js", async () => void await Promise.all(ps.map(transformersJs))],
  ], Number(Deno.env.get("ROUNDS") ?? 7));
  rows.push([
    "8 concurrent episodes: ours vs transformers.js generate per episode",
    `${tps(8 * NEW, a)} vs ${tps(8 * NEW, b)}`,
    `${(b / a).toFixed(2)}× tokens/s`,
  ]);
}

// Memory: whole agent episodes (render, tokenize, decode, parse, step the env, check) on the mini
// environment, 16 at a time; RSS after a warm-up wave vs after all of them.
const episodes = Number(Deno.env.get("MEMORY_EPISODES") ?? 10_000);
const agent = await openOnnxAgent("tiny", {
  ...ONNX_DEFAULTS,
  path: DIR,
  device: ["cpu"],
  max_new_tokens: 16,
  batch: 16, // the batched path: rows join, leave and are re-packed all the time
});
const mini = await loadEnv("testdata/good/mini.yaml");
const miniEnv = declarativeEnv(mini);
const direct = { name: "direct", kind: "direct" as const, trialBudget: 0, maxTurns: 4 };
let generated = 0;
const wave = async (from: number, n: number) => {
  for (let i = from; i < from + n; i += 16) {
    const recs = await Promise.all(
      Array.from(
        { length: Math.min(16, from + n - i) },
        (_, j) =>
          runEpisode(miniEnv, mini.tasks[(i + j) % mini.tasks.length], {
            agent,
            protocol: direct,
            episode: { id: `m${i + j}`, seed: i + j, sample: 0 },
          }),
      ),
    );
    for (const r of recs) generated += r.metrics.tokens ?? 0;
  }
};
// With --v8-flags=--expose-gc (as `deno task perf` runs it) both readings follow a full collection.
const collect = () => (globalThis as { gc?: () => void }).gc?.();
await wave(0, 500);
collect();
const before = Deno.memoryUsage();
const t0 = performance.now();
generated = 0;
// RSS at each quarter: onnxruntime's arena grows to the largest batch it has seen and then stays,
// so a leak shows as growth that goes on, not as the first step.
const marks: number[] = [];
for (let q = 0; q < 4; q++) {
  await wave(500 + q * Math.ceil(episodes / 4), Math.ceil(episodes / 4));
  collect();
  marks.push(Deno.memoryUsage().rss);
}
const after = Deno.memoryUsage();
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
rows.push([
  `memory over ${episodes.toLocaleString("en-US")} agent episodes (mini env, ≤16 tokens a turn)`,
  `RSS ${mib(before.rss)} → ${marks.map(mib).join(" → ")}; JS heap ${mib(before.heapUsed)} → ${
    mib(after.heapUsed)
  }`,
  `${((after.rss - marks[0]) / 2 ** 20).toFixed(1)} MiB RSS growth after the first quarter; ${
    tps(generated, performance.now() - t0)
  }; onnxruntime outputs not released: ${NativeTensor.live}`,
]);
await agent.close();

console.log(
  `\nONNX decode (${DIR}, ${prompt.length}-token prompt, ${NEW} new tokens, CPU, ${navigator.hardwareConcurrency} cores; ours on ${runtime})\n`,
);
console.log("| case | throughput | ratio |\n| :-- | :-- | :-- |");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
await session.release();
await node.session.release();
