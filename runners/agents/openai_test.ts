import assert from "node:assert/strict";
import { loadEnv, loadSuite } from "../../spec/mod.ts";
import type { OpenAIAgentSpec } from "../../spec/types.ts";
import { declarativeEnv } from "../../tools/mod.ts";
import { chatServer, type Scripted } from "../../testdata/chat_server.ts";
import { runEpisode } from "../episode.ts";
import { runSuite } from "../run.ts";
import { retryAfterMs } from "./endpoint.ts";
import { openaiAgent } from "./openai.ts";

const mini = await loadEnv("testdata/good/mini.yaml");
const direct = { name: "direct", kind: "direct" as const, trialBudget: 0, maxTurns: 4 };

const specAt = (url: string, o: Partial<OpenAIAgentSpec["openai"]> = {}): OpenAIAgentSpec => ({
  name: "api",
  kind: "openai",
  options: {},
  openai: {
    base_url: url,
    model: "stand-in",
    temperature: 0,
    max_tokens: 64,
    timeout_s: 5,
    retries: 2,
    concurrency: 16,
    cache: false,
    ...o,
  },
});

const run = (spec: OpenAIAgentSpec) =>
  runEpisode(declarativeEnv(mini), mini.tasks[0], {
    agent: openaiAgent(spec),
    protocol: direct,
    episode: { id: "e", seed: 9, sample: 0 },
  });

Deno.test("openai agent: an episode through a chat completions endpoint, retrying 429 and 5xx", async () => {
  const srv = chatServer();
  srv.script.push({ status: 503 }, { status: 429 });
  try {
    const rec = await run(specAt(srv.url));
    assert.equal(rec.success, true, JSON.stringify(rec.answer));
    assert.equal(rec.metrics.calls, 1);
    assert.equal(rec.metrics.tokens, 16);
    assert.equal(rec.metrics.prompt_tokens, 80);
    // Two failed attempts, then the two turns; the request carries the model, tools and seed.
    assert.equal(srv.requests.length, 4);
    assert.equal(srv.requests[0].model, "stand-in");
    assert.deepEqual(srv.requests[0].tools?.map((t) => t.function?.name), [
      "get_item",
      "add_stock",
    ]);
    assert.equal(srv.requests[0].seed, 9);
    assert.equal(srv.requests[3].messages.at(-1)?.role, "tool");
  } finally {
    await srv.close();
  }
});

Deno.test("openai agent: a client error fails the episode with the endpoint's message, the run goes on", async () => {
  const srv = chatServer();
  srv.script.push({ status: 400, body: '{"error": "status 400"}' });
  try {
    const rec = await run(specAt(srv.url));
    assert.equal(rec.success, false);
    assert.match(
      rec.error ?? "",
      /agent failed: .*chat\/completions failed: 400 \{"error": "status 400"\}/,
    );
    assert.equal(srv.requests.length, 1, "a 400 is not retried");
  } finally {
    await srv.close();
  }
});

Deno.test("openai agent: malformed replies are the agent's invalid calls, never a crash", async () => {
  const call = (name: string, args: string) => ({
    reply: {
      choices: [{
        message: {
          content: null,
          tool_calls: [{ id: "c", type: "function", function: { name, arguments: args } }],
        },
      }],
    },
  });
  const cases: [string, Scripted, RegExp][] = [
    ["no choices", { reply: { object: "chat.completion" } }, /without choices\[0\]\.message/],
    ["arguments not JSON", call("get_item", "{id: w1"), /Arguments are not valid JSON/],
    ["unknown tool", call("get_itme", '{"id": "w1"}'), /get_itme/],
    ["body not JSON", { status: 200, body: "<html>oops</html>" }, /not JSON: <html>oops/],
  ];
  for (const [what, bad, message] of cases) {
    const srv = chatServer();
    srv.script.push(bad);
    try {
      const rec = await run(specAt(srv.url));
      assert.equal(rec.error, null, `${what}: the episode goes on`);
      assert.equal(rec.metrics.invalid_calls, 1, what);
      assert.match(rec.answer ?? "", /The tool said/, `${what}: the agent answered afterwards`);
      const tool = rec.events.find((e) => e.type === "tool");
      assert.ok(tool?.type === "tool" && !tool.observation.ok, what);
      assert.match(
        tool.observation.error.message,
        message,
        `${what}: ${tool.observation.error.message}`,
      );
    } finally {
      await srv.close();
    }
  }
});

