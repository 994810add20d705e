import assert from "node:assert/strict";
import { loadEnv } from "../../spec/mod.ts";
import type { OpenAIAgentSpec } from "../../spec/types.ts";
import { declarativeEnv } from "../../tools/mod.ts";
import { runEpisode } from "../episode.ts";
import { openaiAgent } from "./openai.ts";

interface Body {
  model: string;
  messages: { role: string; content: string | null }[];
  tools?: { type: string; function: { name: string } }[];
  seed: number;
}

/**
 * A stand-in chat completions endpoint on loopback: a tiny policy for the mini env's first task
 * (look the item up, then answer its stock), and scripted failures before it.
 */
function endpoint(failures: number[] = []) {
  const seen: Body[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    if (new URL(req.url).pathname !== "/v1/chat/completions") {
      return new Response("no", { status: 404 });
    }
    const body = await req.json() as Body;
    seen.push(body);
    const status = failures.shift();
    if (status) return new Response(`{"error": "status ${status}"}`, { status });
    const last = body.messages[body.messages.length - 1];
    const message = last.role === "tool"
      ? {
        role: "assistant",
        content: `There are ${
          JSON.parse(last.content!)[0]?.stock ?? JSON.parse(last.content!).stock
        } units.`,
      }
      : {
        role: "assistant",
        content: null,
        tool_calls: [{
          id: "x1",
          type: "function",
          function: { name: "get_item", arguments: '{"id": "w1"}' },
        }],
      };
    return Response.json({
      choices: [{ message }],
      usage: { prompt_tokens: 50, completion_tokens: 7 },
    });
  });
  const spec: OpenAIAgentSpec = {
    name: "api",
    kind: "openai",
    options: {},
    openai: {
      base_url: `http://127.0.0.1:${server.addr.port}/v1`,
      model: "stand-in",
      temperature: 0,
      max_tokens: 64,
      timeout_s: 5,
      retries: 2,
    },
  };
  return { seen, spec, close: () => server.shutdown() };
}

const mini = await loadEnv("testdata/good/mini.yaml");
const direct = { name: "direct", kind: "direct" as const, trialBudget: 0, maxTurns: 4 };
const run = (spec: OpenAIAgentSpec) =>
  runEpisode(declarativeEnv(mini), mini.tasks[0], {
    agent: openaiAgent(spec),
    protocol: direct,
    episode: { id: "e", seed: 9, sample: 0 },
  });

Deno.test("openai agent: an episode through a chat completions endpoint, retrying 429 and 5xx", async () => {
  const ep = endpoint([503, 429]);
  try {
    const rec = await run(ep.spec);
    assert.equal(rec.success, true, JSON.stringify(rec.answer));
    assert.equal(rec.metrics.calls, 1);
    assert.equal(rec.metrics.tokens, 14);
    assert.equal(rec.metrics.prompt_tokens, 100);
    // Two failed attempts, then the two turns; the request carries the model, tools and seed.
    assert.equal(ep.seen.length, 4);
    assert.equal(ep.seen[0].model, "stand-in");
    assert.deepEqual(ep.seen[0].tools?.map((t) => t.function.name), ["get_item", "add_stock"]);
    assert.equal(ep.seen[0].seed, 9);
    assert.equal(ep.seen[3].messages.at(-1)?.role, "tool");
  } finally {
    await ep.close();
  }
});

Deno.test("openai agent: a client error fails the episode with the endpoint's message, the run goes on", async () => {
  const ep = endpoint([400]);
  try {
    const rec = await run(ep.spec);
    assert.equal(rec.success, false);
    assert.match(
      rec.error ?? "",
      /agent failed: .*chat\/completions failed: 400 \{"error": "status 400"\}/,
    );
    assert.equal(ep.seen.length, 1, "a 400 is not retried");
  } finally {
    await ep.close();
  }
});

Deno.test("openai agent: an unset api_key_env is a clear error", async () => {
  const ep = endpoint();
  try {
    assert.throws(
      () =>
        openaiAgent({
          ...ep.spec,
          openai: { ...ep.spec.openai, api_key_env: "TOOLTRIAL_NO_SUCH_KEY" },
        }),
      /TOOLTRIAL_NO_SUCH_KEY \(api_key_env\) is not set/,
    );
  } finally {
    await ep.close();
  }
});
