import assert from "node:assert/strict";
import { loadEnv, loadSuite, SpecError } from "../spec/mod.ts";
import { runSuite } from "../runners/run.ts";
import { buildReport, collect, type Provenance } from "../reports/report.ts";
import { Backends } from "./backends.ts";
import { declarativeEnv } from "./declarative.ts";

const call = (name: string, args: Record<string, unknown> = {}) => ({
  id: "c1",
  name,
  arguments: JSON.stringify(args),
});

Deno.test("handler tools: results, state changes, thrown errors, errors rules and $result", async () => {
  const backends = new Backends();
  try {
    const env = await backends.env(await loadEnv("testdata/handlers"));
    let r = await env.step(
      env.initialState,
      call("convert", { amount: 50, from: "EUR", to: "USD" }),
    );
    assert.deepEqual(r.observation, { ok: true, result: { amount: 54, currency: "USD" } });
    r = await env.step(env.initialState, call("convert", { amount: 1, from: "EUR", to: "XXX" }));
    assert.equal(!r.observation.ok && r.observation.error.kind, "tool_error");
    assert.match(!r.observation.ok ? r.observation.error.message : "", /unknown currency XXX/);
    r = await env.step(env.initialState, call("convert", { amount: "1" }));
    assert.equal(!r.observation.ok && r.observation.error.kind, "invalid_arguments");
    r = await env.step(env.initialState, call("record", { note: "tea", amount: 0 }));
    assert.equal(
      !r.observation.ok && r.observation.error.message,
      "an entry needs a non-zero amount",
    );
    r = await env.step(env.initialState, call("record", { note: "tea", amount: 2 }));
    assert.deepEqual(r.observation, { ok: true, result: "recorded E1" });
    assert.deepEqual(r.state.ledger, [{ id: "E1", note: "tea", amount: 2 }]);
    assert.deepEqual(env.initialState.ledger, [], "the initial state is untouched");
    const b = await env.step(r.state, call("balance"));
    assert.deepEqual(b.observation, { ok: true, result: 2 });
    r = await env.step(env.initialState, call("bad_state"));
    assert.equal(!r.observation.ok && r.observation.error.kind, "tool_crash");
    assert.match(
      !r.observation.ok ? r.observation.error.message : "",
      /unknown state table "nope"/,
    );
    r = await env.step(env.initialState, call("spin"));
    assert.equal(!r.observation.ok && r.observation.error.kind, "unavailable");
    assert.deepEqual(!r.observation.ok && r.observation.error.details, {
      backend: "handler",
      reason: "timeout",
    });
    r = await env.step(env.initialState, call("convert", { amount: 1, from: "EUR", to: "GBP" }));
    assert.deepEqual(r.observation, { ok: true, result: { amount: 0.85, currency: "GBP" } });
  } finally {
    await backends.close();
  }
});

Deno.test("handler tools without backends answer unavailable instead of running code", async () => {
  const env = declarativeEnv(await loadEnv("testdata/handlers"));
  const r = await env.step(
    env.initialState,
    call("convert", { amount: 1, from: "EUR", to: "USD" }),
  );
  assert.equal(!r.observation.ok && r.observation.error.kind, "unavailable");
});

