/**
 * Calls per second through each tool backend beside the declarative path, in one run, with the
 * interleaved rounds of bench/rounds.ts: a JSONata tool, a sandboxed TypeScript handler (through
 * leases as episodes call it: within long leases, and with a fresh lease — a fresh child — every
 * EPISODE calls, which is what an episode phase costs), a real
 * MCP server (through the env, so each call also re-reads its snapshot), and an HTTP tool replayed
 * from its cassette and called live against a local hono API. Each case makes BATCH calls per
 * round, one at a time and (for the out-of-process backends) 8 in flight.
 * `deno task perf` prints the table.
 */
import { loadEnv } from "../spec/mod.ts";
import type { ToolCall } from "../tools/types.ts";
import { Backends } from "../tools/mod.ts";
import { directoryApi } from "../testdata/http/api.ts";
import { interleavedMedians } from "./rounds.ts";

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
  const convert = call("convert", { amount: 5, from: "EUR", to: "USD" });
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
      "handler (sandbox), in one lease, 1 in flight",
      batch(() => walletLeases[0].step(s0, convert)),
    ],
    [
      "handler (sandbox), 8 leases, 8 in flight",
      (() => {
        let i = 0;
        return batch(() => walletLeases[i++ % 8].step(s0, convert), 8);
      })(),
    ],
    [`handler (sandbox), a fresh lease per ${EPISODE} calls, 1 in flight`, episodes(1)],
    [`handler (sandbox), a fresh lease per ${EPISODE} calls, 8 in flight`, episodes(8)],
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
  await lease.close();
  await Promise.all(walletLeases.map((l) => l.close()));
} finally {
  await backends.close();
  await live.close();
  await server.shutdown();
  await Deno.remove(liveDir, { recursive: true });
}
