/**
 * Handler calls side by side in one run: this checkout's per-lease path (a fresh lease every
 * EPISODE calls, as an episode's phase has; one long lease; 8 episodes in flight), the pooled path
 * of an older checkout (one long lease, 1 in flight: what the per-lease isolation must keep 0.8× of,
 * issue 24) when its folder is given, and the floor under any handler call (a bare subprocess
 * answering JSON lines, 1 in flight and 8 pipelined: 8 episodes in flight must reach 0.5× of the
 * pipelined floor, issue 23). Every case calls `convert` of testdata/handlers through the
 * environment's `step`, BATCH calls a round; rounds run every case once, in an order reversed every
 * other round, so noise falls on all alike. Prints each case's median rate, and each ratio as the
 * ratio of medians with its range over the rounds.
 *
 * `deno run -A bench/handler_paths.ts [OLD_CHECKOUT] [rounds]` (`PROCESSES=N`: this checkout's
 * sandbox runs N children instead of its default; `OLD_EPISODES=1`: the older checkout's fresh
 * leases too, for one whose leases are cheap), e.g. with
 * `git worktree add /tmp/wt-old b209743` (the commit before per-lease isolation). The old
 * checkout's modules load through this checkout's import map, so it must need no import this one
 * lacks; one whose sandbox finds the `ses` package through Node's resolution (per-lease isolation
 * and later) must sit inside this checkout, e.g. `git archive C | tar -x -C runs/base`.
 * @module
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { loadEnv } from "../spec/mod.ts";
import { Backends } from "../tools/mod.ts";
import type { Env, StepResult, ToolCall } from "../tools/types.ts";
import { jsonLinesEcho } from "./_json_lines_echo.ts";

const old = Deno.args[0] && Deno.args[0] !== "-" ? resolve(Deno.args[0]) : undefined;
const ROUNDS = Number(Deno.args[1] ?? 9);
const BATCH = Number(Deno.env.get("BATCH") ?? 1000);
const EPISODE = Number(Deno.env.get("EPISODE") ?? 5);
const args = { amount: 5, from: "EUR", to: "USD" };
const convert: ToolCall = { id: "c", name: "convert", arguments: JSON.stringify(args) };

type Step = (call: ToolCall) => Promise<StepResult>;
const must = (r: StepResult) => {
  if (!r.observation.ok) throw new Error(`a bench call failed: ${JSON.stringify(r)}`);
};

/** BATCH calls through `step`, `inFlight` at a time. */
const batch = (step: Step, inFlight = 1) => async () => {
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next++ < BATCH) must(await step(convert));
  }));
};

/** BATCH calls in leases of EPISODE calls, each opened and closed as an episode's phase is. */
const episodes = (env: Env, inFlight: number) => async () => {
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < BATCH) {
      const lease = await env.open!();
      try {
        for (let k = 0; k < EPISODE && next++ < BATCH; k++) {
          must(await lease.step(lease.initialState, convert));
        }
      } finally {
        await lease.close();
      }
    }
  }));
};

const closers: (() => Promise<void>)[] = [];
const cases: [string, () => Promise<void>][] = [];
const processes = Number(Deno.env.get("PROCESSES") ?? 0);
const now = new Backends(processes > 0 ? { sandboxProcesses: processes } : {});
closers.push(() => now.close());
const wallet = await now.env(await loadEnv("testdata/handlers"));
const long = await wallet.open!();
closers.push(() => long.close());
if (old) {
  const spec = await import(pathToFileURL(`${old}/spec/mod.ts`).href);
  const tools = await import(pathToFileURL(`${old}/tools/mod.ts`).href);
  const backends = new tools.Backends();
  closers.push(() => backends.close());
  const env = await backends.env(await spec.loadEnv(`${old}/testdata/handlers`)) as Env;
  const lease = await env.open!();
  closers.push(() => lease.close());
  cases.push(["old: one long lease, 1 in flight", batch((c) => lease.step(lease.initialState, c))]);
  // A fresh lease per episode was a fresh process before per-lease isolation: ask for it only
  // when the older checkout has leases that cheap.
  if (Deno.env.get("OLD_EPISODES")) {
    cases.push(
      [`old: a fresh lease per ${EPISODE} calls, 1 in flight`, episodes(env, 1)],
      [`old: 8 episodes in flight (a fresh lease per ${EPISODE} calls)`, episodes(env, 8)],
    );
  }
}
const floor = jsonLinesEcho();
closers.push(() => floor.close());
const floorStep: Step = () => floor.call(args) as Promise<StepResult>;
cases.push(
  ["now: one long lease, 1 in flight", batch((c) => long.step(long.initialState, c))],
  [`now: a fresh lease per ${EPISODE} calls, 1 in flight`, episodes(wallet, 1)],
  [`now: 8 episodes in flight (a fresh lease per ${EPISODE} calls)`, episodes(wallet, 8)],
  ["floor: bare subprocess JSON lines, 1 in flight", batch(floorStep)],
  ["floor: bare subprocess JSON lines, 8 pipelined", batch(floorStep, 8)],
);

try {
  const load = Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
  for (let w = 0; w < 2; w++) for (const [, run] of cases) await run();
  const rates = cases.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    const order = cases.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) {
      const t0 = performance.now();
      await cases[i][1]();
      rates[i].push(BATCH / ((performance.now() - t0) / 1000));
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const at = (prefix: string) => cases.findIndex(([name]) => name.startsWith(prefix));
  console.log(
    `\nHandler calls per second, ${ROUNDS} rounds of ${BATCH} calls (${navigator.hardwareConcurrency} CPUs; load average before: ${load}, after: ${
      Deno.loadavg().map((x) => x.toFixed(2)).join(" ")
    })\n`,
  );
  console.log("| case | median calls/s | range |");
  console.log("| :-- | --: | --: |");
  const round = (x: number) => Math.round(x).toLocaleString("en");
  for (const [i, [name]] of cases.entries()) {
    console.log(
      `| ${name} | ${round(median(rates[i]))} | ${round(Math.min(...rates[i]))}–${
        round(Math.max(...rates[i]))
      } |`,
    );
  }
  const ratio = (label: string, a: number, b: number, goal: string) => {
    if (a < 0 || b < 0) return;
    const each = rates[a].map((x, r) => x / rates[b][r]);
    console.log(
      `| ${label} | ${(median(rates[a]) / median(rates[b])).toFixed(2)}× | ${
        Math.min(...each).toFixed(2)
      }–${Math.max(...each).toFixed(2)}× | ${goal} |`,
    );
  };
  console.log("\n| ratio | of medians | round by round | goal |");
  console.log("| :-- | --: | --: | --: |");
  ratio(
    `a fresh lease per ${EPISODE} calls ÷ the old pooled path`,
    at("now: a fresh"),
    at("old: one long"),
    "≥ 0.8×",
  );
  ratio("one long lease ÷ the old pooled path", at("now: one long"), at("old: one long"), "");
  ratio(
    `a fresh lease per ${EPISODE} calls ÷ the old checkout's`,
    at("now: a fresh"),
    at("old: a fresh"),
    "",
  );
  ratio("8 episodes in flight ÷ the old checkout's", at("now: 8"), at("old: 8"), "");
  ratio(
    "8 episodes in flight ÷ the floor, 8 pipelined",
    at("now: 8"),
    at("floor: bare subprocess JSON lines, 8"),
    "≥ 0.5×",
  );
  ratio(
    "one long lease ÷ the floor, 1 in flight",
    at("now: one long"),
    at("floor: bare subprocess JSON lines, 1"),
    "",
  );
} finally {
  for (const close of closers.reverse()) await close();
}
