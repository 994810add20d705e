import assert from "node:assert/strict";
import { loadSuite } from "../../spec/mod.ts";
import type { SuiteSpec } from "../../spec/types.ts";
import { runCli } from "../../testdata/cli.ts";
import { declarativeEnv } from "../../tools/mod.ts";
import { EpisodeSession } from "../episode.ts";
import { runSuite } from "../run.ts";

const root = Deno.makeTempDirSync({ prefix: "tooltrial-onnx-" });
globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));

/** The mini suite with the built-in tiny model as its only agent. */
async function tinySuite(extra = ""): Promise<string> {
  const dir = await Deno.makeTempDir({ dir: root });
  const file = `${dir}/suite.yaml`;
  await Deno.writeTextFile(
    file,
    `tooltrial: 1
suite: tiny
envs: [${Deno.cwd()}/testdata/good/mini.yaml]
variants:
  renamed: [ { rename_tools: { level: medium } } ]
agents:
  tiny: { onnx: ${Deno.cwd()}/models/tiny-random, device: [cuda, webgpu, cpu], max_new_tokens: 24${extra} }
protocols:
  direct: {}
  trial: { trial_budget: 2 }
`,
  );
  return file;
}

Deno.test("onnx agent: episodes run end to end, on the provider that worked, with token counts", async () => {
  const suite = await loadSuite(await tinySuite());
  const recs = await runSuite(suite, { concurrency: 8 });
  assert.ok(recs.length >= 8);
  for (const r of recs) {
    const head = r.events[0] as { provider?: string };
    assert.equal(head.provider, "cpu", "cuda and webgpu are not on this machine: cpu is what ran");
    assert.ok(r.metrics.tokens! > 0 && r.metrics.prompt_tokens! > 0);
    assert.equal(r.error, null, "a model that emits garbage still gets a checked episode");
    assert.ok(r.metrics.turns >= 1);
  }
  // Later turns continue from the episode's cache: a trial episode computes far fewer prompt
  // tokens than its two prompts hold.
  const trial = recs.find((r) => r.protocol === "trial")!;
  assert.equal(trial.metrics.turns, 2);
});

Deno.test("onnx agent: results do not depend on concurrency (batch composition)", async () => {
  const suite: SuiteSpec = await loadSuite(
    await tinySuite(", temperature: 0.8, top_k: 40, batch: 16"),
  );
  const strip = (rs: Awaited<ReturnType<typeof runSuite>>) =>
    rs.map((r) => [r.id, r.answer, r.metrics.tokens, r.success]);
  const one = strip(await runSuite(suite, { concurrency: 1 }));
  const many = strip(await runSuite(suite, { concurrency: 12 }));
  assert.deepEqual(many, one);
});

Deno.test("episode: an unreadable tool call is an invalid_json observation and an invalid call", async () => {
  const suite = await loadSuite("testdata/good/suite.yaml");
  const env = declarativeEnv(suite.envs[0]);
  const s = new EpisodeSession(env, suite.envs[0].tasks[0], {
    agent: "m",
    protocol: suite.protocols[0],
    episode: { id: "e", seed: 1, sample: 0 },
  });
  s.begin();
  const out = await s.step({
    role: "assistant",
    content: null,
    tool_calls: [{
      id: "c",
      type: "function",
      function: { name: "", arguments: '{"name": "get_item", "argu' },
    }],
    usage: { prompt_tokens: 10, completion_tokens: 4 },
  });
  assert.match(
    out.observations[0].content,
    /"error":"invalid_json".*could not read this tool call/,
  );
  assert.equal(s.metrics.invalid_calls, 1);
  assert.equal(s.metrics.tokens, 4);
  const logged = s.events.find((e) => e.type === "message" && e.message.role === "assistant");
  assert.ok(
    logged && !("usage" in (logged as { message: object }).message),
    "usage is a metric, not a message field",
  );
});

Deno.test("onnx agent: bad agent entries are located errors with exit 2", async () => {
  const r = await runCli("validate", "testdata/bad/onnx_agent.yaml");
  assert.equal(r.code, 2);
  assert.match(
    r.err,
    /onnx_agent\.yaml:5:\d+ at \/agents\/tiny\/onnx: model folder .*nowhere not found/,
  );
  assert.match(r.err, /at \/agents\/scoped\/only\/variants\/1: no variant "renamd"/);
  const odd = await runCli("validate", await tinySuite(", top_p: 0"));
  assert.equal(odd.code, 2);
  assert.match(odd.err, /suite\.yaml:7:\d+ at \/agents\/tiny\/top_p: /);
  const many = await runCli("validate", await tinySuite(", batch: many"));
  assert.equal(many.code, 2);
  assert.match(many.err, /at \/agents\/tiny\/batch: /);
});

Deno.test("onnx agent: batch auto is 1 on the CPU; a number is taken as it is", async () => {
  const { openAgents, closeAgents } = await import("./mod.ts");
  const auto = await loadSuite(await tinySuite());
  const fixed = await loadSuite(await tinySuite(", batch: 6"));
  assert.equal((auto.agents[0] as { onnx: { batch: unknown } }).onnx.batch, "auto");
  for (const [suite, want] of [[auto, 1], [fixed, 6]] as const) {
    const agents = await openAgents(suite.agents);
    const agent = agents.get("tiny") as unknown as { decoder: { maxBatch: number } };
    assert.equal(agent.decoder.maxBatch, want);
    await closeAgents(agents);
  }
});
