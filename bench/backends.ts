/**
 * Calls per second through each tool backend beside the declarative path, in one run, with the
 * interleaved rounds of bench/rounds.ts: a JSONata tool, a sandboxed TypeScript handler, a real
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
      "handler (sandbox), 1 in flight",
      batch(() => wallet.step(s0, call("convert", { amount: 5, from: "EUR", to: "USD" }))),
    ],
    [
      "handler (sandbox), 8 in flight",
      batch(() => wallet.step(s0, call("convert", { amount: 5, from: "EUR", to: "USD" })), 8),
    ],
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
      `| ${name} | ${Math.round(rate).toLocaleString("en")} | ${(rate / base).toFixed(3)}× |`,
    );
  }
  await lease.close();
} finally {
  await backends.close();
  await live.close();
  await server.shutdown();
  await Deno.remove(liveDir, { recursive: true });
}
