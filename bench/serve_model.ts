/**
 * `serve --model` under load, side by side in one run: the CLI serves models/tiny-random in its own
 * process (loopback); requests are first turns of the library env's tasks (direct protocol, its 8
 * tools: ~2.2k prompt tokens, all but the user's query shared), `max_tokens` 32, greedy.
 *  1. Throughput: 1 client vs 16 concurrent clients, in alternating slices (order flipped each
 *     round): requests/s and generated tokens/s of each, and their ratio (median over rounds).
 *  2. Client overhead: tooltrial's endpoint agent (`openai:` agent, runners/agents/openai.ts) vs a
 *     bare `fetch` loop posting the very bodies the agent posts, one request at a time, in
 *     alternating slices: time per request of each, and their ratio (median over rounds).
 * `deno run -A bench/serve_model.ts [seconds per load] [model folder] [rounds]`
 */
import { openaiAgent } from "../runners/agents/openai.ts";
import type { EpisodeContext } from "../runners/agent.ts";
import type { Message } from "../core/messages.ts";
import { prompts } from "../runners/prompts.ts";
import { loadEnv } from "../spec/mod.ts";
import { declarativeEnv } from "../tools/mod.ts";

const seconds = Number(Deno.args[0] ?? 12);
const folder = Deno.args[1] ?? "models/tiny-random";
const ROUNDS = Number(Deno.args[2] ?? 8);
const sliceS = seconds / ROUNDS;
const MAX_TOKENS = 32;

const child = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", "cli.ts", "serve", "--model", `m=${folder}`, "--port", "0"],
  stdout: "null",
  stderr: "piped",
}).spawn();
const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
let seen = "", url: RegExpMatchArray | null = null;
while (!(url = seen.match(/serving models on (http:\/\/[\d.]+:\d+)/))) {
  const { value, done } = await reader.read();
  if (done) throw new Error(`the server exited: ${seen}`);
  seen += value;
}
const base = `${url[1]}/v1`;

const library = await loadEnv("envs/library");
const tools = declarativeEnv(library).tools;
let n = 0;
/** A first turn, its user query made unique so only the shared prefix is ever reused. */
function conversation(): { messages: Message[]; seed: number } {
  const i = n++;
  const task = library.tasks[i % library.tasks.length];
  return {
    messages: [
      { role: "system", content: prompts.direct() },
      { role: "user", content: `${task.query} (request ${i})` },
    ],
    seed: i,
  };
}

/** Exactly the body the endpoint agent posts for this turn. */
function body(c: { messages: Message[]; seed: number }): string {
  return JSON.stringify({
    model: "m",
    messages: c.messages,
    tools: tools.map((t) => ({ type: "function", function: t })),
    tool_choice: "auto",
    temperature: 0,
    max_tokens: MAX_TOKENS,
    seed: c.seed,
  });
}