Deno.test("openai agent: a 429's Retry-After holds back every request of the agent, under concurrency", async () => {
  const srv = chatServer({ delayMs: 5 });
  const suite = await loadSuite("testdata/good/suite.yaml");
  const spec = specAt(srv.url, { concurrency: 8, retries: 4 });
  // The first request is refused with Retry-After: 1 (second); the others arrive meanwhile.
  srv.script.push({ status: 429, retryAfter: "1" });
  try {
    const t0 = Date.now();
    const recs = await runSuite(
      { ...suite, agents: [spec], protocols: [suite.protocols[0]] },
      { concurrency: 1, seeds: [0], samples: 1 },
    );
    assert.equal(recs.length, 2 * 3);
    assert.ok(recs.every((r) => r.error === null), recs.map((r) => r.error).join("; "));
    // One agent-wide pause: after the 429 no request arrived until Retry-After had passed, though
    // episodes were in flight (the agent's own concurrency, not the run's 1).
    const refusedAt = srv.times[0];
    const during = srv.times.slice(1).filter((t) => t > refusedAt && t < refusedAt + 900);
    assert.ok(srv.times.length > 1 && srv.times.at(-1)! - t0 >= 1000);
    assert.ok(
      during.length <= 8,
      `at most the requests already in flight: ${during.length}`,
    );
    assert.ok(srv.maxInFlight > 1, `episodes ran concurrently (${srv.maxInFlight})`);
  } finally {
    await srv.close();
  }
});

Deno.test("openai agent: endpoint episodes run at the agent's own concurrency, results unchanged", async () => {
  const suite = await loadSuite("testdata/good/suite.yaml");
  const go = async (concurrency: number) => {
    const srv = chatServer({ delayMs: 20 });
    try {
      const recs = await runSuite({ ...suite, agents: [specAt(srv.url, { concurrency })] }, {
        concurrency: 1,
      });
      return { max: srv.maxInFlight, recs: recs.map((r) => [r.id, r.success, r.answer]) };
    } finally {
      await srv.close();
    }
  };
  const one = await go(1), sixteen = await go(16);
  assert.equal(one.max, 1);
  assert.ok(sixteen.max >= 8, `16 allowed, ${sixteen.max} seen in flight`);
  assert.deepEqual(sixteen.recs, one.recs);
});

Deno.test("openai agent: an unset api_key_env is a clear error", () => {
  assert.throws(
    () => openaiAgent(specAt("http://127.0.0.1:1/v1", { api_key_env: "TOOLTRIAL_NO_SUCH_KEY" })),
    /TOOLTRIAL_NO_SUCH_KEY \(api_key_env\) is not set/,
  );
});

Deno.test("retryAfterMs reads seconds and HTTP dates, capped", () => {
  assert.equal(retryAfterMs("2"), 2000);
  assert.equal(retryAfterMs(null), undefined);
  assert.equal(retryAfterMs("soon"), undefined);
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(retryAfterMs("Thu, 01 Jan 2026 00:00:03 GMT", now), 3000);
  assert.equal(retryAfterMs("100000"), 120_000);
});

Deno.test("openai agent: a reply slower than timeout_s is retried, then fails the episode saying so", async () => {
  const srv = chatServer({ delayMs: 1500 });
  try {
    const rec = await run(specAt(srv.url, { timeout_s: 0.2, retries: 1 }));
    assert.equal(rec.success, false);
    assert.match(rec.error ?? "", /failed: no answer within timeout_s \(0\.2 s\)/);
    assert.equal(srv.requests.length, 2, "one retry");
  } finally {
    await srv.close();
  }
});
