/**
 * A model agent's real workload at different batch sizes, side by side in one run (`deno task perf`):
 * a trained toolmaster-mini policy on the built-in suite's environments (clean and renamed, both
 * protocols, 3 tasks per environment; 16 episodes in flight). Turns are short (≤ 64 new tokens)
 * on long prompts (the tool list and the conversation, ~1–2.5k tokens), which is where batching
 * pays least: every decode step copies the whole KV cache (the ONNX decoder format concatenates
 * past and new keys), so a step's cost grows with rows × the longest row, while batching saves
 * only the fixed cost of a forward pass. `BATCHES=1,4,16` picks the sizes; `ROUNDS=n` the rounds.
 */
import { loadSuite } from "../spec/mod.ts";
import { runSuite } from "../runners/run.ts";
import { closeAgents, openAgents } from "../runners/agents/mod.ts";
import type { OnnxAgentSpec } from "../spec/types.ts";

const MODEL = Deno.env.get("MODEL") ?? "models/toolmaster-mini/trial-sft";
const batches = (Deno.env.get("BATCHES") ?? "1,4,16").split(",").map(Number);
const rounds = Number(Deno.env.get("ROUNDS") ?? 1);
const base = await loadSuite("suite.yaml");
const policy = base.agents.find((a): a is OnnxAgentSpec =>
  a.kind === "onnx" && a.onnx.path.endsWith(MODEL)
);
if (!policy) throw new Error(`suite.yaml has no onnx agent on ${MODEL}`);
const agentSpec = (batch: number): OnnxAgentSpec => ({
  ...policy,
  name: `b${batch}`,
  onnx: { ...policy.onnx, device: ["cpu"], batch },
  only: { variants: ["clean", "renamed"], tasks_per_env: 3 },
});

const times = new Map<number, number[]>(batches.map((b) => [b, []]));
let episodes = 0;
const tokens = new Map<number, number>();
for (let r = 0; r < rounds; r++) {
  for (const batch of r % 2 === 0 ? batches : [...batches].reverse()) {
    const suite = { ...base, agents: [agentSpec(batch)] };
    const agents = await openAgents(suite.agents);
    const t = performance.now();
    const recs = await runSuite(suite, { open: agents, concurrency: 16 });
    times.get(batch)!.push(performance.now() - t);
    await closeAgents(agents);
    episodes = recs.length;
    tokens.set(batch, recs.reduce((a, x) => a + (x.metrics.tokens ?? 0), 0));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const best = Math.min(...batches.map((b) => median(times.get(b)!)));
console.log(
  `\nModel agent workload (${MODEL}, ${episodes} episodes, 16 in flight, ${rounds} rounds, CPU)\n`,
);
console.log("| batch | episodes/s | generated tokens/s | time vs the fastest |");
console.log("| --: | --: | --: | --: |");
for (const b of batches) {
  const ms = median(times.get(b)!);
  console.log(
    `| ${b} | ${(episodes / (ms / 1000)).toFixed(1)} | ${
      Math.round(tokens.get(b)! / (ms / 1000)).toLocaleString("en-US")
    } | ${(ms / best).toFixed(2)}× |`,
  );
}
