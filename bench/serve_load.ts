/**
 * Environment API under load, side by side with a bare hono route, in one run (loopback, bounded):
 * 100 concurrent clients each open a session on a declarative env, step through its gold calls,
 * check that their own state — and only theirs — changed, answer, and close; in separate slices of
 * time, 100 clients hit a bare hono route returning constant JSON. Servers run in their own
 * processes, both started up front; the two loads alternate in short slices (bare/API, then
 * API/bare, …) after an uncounted warm-up of each, so background load on a shared machine falls on
 * both alike. Prints each round's ratio and their median, then per load requests/s, p50/p99, leaks
 * and 5xx counts, and (on Linux) the CPU time each server and the client spent per request —
 * steadier than requests/s on a shared machine.
 * `deno run -A bench/serve_load.ts [seconds per load] [suite] [env]`
 */
import { loadSuite } from "../spec/mod.ts";

const seconds = Number(Deno.args[0] ?? 10);
const suiteFile = Deno.args[1] ?? "testdata/good/suite.yaml";
const envName = Deno.args[2] ?? "mini";
const CLIENTS = 100;
/** Each load's time is cut into slices of about this long, alternating with the other load's. */
const SLICE_S = 1;
/**
 * Uncounted slices each load runs first (JIT, pools, caches), alternating twice: after a single
 * warm-up of each, the first counted bare slice still ran ~20% slow (the client's code, shared by
 * both loads, is re-optimized once it has seen both), which favoured the API in round 1.
 */
const WARMUP_S = 0.5, WARMUPS = 2;
const rounds = Math.max(1, Math.round(seconds / SLICE_S));
const sliceS = seconds / rounds;

async function start(mode: string): Promise<{ port: number; child: Deno.ChildProcess }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "bench/serve_target.ts", mode, suiteFile],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  return { port: Number(value!.trim()), child };
}

/** CPU seconds (user + system) a process has used so far, from /proc; NaN where there is none. */
function cpuSeconds(pid: number | "self"): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the command name, which is in parentheses and may hold spaces.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

const pct = (xs: number[], p: number) =>
  xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
/** The middle value (the mean of the two middle ones for an even count). */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** What one load has done so far, over all its slices. */
interface Load {
  name: string;
  pid: number;
  client: (stop: () => boolean, lat: number[], stats: Stats) => Promise<void>;
  /** Latencies (ms) of the requests this load reports. */
  lat: number[];
  stats: Stats;
  seconds: number;
  serverCpu: number;
  clientCpu: number;
  /** Requests per second in each counted slice. */
  slices: number[];
}
interface Stats {
  requests: number;
  fivexx: number;
  leaks: number;
  episodes: number;
  failures: number;
}

const newStats = (): Stats => ({ requests: 0, fivexx: 0, leaks: 0, episodes: 0, failures: 0 });
const newLoad = (name: string, pid: number, client: Load["client"]): Load => ({
  name,
  pid,
  client,
  lat: [],
  stats: newStats(),
  seconds: 0,
  serverCpu: 0,
  clientCpu: 0,
  slices: [],
});

/**
 * Run `load` for `s` seconds with all its clients. Errors (5xx, leaks, failed episodes) always
 * count; requests, time, CPU and latencies only when `counted` (not in the warm-up).
 */
async function slice(load: Load, s: number, counted: boolean) {
  const lat: number[] = [];
  const stats = newStats();
  const end = performance.now() + s * 1000;
  const stop = () => performance.now() > end;
  const t0 = performance.now();
  const cpu0 = [cpuSeconds(load.pid), cpuSeconds("self")];
  await Promise.all(Array.from({ length: CLIENTS }, () => load.client(stop, lat, stats)));
  const cpu1 = [cpuSeconds(load.pid), cpuSeconds("self")];
  const took = (performance.now() - t0) / 1000;
  load.stats.fivexx += stats.fivexx;
  load.stats.leaks += stats.leaks;
  load.stats.failures += stats.failures;
  if (!counted) return;
  for (const x of lat) load.lat.push(x);
  load.stats.requests += stats.requests;
  load.stats.episodes += stats.episodes;
  load.seconds += took;
  load.serverCpu += cpu1[0] - cpu0[0];
  load.clientCpu += cpu1[1] - cpu0[1];
  load.slices.push(stats.requests / took);
}

async function timed(lat: number[], stats: Stats, url: string, init?: RequestInit) {
  const t = performance.now();
  const res = await fetch(url, init);
  const body = await res.json();
  lat.push(performance.now() - t);
  stats.requests++;
  if (res.status >= 500) stats.fivexx++;
  return { status: res.status, body };
}

/** The machine's 1-minute load average before the run: a busy machine moves every figure. */
const loadBefore = Deno.loadavg()[0];
const suite = await loadSuite(suiteFile);
const env = suite.envs.find((e) => e.name === envName)!;
const bareServer = await start("bare");
const apiServer = await start("env");

const bareUrl = `http://127.0.0.1:${bareServer.port}/bare`;
const bare = newLoad(
  "bare hono route (constant JSON)",
  bareServer.child.pid,
  async (stop, lat, stats) => {
    while (!stop()) await timed(lat, stats, bareUrl);
  },
);

