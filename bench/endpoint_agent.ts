/**
 * The endpoint agent's cost per request against a bare `fetch` loop posting the same bodies to the
 * same loopback server, side by side in interleaved rounds. The server answers at once with a fixed
 * tool call, so what is measured is the client: building the body, posting, reading the reply,
 * and (cache on) hashing the request and appending the reply to the cache file.
 * `deno run -A bench/endpoint_agent.ts` (in `deno task perf`).
 */
import { loadSuite } from "../spec/mod.ts";
import type { OpenAIAgentSpec } from "../spec/types.ts";
import { declarativeEnv } from "../tools/mod.ts";
import { openaiAgent } from "../runners/agents/openai.ts";
import { openaiWire } from "../runners/agents/openai.ts";
import { createRng } from "../runners/rng.ts";
import type { Message } from "../core/messages.ts";
import { cpuUsage } from "node:process";
import { interleavedMedians } from "./rounds.ts";

const REQUESTS = Number(Deno.env.get("REQUESTS") ?? 200);
const reply = JSON.stringify({
  id: "chatcmpl-1",
  object: "chat.completion",
  choices: [{
    index: 0,
    message: {
      role: "assistant",
      content: null,
      tool_calls: [{
        id: "c1",
        type: "function",
        function: { name: "search_books", arguments: '{"query": "Dune"}' },
      }],
    },
    finish_reason: "tool_calls",
  }],
  usage: { prompt_tokens: 900, completion_tokens: 20, total_tokens: 920 },
});
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
  await req.arrayBuffer();
  return new Response(reply, { headers: { "content-type": "application/json" } });
});
const url = `http://127.0.0.1:${server.addr.port}/v1`;

// A real turn of the built-in suite: the library env's system prompt, query and tools.
const suite = await loadSuite("suite.yaml");
const envSpec = suite.envs.find((e) => e.name === "library")!;
const env = declarativeEnv(envSpec);
const task = envSpec.tasks[0];
const messages: Message[] = [
  { role: "system", content: "You are an assistant that completes requests by calling tools." },
  { role: "user", content: task.query },
];
const tools = env.tools;
const cacheDir = await Deno.makeTempDir({ prefix: "tooltrial-endpoint-bench-" });

const spec = (cache: boolean): OpenAIAgentSpec => ({
  name: "api",
  kind: "openai",
  options: {},
  openai: {
    base_url: url,
    model: "bench",
    temperature: cache ? 0 : 0.7,
    max_tokens: 256,
    timeout_s: 30,
    retries: 0,
    concurrency: 1,
    cache,
  },
});
const ctx = (seed: number) => ({
  task,
  protocol: suite.protocols[0],
  seed,
  rng: createRng(seed),
  variant: { name: "clean", toVisible: (c: { tool: string; args: Record<string, unknown> }) => c },
});

let seed = 0;
const agentLoop = (cache: boolean) => async () => {
  // A fresh seed per request: with the cache on, every request misses and is stored.
  const agent = openaiAgent(spec(cache), cache ? { cacheDir } : {});
  for (let i = 0; i < REQUESTS; i++) {
    await agent.start(ctx(seed++)).act(messages, tools, { phase: "execute" });
  }
  await agent.close?.();
};
// The floor any client pays: serialize the turn, post it, parse the reply.
const bareLoop = async () => {
  const o = spec(false).openai;
  for (let i = 0; i < REQUESTS; i++) {
    const res = await fetch(`${url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(openaiWire.body(o, { messages, tools, seed: seed++ })),
    });
    const c = await res.json();
    if (!c.choices) throw new Error("bad reply");
  }
};

// CPU time (client and server share this process) is steadier than wall time on a loaded machine.
const cpu = [0, 0, 0];
const metered = (i: number, fn: () => Promise<void>) => async () => {
  const c0 = cpuUsage();
  await fn();
  const c = cpuUsage(c0);
  cpu[i] += c.user + c.system;
};
const load = Deno.loadavg()[0];
const rounds = Number(Deno.env.get("ROUNDS") ?? 9);
const [bare, agent, cached] = await interleavedMedians([
  ["bare fetch", metered(0, bareLoop)],
  ["endpoint agent, cache off", metered(1, agentLoop(false))],
  ["endpoint agent, cache on (every request stored)", metered(2, agentLoop(true))],
], rounds);
await server.shutdown();
await Deno.remove(cacheDir, { recursive: true });

const per = (ms: number) => `${((ms / REQUESTS) * 1000).toFixed(0)} µs/request`;
// Warm-up (3) and counted rounds, in µs of CPU per request.
const cpuPer = cpu.map((us) => us / ((rounds + 3) * REQUESTS));
const cpuCol = (i: number) =>
  `CPU ${cpuPer[i].toFixed(0)} µs${i ? ` ${(cpuPer[i] / cpuPer[0]).toFixed(2)}×` : ""}`;
console.log(
  `endpoint agent vs bare fetch (${REQUESTS} sequential requests a round, loopback stand-in, ${navigator.hardwareConcurrency} CPUs, load ${
    load.toFixed(2)
  })`,
);
console.log(`  bare fetch loop                : ${per(bare)}         ${cpuCol(0)}`);
console.log(
  `  endpoint agent, cache off      : ${per(agent)}  ${(agent / bare).toFixed(2)}×  ${
    cpuCol(1)
  }  (goal ≤ 1.10×)`,
);
console.log(
  `  endpoint agent, cache on, cold : ${per(cached)}  ${(cached / bare).toFixed(2)}×  ${cpuCol(2)}`,
);