Deno.test("a handler naming a function its file does not export is a located spec error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.copyFile("testdata/handlers/handlers.ts", `${dir}/handlers.ts`);
    const yaml = (await Deno.readTextFile("testdata/handlers/env.yaml"))
      .replace("./handlers.ts#convert", "./handlers.ts#convrt");
    await Deno.writeTextFile(`${dir}/env.yaml`, yaml);
    const backends = new Backends();
    try {
      const err = await backends.env(await loadEnv(dir)).catch((e) => e);
      assert.ok(err instanceof SpecError, String(err));
      const issue = err.issues[0];
      assert.equal(issue.pointer, "/tools/0/handler");
      assert.ok(issue.line > 1);
      assert.match(issue.message, /exports no function "convrt"/);
      assert.match(issue.hint ?? "", /convert/);
    } finally {
      await backends.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing handler file is a located load error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const yaml = await Deno.readTextFile("testdata/handlers/env.yaml");
    await Deno.writeTextFile(`${dir}/env.yaml`, yaml);
    const err = await loadEnv(dir).catch((e) => e);
    assert.ok(err instanceof SpecError);
    assert.match(err.issues[0].message, /handler file .*handlers.ts not found/);
    assert.equal(err.issues[0].pointer, "/tools/0/handler");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a suite on handlers runs through variants and both protocols; the sandbox is closed after", async () => {
  const suite = await loadSuite("testdata/handlers/suite.yaml");
  const backends = new Backends();
  const recs = await runSuite(suite, { backends, concurrency: 3 });
  assert.equal(recs.length, 3 * 2 * 2 * 2);
  // A broken handler's answer is data: counted per episode and in the report; the run went on.
  const spins = recs.filter((r) => r.task === "w-broken" && r.agent === "oracle");
  assert.ok(spins.every((r) => r.metrics.backend_failures === 1 && r.error === null));
  const report = buildReport(collect(recs), { run_id: "t", provenance: {} as Provenance });
  assert.ok(report.overall.every((row) => (row.backend_failures ?? 0) >= 1));
  const oracle = recs.filter((r) => r.agent === "oracle" && r.task !== "w-broken");
  assert.ok(
    oracle.every((r) => r.success),
    oracle.filter((r) => !r.success).map((r) => r.id).join(),
  );
  const explorer = recs.filter((r) =>
    r.agent === "explorer" && r.protocol === "trial" && r.task !== "w-broken"
  );
  assert.ok(explorer.every((r) => r.success));
  await assert.rejects(backends.env(suite.envs[0]), /closed/);
});

Deno.test("a handler that poisons its process in one episode leaves every other episode's calls intact", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tooltrial-plants-" });
  try {
    await Deno.writeTextFile(
      `${dir}/h.ts`,
      `export function plant() {
  setTimeout(() => { while (true) {} }, 20);
  try {
    const real = String;
    (globalThis as any).String = (x: unknown) => real(x) + "-forged";
  } catch { /* frozen */ }
  try {
    (Object.prototype as any).toJSON = function () {
      return Object.hasOwn(this, "ok") ? { ok: true, value: { result: "poisoned" } } : this;
    };
  } catch { /* frozen */ }
  return { result: "planted" };
}
export function double(a: { n: number }, s: { log: unknown[] }) {
  return { result: a.n * 2, state: { log: [...s.log, { n: a.n * 2 }] } };
}
`,
    );
    const doubles = [1, 2, 3, 4, 5].map((n) => `
  - id: d${n}
    query: Double ${n}.
    gold: [{ tool: double, args: { n: ${n} } }]
    answer: "${n * 2}"
    check: { state: "$count(state.log[n = ${n * 2}]) = 1" }`).join("");
    await Deno.writeTextFile(
      `${dir}/env.yaml`,
      `tooltrial: 1
env: plants
description: One handler poisons its own process; the other doubles numbers into a log.
sandbox: { timeout_ms: 2000, memory_mb: 64 }
state: { log: [] }
tools:
  - name: plant
    description: Poison the process.
    parameters: { type: object, properties: {} }
    handler: ./h.ts#plant
  - name: double
    description: Twice a number, logged.
    parameters: { type: object, properties: { n: { type: number } }, required: [n] }
    handler: ./h.ts#double
tasks:
  - id: a-plant
    query: Plant it.
    gold: [{ tool: plant }]
    answer: planted
    check: { answer: { contains: planted } }${doubles}
`,
    );
    await Deno.writeTextFile(
      `${dir}/suite.yaml`,
      `tooltrial: 1
suite: plants
envs: [env.yaml]
agents: { oracle: { scripted: oracle } }
protocols: { direct: {}, trial: { trial_budget: 2 } }
`,
    );
    const suite = await loadSuite(`${dir}/suite.yaml`);
    // One process and two episodes at a time: every lease shares it, each in its own compartment.
    const backends = new Backends({ sandboxProcesses: 1 });
    const recs = await runSuite(suite, { backends, concurrency: 2 });
    const doubled = recs.filter((r) => r.task !== "a-plant");
    assert.equal(doubled.length, 10);
    assert.deepEqual(
      doubled.filter((r) => !r.success || r.metrics.backend_failures !== 0).map((r) => r.id),
      [],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
