/**
 * Environment API under load, side by side with a bare hono route, in one run (loopback, bounded):
 * 100 concurrent clients each open a session on a declarative env, step through its gold calls,
 * check that their own state — and only theirs — changed, answer, and close; meanwhile, in a
 * separate phase, 100 clients hit a bare hono route returning constant JSON. Servers run in their
 * own processes. Prints requests/s and p50/p99 per phase, the ratio, leaks and 5xx counts, and (on
 * Linux) the CPU time each server and the client spent per request — steadier than requests/s on a
 * shared machine.
 * `deno run -A bench/serve_load.ts [seconds per phase] [suite] [env]`
 */
const seconds = Number(Deno.args[0] ?? 10);
const suiteFile = Deno.args[1] ?? "testdata/good/suite.yaml";
const envName = Deno.args[2] ?? "mini";
const CLIENTS = 100;

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

async function phase(
  name: string,
  serverPid: number,
  client: (stop: () => boolean, lat: number[], stats: Stats) => Promise<void>,
) {
  const lat: number[] = [];
  const stats: Stats = { requests: 0, fivexx: 0, leaks: 0, episodes: 0, failures: 0 };
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  const cpu0 = [cpuSeconds(serverPid), cpuSeconds("self")];
  await Promise.all(
    Array.from({ length: CLIENTS }, () => client(() => performance.now() > end, lat, stats)),
  );
  const cpu1 = [cpuSeconds(serverPid), cpuSeconds("self")];
  const s = (performance.now() - t0) / 1000;
  const perRequest = (i: number) => (cpu1[i] - cpu0[i]) / stats.requests * 1e6;
  return {
    name,
    rps: stats.requests / s,
    p50: pct(lat, 0.5),
    p99: pct(lat, 0.99),
    lat,
    serverUs: perRequest(0),
    clientUs: perRequest(1),
    ...stats,
  };
}
interface Stats {
  requests: number;
  fivexx: number;
  leaks: number;
  episodes: number;
  failures: number;
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

const bare = await start("bare");
const bareResult = await phase(
  "bare hono route (constant JSON)",
  bare.child.pid,
  async (stop, lat, stats) => {
    while (!stop()) await timed(lat, stats, `http://127.0.0.1:${bare.port}/bare`);
  },
);
bare.child.kill();
await bare.child.status;

const { loadSuite } = await import("../spec/mod.ts");
const suite = await loadSuite(suiteFile);
const env = suite.envs.find((e) => e.name === envName)!;
const server = await start("env");
const base = `http://127.0.0.1:${server.port}`;
const post = (body: unknown) => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});
let n = 0;
const envResult = await phase(
  `environment API steps (${env.name}, declarative)`,
  server.child.pid,
  async (stop, lat, stats) => {
    while (!stop()) {
      const task = env.tasks[n++ % env.tasks.length];
      const s = await timed(
        [],
        stats,
        `${base}/v1/sessions`,
        post({ env: env.name, task: task.id, protocol: "direct", seed: n }),
      );
      if (s.status !== 201) {
        stats.failures++;
        continue;
      }
      const id = s.body.session;
      for (const [i, g] of task.gold.entries()) {
        await timed(
          lat,
          stats,
          `${base}/v1/sessions/${id}/step`,
          post({
            message: {
              role: "assistant",
              content: null,
              tool_calls: [{
                id: `c${i}`,
                type: "function",
                function: { name: g.tool, arguments: JSON.stringify(g.args) },
              }],
            },
          }),
        );
      }
      // Isolation: this session's state reflects its own writes and nobody else's.
      const st = await timed([], stats, `${base}/v1/sessions/${id}`);
      const done = await timed(
        lat,
        stats,
        `${base}/v1/sessions/${id}/step`,
        post({ message: { role: "assistant", content: task.answer } }),
      );
      if (!done.body.result?.success) stats.failures++;
      if (task.tags.includes("write") || task.gold.length > 0) {
        const log = (st.body.state?.log ?? []) as unknown[];
        if (log.length > task.gold.filter((g) => g.tool === "add_stock").length) stats.leaks++;
      }
      await timed([], stats, `${base}/v1/sessions/${id}`, { method: "DELETE" });
      stats.episodes++;
    }
  },
);
server.child.kill();
await server.child.status;
const stepLat = envResult.lat;
const steps = stepLat.length / seconds;
console.log(
  `serve load: ${CLIENTS} concurrent clients, ${seconds} s per phase, loopback, client and servers on this machine`,
);
console.log(
  "| phase | requests/s | p50 ms | p99 ms | 5xx | leaks | failed episodes | server CPU µs/request | client CPU µs/request |",
);
console.log("| :-- | --: | --: | --: | --: | --: | --: | --: | --: |");
for (const r of [bareResult, envResult]) {
  console.log(
    `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${
      r.p99.toFixed(2)
    } | ${r.fivexx} | ${r.leaks} | ${r.failures} | ${r.serverUs.toFixed(0)} | ${
      r.clientUs.toFixed(0)
    } |`,
  );
}
console.log(
  `steps: ${stepLat.length} in ${seconds} s = ${steps.toFixed(0)} steps/s (p50 ${
    pct(stepLat, 0.5).toFixed(2)
  } ms, p99 ${pct(stepLat, 0.99).toFixed(2)} ms); all API requests ${
    envResult.rps.toFixed(0)
  }/s = ${
    (envResult.rps / bareResult.rps).toFixed(2)
  }× the bare route; ${envResult.episodes} episodes`,
);
