import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { runCli as cli } from "./testdata/cli.ts";
import { chatServer } from "./testdata/chat_server.ts";
import { assertValidReport, reportFigures } from "./reports/mod.ts";
import { loadSuite } from "./spec/mod.ts";
import { createRng, type Message, runSuite } from "./runners/mod.ts";
import { openaiAgent } from "./runners/agents/openai.ts";
import type { ToolDef } from "./tools/types.ts";
import { createApp } from "./serve/app.ts";

/** A suite over the mini env whose one agent is an endpoint agent at `url`. */
async function endpointSuite(agent: string): Promise<{ dir: string; suite: string }> {
  const dir = await Deno.makeTempDir({ prefix: "tooltrial-endpoint-" });
  const suite = join(dir, "suite.yaml");
  await Deno.writeTextFile(
    suite,
    `tooltrial: 1
suite: endpoint
envs: [${resolve("testdata/good/mini.yaml")}]
variants:
  renamed: [{ rename_tools: { level: medium, style: reverse } }]
agents:
${agent}
protocols:
  direct: {}
  trial: { trial_budget: 2 }
samples: 2
seeds: [0]
`,
  );
  return { dir, suite };
}

const read = async (path: string) => JSON.parse(await Deno.readTextFile(path));

Deno.test("cli: a suite's openai agent benches against a local server; a rerun and reproduce replay the cache with no calls", async () => {
  const srv = chatServer();
  const { dir, suite } = await endpointSuite(`  api:
    openai: { base_url: ${srv.url}, model: stand-in, concurrency: 4, price: { input: 2, output: 8 } }`);
  try {
    const cache = join(dir, "cache");
    const out = join(dir, "run");
    const r = await cli("bench", suite, "--out", out, "--cache-dir", cache);
    assert.equal(r.code, 0, r.err);
    const report = await read(join(out, "report.json"));
    assertValidReport(report);
    // 2 tasks × 2 variants × 2 protocols × 2 samples, every one of them answered by the server.
    assert.equal(report.episodes.length, 16);
    const openings = srv.requests.filter((b) => b.messages.length === 2);
    assert.equal(openings.length, 16, "each episode opened with one request");
    const logged = (await Deno.readTextFile(join(out, "episodes.jsonl"))).trim().split("\n")
      .map((l) => JSON.parse(l)).filter((e) => e.type === "result");
    assert.equal(logged.length, 16);
    for (const e of logged) {
      assert.ok(e.metrics.tokens > 0, `${e.episode} never reached the endpoint`);
      // 40 prompt tokens at $2/M and 8 completion tokens at $8/M per turn.
      assert.equal(e.metrics.cost_usd, e.metrics.turns * (40 * 2 + 8 * 8) / 1e6);
    }
    assert.ok(srv.requests.every((b) => b.model === "stand-in" && b.tools?.length === 2));
    // The generic policy solves mini-1 (look w1 up, say its stock) on clean direct.
    assert.ok(
      report.episodes.some((e: { success: boolean }) => e.success),
      "some episode succeeded",
    );
    assert.ok(report.overall.every((o: { mean_cost_usd?: number }) => o.mean_cost_usd! > 0));
    assert.match(await Deno.readTextFile(join(out, "report.md")), /USD\/ep\./);
    assert.match(r.err, /api: \d+ turns — \d+ requests to the endpoint, 0 replayed/);
    const calls = srv.requests.length;

    // The same bench into another folder: every turn comes from the cache.
    const again = join(dir, "again");
    const r2 = await cli("bench", suite, "--out", again, "--cache-dir", cache);
    assert.equal(r2.code, 0, r2.err);
    assert.equal(srv.requests.length, calls, "a cached rerun makes no request");
    assert.match(
      r2.err,
      /0 requests to the endpoint, \d+ replayed from the cache .*no endpoint calls/,
    );
    assert.equal(reportFigures(await read(join(again, "report.json"))), reportFigures(report));

    // reproduce replays too, and says every figure is identical.
    const r3 = await cli(
      "reproduce",
      join(out, "report.json"),
      "--out",
      join(dir, "repro"),
      "--cache-dir",
      cache,
    );
    assert.equal(r3.code, 0, r3.err);
    assert.match(r3.out, /every figure identical/);
    assert.equal(srv.requests.length, calls, "reproduce makes no request");

    // --no-cache calls the endpoint again for every turn.
    const r4 = await cli(
      "bench",
      suite,
      "--out",
      join(dir, "live"),
      "--cache-dir",
      cache,
      "--no-cache",
      "--quiet",
    );
    assert.equal(r4.code, 0, r4.err);
    assert.equal(srv.requests.length, 2 * calls);
  } finally {
    await srv.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: an anthropic agent benches through the Messages API", async () => {
  const srv = chatServer();
  const { dir, suite } = await endpointSuite(`  claude:
    anthropic: { base_url: ${srv.url}, model: stand-in }`);
  try {
    const out = join(dir, "run");
    const r = await cli("bench", suite, "--out", out, "--cache-dir", join(dir, "cache"));
    assert.equal(r.code, 0, r.err);
    const report = await read(join(out, "report.json"));
    assert.equal(report.episodes.length, 16);
    assert.ok(srv.paths.every((p) => p === "/v1/messages"));
    assert.ok(report.episodes.some((e: { success: boolean }) => e.success));
    assert.deepEqual(report.provenance.agents[0].anthropic.model, "stand-in");
  } finally {
    await srv.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: an unreachable endpoint or a missing key variable is exit 2 before any episode", async () => {
  // A port that was just free: nothing listens there.
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const dead = await endpointSuite(`  api:
    openai: { base_url: http://127.0.0.1:${port}/v1, model: m }`);
  const keyless = await endpointSuite(`  api:
    openai: { base_url: http://127.0.0.1:${port}/v1, model: m, api_key_env: TOOLTRIAL_TEST_NO_KEY }`);
  try {
    const out = join(dead.dir, "run");
    const r = await cli("bench", dead.suite, "--out", out, "--cache-dir", join(dead.dir, "c"));
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, new RegExp(`agent api: cannot reach http://127\\.0\\.0\\.1:${port}/v1`));
    await assert.rejects(Deno.stat(join(out, "episodes.jsonl")), "nothing ran");
    const k = await cli("bench", keyless.suite, "--out", join(keyless.dir, "run"));
    assert.equal(k.code, 2, k.err);
    assert.match(k.err, /TOOLTRIAL_TEST_NO_KEY \(api_key_env\) is not set/);
  } finally {
    await Deno.remove(dead.dir, { recursive: true });
    await Deno.remove(keyless.dir, { recursive: true });
  }
});

Deno.test("cli: train synthesizes teacher data from a suite's endpoint agent; a teacher the suite lacks is a located error", async () => {
  const srv = chatServer();
  const { dir } = await endpointSuite(`  api:
    openai: { base_url: ${srv.url}, model: stand-in }`);
  const training = join(dir, "training.yaml");
  await Deno.writeTextFile(
    training,
    `tooltrial: 1
training: endpoint-teacher
suite: suite.yaml
out: ${join(dir, "train")}
model: { init: { hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1 } }
tokenizer: ${resolve("models/tiny-random")}
data: { variants: [clean], seeds: [101] }
evaluation: { variants: [clean], protocols: [trial], seeds: [0] }
stages:
  - name: api-data
    synthesize: { teacher: api, style: trial, keep: { success: false } }
`,
  );
  try {
    const r = await cli("train", training, "--quiet");
    assert.equal(r.code, 0, r.err);
    const calls = srv.requests.length;
    assert.ok(calls > 0, "the teacher asked the endpoint");
    const [stage] = [...Deno.readDirSync(join(dir, "train"))].filter((e) => e.isDirectory);
    const lines = (await Deno.readTextFile(join(dir, "train", stage.name, "data.jsonl"))).trim()
      .split("\n").map((l) => JSON.parse(l));
    // mini's seen task, trial protocol: the stand-in's calls are in the training data.
    assert.ok(lines.length > 0);
    assert.ok(
      lines.some((ex) =>
        ex.messages.some((m: { tool_calls?: unknown[] }) => (m.tool_calls?.length ?? 0) > 0)
      ),
    );
    const bad = await cli(
      "validate",
      await (async () => {
        const f = join(dir, "bad.yaml");
        await Deno.writeTextFile(
          f,
          (await Deno.readTextFile(training)).replace("teacher: api", "teacher: apj"),
        );
        return f;
      })(),
    );
    assert.equal(bad.code, 2);
    assert.match(bad.err, /no teacher "apj"[^\n]*\n\s+hint: did you mean "api"\?/);
  } finally {
    await srv.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve: a suite's endpoint agent plays served sessions as it plays bench episodes", async () => {
  const srv = chatServer();
  const { dir, suite: file } = await endpointSuite(`  api:
    openai: { base_url: ${srv.url}, model: stand-in, cache: false }`);
  try {
    const suite = await loadSuite(file);
    const spec = suite.agents[0];
    assert.equal(spec.kind, "openai");
    if (spec.kind !== "openai") return;
    const local = await runSuite(suite, { variants: ["renamed"], protocols: ["trial"] });
    const { app } = createApp({ suite });
    const post = async (path: string, body: unknown) => {
      const res = await app.request(path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return await res.json() as Record<string, unknown>;
    };
    const agent = openaiAgent(spec);
    for (const rec of local) {
      const created = await post("/v1/sessions", {
        env: rec.env,
        task: rec.task,
        variant: rec.variant,
        protocol: rec.protocol,
        sample: rec.sample,
        agent: rec.agent,
      });
      const session = agent.start({
        task: suite.envs[0].tasks.find((t) => t.id === rec.task)!,
        protocol: suite.protocols.find((p) => p.name === rec.protocol)!,
        seed: rec.seed,
        rng: createRng(rec.seed),
        variant: { name: rec.variant, toVisible: (c) => c },
      });
      const tools = (created.tools as { function: ToolDef }[]).map((t) => t.function);
      const messages = [...created.messages as Message[]];
      let result: Record<string, unknown> | undefined;
      for (let i = 0; i < 30 && !result; i++) {
        const reply = await session.act(messages, tools, { phase: "execute" });
        const { usage: _u, ...message } = reply;
        messages.push(message);
        const step = await post(`/v1/sessions/${created.session}/step`, { message: reply });
        messages.push(...step.observations as Message[], ...step.notices as Message[]);
        if (step.done) result = step.result as Record<string, unknown>;
      }
      assert.ok(result, `${rec.id} ended`);
      assert.equal(result.success, rec.success, rec.id);
      assert.deepEqual(
        { ...result.metrics as object, tokens: 0, prompt_tokens: 0 },
        { ...rec.metrics, tokens: 0, prompt_tokens: 0 },
        rec.id,
      );
    }
    assert.equal(local.length, 4);
  } finally {
    await srv.close();
    await Deno.remove(dir, { recursive: true });
  }
});