const base = `http://127.0.0.1:${apiServer.port}`;
const JSON_TYPE = { "content-type": "application/json" };
const post = (body: BodyInit): RequestInit => ({ method: "POST", headers: JSON_TYPE, body });
/**
 * The step bodies of each task, encoded once: they are the same in every episode of the task (a
 * load generator need not rebuild them per request; the server still reads and checks each one).
 */
const enc = new TextEncoder();
const bodies = new Map(env.tasks.map((task) => [task, {
  calls: task.gold.map((g, i) =>
    enc.encode(JSON.stringify({
      message: {
        role: "assistant",
        content: null,
        tool_calls: [{
          id: `c${i}`,
          type: "function",
          function: { name: g.tool, arguments: JSON.stringify(g.args) },
        }],
      },
    }))
  ),
  answer: enc.encode(JSON.stringify({ message: { role: "assistant", content: task.answer } })),
  /** add_stock calls among the gold: what this session's own log should hold, at most. */
  writes: task.gold.filter((g) => g.tool === "add_stock").length,
}]));
let n = 0;
const api = newLoad(
  `environment API steps (${env.name}, declarative)`,
  apiServer.child.pid,
  async (stop, lat, stats) => {
    while (!stop()) {
      const task = env.tasks[n++ % env.tasks.length];
      const body = bodies.get(task)!;
      const s = await timed(
        [],
        stats,
        `${base}/v1/sessions`,
        post(JSON.stringify({ env: env.name, task: task.id, protocol: "direct", seed: n })),
      );
      if (s.status !== 201) {
        stats.failures++;
        continue;
      }
      const session = `${base}/v1/sessions/${s.body.session}`;
      const step = `${session}/step`;
      for (const call of body.calls) await timed(lat, stats, step, post(call));
      // Isolation: this session's state reflects its own writes and nobody else's.
      const st = await timed([], stats, session);
      const done = await timed(lat, stats, step, post(body.answer));
      if (!done.body.result?.success) stats.failures++;
      if (task.tags.includes("write") || task.gold.length > 0) {
        const log = (st.body.state?.log ?? []) as unknown[];
        if (log.length > body.writes) stats.leaks++;
      }
      await timed([], stats, session, { method: "DELETE" });
      stats.episodes++;
    }
  },
);

for (let w = 0; w < WARMUPS; w++) {
  for (const load of [bare, api]) await slice(load, WARMUP_S, false);
}
// Alternate which load goes first, so a trend in background load does not favour either.
for (let r = 0; r < rounds; r++) {
  for (const load of r % 2 === 0 ? [bare, api] : [api, bare]) await slice(load, sliceS, true);
}
for (const s of [bareServer, apiServer]) s.child.kill(), await s.child.status;

const ratios = api.slices.map((x, r) => x / bare.slices[r]);
console.log(
  `serve load: ${CLIENTS} concurrent clients, ${rounds} rounds of ${
    sliceS.toFixed(1)
  } s per load (bare and API alternating, after ${WARMUPS} × ${WARMUP_S} s of each uncounted), loopback, client and servers on this machine (${navigator.hardwareConcurrency} CPUs, 1-minute load average ${
    loadBefore.toFixed(2)
  } before the run)`,
);
console.log("| round | bare requests/s | API requests/s | API ÷ bare |");
console.log("| --: | --: | --: | --: |");
for (const [r, ratio] of ratios.entries()) {
  console.log(
    `| ${r + 1} | ${bare.slices[r].toFixed(0)} | ${api.slices[r].toFixed(0)} | ${
      ratio.toFixed(2)
    }× |`,
  );
}
const medianRatio = median(ratios);
console.log(`| median | | | ${medianRatio.toFixed(2)}× |`);
console.log("");
console.log(
  "| load | requests/s | p50 ms | p99 ms | 5xx | leaks | failed episodes | server CPU µs/request | client CPU µs/request |",
);
console.log("| :-- | --: | --: | --: | --: | --: | --: | --: | --: |");
const rps = (l: Load) => l.stats.requests / l.seconds;
for (const l of [bare, api]) {
  const us = (cpu: number) => (cpu / l.stats.requests * 1e6).toFixed(0);
  console.log(
    `| ${l.name} | ${rps(l).toFixed(0)} | ${pct(l.lat, 0.5).toFixed(2)} | ${
      pct(l.lat, 0.99).toFixed(2)
    } | ${l.stats.fivexx} | ${l.stats.leaks} | ${l.stats.failures} | ${us(l.serverCpu)} | ${
      us(l.clientCpu)
    } |`,
  );
}
const steps = api.lat.length;
console.log(
  `steps: ${steps} in ${api.seconds.toFixed(1)} s = ${
    (steps / api.seconds).toFixed(0)
  } steps/s (p50 ${pct(api.lat, 0.5).toFixed(2)} ms, p99 ${
    pct(api.lat, 0.99).toFixed(2)
  } ms); all API requests ${rps(api).toFixed(0)}/s = ${
    (rps(api) / rps(bare)).toFixed(2)
  }× the bare route in total, ${
    medianRatio.toFixed(2)
  }× the median of rounds; ${api.stats.episodes} episodes (5xx, leaks and failed episodes count the warm-up too)`,
);
