/**
 * Calls per second through each tool backend beside the declarative path, in one run, with the
 * interleaved rounds of bench/rounds.ts: a JSONata tool, a sandboxed TypeScript handler (pooled:
 * long leases; per lease: a fresh lease — a fresh compartment — every EPISODE calls, which is
 * what an episode phase costs; both with 1 and 8 in flight), the floor under any handler call (a
 * bare subprocess echoing JSON lines, 1 in flight and 8 pipelined), a real MCP server (through the
 * env, so each call also re-reads its snapshot), and an HTTP tool replayed from its cassette and
 * called live against a local hono API. Each case makes BATCH calls per round. `deno task perf`
 * prints the table, then the handler ratios side by side.
 */
import { loadEnv } from "../spec/mod.ts";
import type { ToolCall } from "../tools/types.ts";
import { Backends } from "../tools/mod.ts";
import { directoryApi } from "../testdata/http/api.ts";
import { interleavedMedians } from "./rounds.ts";
import { jsonLinesEcho } from "./_json_lines_echo.ts";

const BATCH = Number(Deno.env.get("BATCH") ?? 200);
const call = (name: string, args: Record<string, unknown>): ToolCall => ({
  id: "c",
  name,
  arguments: JSON.stringify(args),
});

const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, directoryApi().fetch);
const liveDir = await Deno.makeTempDir({ prefix: "tooltrial-bench-http-" });
await Deno.writeTextFile(
  `${liveDir}/env.yaml`,
  (await Deno.readTextFile("testdata/http/env.yaml"))
    .replace("http://127.0.0.1:9/api", `http://127.0.0.1:${server.addr.port}/api`),
);
const backends = new Backends();
const live = new Backends({ http: "record" });
try {
  const wallet = await backends.env(await loadEnv("testdata/handlers"));
  const memory = await backends.env(await loadEnv("envs/memory"));
  const lease = await memory.open!();
  const EPISODE = Number(Deno.env.get("EPISODE") ?? 5);
  // Long leases, kept over the rounds: each holds one child for all its calls.
  const walletLeases = await Promise.all(Array.from({ length: 8 }, () => wallet.open!()));
  const convertArgs = { amount: 5, from: "EUR", to: "USD" };
  const convert = call("convert", convertArgs);
  const floor = jsonLinesEcho();
  /** Handler calls in leases of EPISODE calls, each opened and closed like an episode's phase. */
  const episodes = (inFlight: number) => async () => {
    let next = 0;
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (next < BATCH) {
        const l = await wallet.open!();
        try {
          for (let k = 0; k < EPISODE && next++ < BATCH; k++) {
            const r = await l.step(l.initialState, convert);
            if (!r.observation.ok) throw new Error(`a bench call failed: ${JSON.stringify(r)}`);
          }
        } finally {
          await l.close();
        }
      }
    }));
  };
  const directory = await backends.env(await loadEnv("testdata/http"));
  const liveDirectory = await live.env(await loadEnv(liveDir));

  /** `n` calls, `inFlight` at a time; every one must succeed (a failing bench measures nothing). */
  const batch =
    (step: () => Promise<{ observation: { ok: boolean } }>, inFlight = 1) => async () => {
      let next = 0;
      await Promise.all(Array.from({ length: inFlight }, async () => {
        while (next++ < BATCH) {
          const r = await step();
          if (!r.observation.ok) throw new Error(`a bench call failed: ${JSON.stringify(r)}`);
        }
      }));
    };
  const s0 = wallet.initialState;
  const cases: [string, () => Promise<void>][] = [
    ["declarative (JSONata)", batch(() => wallet.step(s0, call("balance", {})))],
    [
      "handler, pooled (one long lease), 1 in flight",
      batch(() => walletLeases[0].step(s0, convert)),
    ],
    [`handler, a fresh lease per ${EPISODE} calls, 1 in flight`, episodes(1)],
    ["floor: bare subprocess JSON lines, 1 in flight", batch(() => floor.call(convertArgs))],
    [
      "handler, pooled (8 long leases), 8 in flight",
      (() => {
        let i = 0;
        return batch(() => walletLeases[i++ % 8].step(s0, convert), 8);
      })(),
    ],
    [`handler, 8 episodes in flight (a fresh lease per ${EPISODE} calls)`, episodes(8)],
    ["floor: bare subprocess JSON lines, 8 pipelined", batch(() => floor.call(convertArgs), 8)],
    [
      "MCP memory server, with snapshot",
      batch(() => lease.step(lease.initialState, call("search_nodes", { query: "Ada" }))),
    ],
    [
      "HTTP replay (cassette)",
      batch(() => directory.step(directory.initialState, call("find_people", { team: "data" }))),
    ],
    [
      "HTTP live (local hono), 1 in flight",
      batch(() =>
        liveDirectory.step(liveDirectory.initialState, call("find_people", { team: "data" }))
      ),
    ],
    [
      "HTTP live (local hono), 8 in flight",
      batch(
        () => liveDirectory.step(liveDirectory.initialState, call("find_people", { team: "data" })),
        8,
      ),
    ],
  ];
  const medians = await interleavedMedians(cases, Number(Deno.env.get("ROUNDS") ?? 7));
  const base = BATCH / (medians[0] / 1000);
  console.log(
    `\nTool calls per second by backend (${BATCH} calls a round, median of rounds; ${navigator.hardwareConcurrency} CPUs)\n`,
  );
  console.log("| backend | calls/s | vs declarative |");
  console.log("| :-- | --: | --: |");
  for (const [i, [name]] of cases.entries()) {
    const rate = BATCH / (medians[i] / 1000);
    console.log(
      `| ${name} | ${Math.round(rate).toLocaleString("en")} | ${
        rate / base < 0.01 ? (rate / base).toPrecision(1) : (rate / base).toFixed(3)
      }× |`,
    );
  }
  const rate = (name: string) => BATCH / (medians[cases.findIndex(([n]) => n === name)] / 1000);
  const ratio = (a: string, b: string) => (rate(a) / rate(b)).toFixed(2);
  const [pooled1, lease1, floor1, , lease8, floor8] = cases.slice(1, 7).map(([n]) => n);
  console.log(`\nHandler calls side by side (same run):\n`);
  console.log("| ratio | value | goal |");
  console.log("| :-- | --: | --: |");
  console.log(
    `| a fresh lease per ${EPISODE} calls ÷ pooled, 1 in flight | ${
      ratio(lease1, pooled1)
    }× | ≥ 0.8× |`,
  );
  console.log(
    `| 8 episodes in flight ÷ floor with 8 pipelined | ${ratio(lease8, floor8)}× | ≥ 0.5× |`,
  );
  console.log(`| pooled ÷ floor, 1 in flight | ${ratio(pooled1, floor1)}× | |`);
  await lease.close();
  await Promise.all(walletLeases.map((l) => l.close()));
  await floor.close();
} finally {
  await backends.close();
  await live.close();
  await server.shutdown();
  await Deno.remove(liveDir, { recursive: true });
}