async function bare(c: { messages: Message[]; seed: number }): Promise<number> {
  const res = await fetch(`${base}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body(c),
  });
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  const j = await res.json();
  return j.usage.completion_tokens;
}

const agent = openaiAgent({
  name: "served",
  kind: "openai",
  options: {},
  openai: {
    base_url: base,
    model: "m",
    temperature: 0,
    max_tokens: MAX_TOKENS,
    timeout_s: 600,
    retries: 0,
    concurrency: 16,
    cache: false,
  },
});
async function viaAgent(c: { messages: Message[]; seed: number }): Promise<number> {
  const session = agent.start({ seed: c.seed } as EpisodeContext);
  const reply = await session.act(c.messages, tools, { phase: "execute" });
  return reply.usage?.completion_tokens ?? 0;
}

/** CPU seconds (user + system) a process has used so far, from /proc; NaN where there is none. */
function cpuSeconds(pid: number | "self"): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * `clients` loops posting turns for `s` seconds: requests, generated tokens, wall time, and the
 * CPU seconds the client (this process) and the server spent.
 */
async function load(clients: number, s: number, send: typeof bare) {
  const end = performance.now() + s * 1000;
  let requests = 0, tokens = 0;
  const c0 = cpuSeconds("self"), s0 = cpuSeconds(child.pid);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < end) {
      const got = await send(conversation());
      tokens += got, requests++;
    }
  }));
  const wall = (performance.now() - t0) / 1000;
  return {
    requests,
    tokens,
    wall,
    client: cpuSeconds("self") - c0,
    server: cpuSeconds(child.pid) - s0,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const load1 = Deno.loadavg()[0];
console.log(
  `serve --model ${folder}: ${ROUNDS} rounds of ${sliceS.toFixed(1)} s per load; ` +
    `${navigator.hardwareConcurrency} CPUs, load average ${load1.toFixed(2)} before the run`,
);
// Warm-up (uncounted): JIT, the server's prefix cache, both clients.
await load(16, 1, bare);
await load(1, 0.5, viaAgent);

type Load = Awaited<ReturnType<typeof load>>;
const zero = (): Load => ({ requests: 0, tokens: 0, wall: 0, client: 0, server: 0 });
const add = (a: Load, b: Load) => {
  a.requests += b.requests, a.tokens += b.tokens, a.wall += b.wall;
  a.client += b.client, a.server += b.server;
};
const tput: Record<number, Load> = { 1: zero(), 16: zero() };
const rps: number[] = [], tps: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 ? [16, 1] : [1, 16];
  const got: Record<number, Load> = {};
  for (const c of order) got[c] = await load(c, sliceS, bare);
  for (const c of [1, 16]) add(tput[c], got[c]);
  const q = (c: number) => got[c].requests / got[c].wall,
    t = (c: number) => got[c].tokens / got[c].wall;
  rps.push(q(16) / q(1)), tps.push(t(16) / t(1));
  console.log(
    `  round ${r + 1}: 1 client ${q(1).toFixed(1)} req/s ${t(1).toFixed(0)} tok/s · ` +
      `16 clients ${q(16).toFixed(1)} req/s ${t(16).toFixed(0)} tok/s · ratio ${
        (q(16) / q(1)).toFixed(2)
      }×`,
  );
}
for (const c of [1, 16]) {
  const x = tput[c];
  console.log(
    `${String(c).padStart(2)} client(s): ${x.requests} requests, ${
      (x.requests / x.wall).toFixed(1)
    } req/s, ${(x.tokens / x.wall).toFixed(0)} generated tok/s; server CPU ${
      (x.server * 1000 / x.requests).toFixed(2)
    } ms/request`,
  );
}
console.log(
  `16 vs 1 client: requests/s ${median(rps).toFixed(2)}× (median of rounds), tokens/s ${
    median(tps).toFixed(2)
  }×`,
);

const per: Record<string, Load> = { bare: zero(), agent: zero() };
const ratios: number[] = [], cpuRatios: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 ? ["agent", "bare"] : ["bare", "agent"];
  const ms: Record<string, number> = {}, cpu: Record<string, number> = {};
  for (const k of order) {
    const x = await load(1, sliceS, k === "bare" ? bare : viaAgent);
    add(per[k], x);
    ms[k] = x.wall * 1000 / x.requests, cpu[k] = x.client * 1000 / x.requests;
  }
  ratios.push(ms.agent / ms.bare), cpuRatios.push(cpu.agent / cpu.bare);
  console.log(
    `  round ${r + 1}: bare fetch ${ms.bare.toFixed(2)} ms/request (client CPU ${
      cpu.bare.toFixed(2)
    } ms) · endpoint agent ${ms.agent.toFixed(2)} ms/request (client CPU ${
      cpu.agent.toFixed(2)
    } ms) · ratio ${(ms.agent / ms.bare).toFixed(3)}×`,
  );
}
const ms = (k: string) => per[k].wall * 1000 / per[k].requests;
const cpu = (k: string) => per[k].client * 1000 / per[k].requests;
console.log(
  `endpoint agent vs bare fetch, one request at a time: ${ms("agent").toFixed(2)} vs ${
    ms("bare").toFixed(2)
  } ms/request, ratio ${median(ratios).toFixed(3)}× (median of rounds; goal ≤ 1.1×); client CPU ${
    cpu("agent").toFixed(2)
  } vs ${cpu("bare").toFixed(2)} ms/request, ratio ${median(cpuRatios).toFixed(3)}×`,
);

child.kill("SIGTERM");
await child.status;
await reader.cancel();
