import assert from "node:assert/strict";
import { loadEnv } from "../../spec/mod.ts";
import { declarativeEnv } from "../../tools/mod.ts";
import { chatServer } from "../../testdata/chat_server.ts";
import { runEpisode } from "../episode.ts";
import { anthropicAgent, anthropicWire, toAnthropicMessages } from "./anthropic.ts";

Deno.test("anthropic: messages become alternating turns with tool_use and tool_result blocks", () => {
  const { system, messages } = toAnthropicMessages([
    { role: "system", content: "Be brief." },
    { role: "user", content: "Stock of w1?" },
    {
      role: "assistant",
      content: null,
      tool_calls: [{
        id: "t1",
        type: "function",
        function: { name: "get_item", arguments: '{"id":"w1"}' },
      }],
    },
    { role: "tool", tool_call_id: "t1", name: "get_item", content: '{"stock": 4}' },
    { role: "user", content: "Now the execution phase." },
  ]);
  assert.equal(system, "Be brief.");
  assert.deepEqual(messages.map((m) => m.role), ["user", "assistant", "user"]);
  assert.deepEqual(messages[1].content, [
    { type: "tool_use", id: "t1", name: "get_item", input: { id: "w1" } },
  ]);
  // The tool result and the next user message share one user turn.
  assert.deepEqual(messages[2].content.map((b) => b.type), ["tool_result", "text"]);
});

Deno.test("anthropic: replies with text and tool_use blocks, or none, are read without throwing", () => {
  const turn = anthropicWire.read({
    content: [{ type: "text", text: "Let me look." }, {
      type: "tool_use",
      id: "toolu_1",
      name: "get_item",
      input: { id: "w1" },
    }],
    usage: { input_tokens: 11, output_tokens: 3 },
  });
  assert.equal(turn.content, "Let me look.");
  assert.equal(turn.tool_calls?.[0].function.arguments, '{"id":"w1"}');
  assert.deepEqual(turn.usage, { prompt_tokens: 11, completion_tokens: 3 });
  const bad = anthropicWire.read({ type: "error" });
  assert.equal(bad.tool_calls?.[0].function.name, "");
});

Deno.test("anthropic: an episode through a Messages API server, tools as input_schema", async () => {
  const srv = chatServer();
  const mini = await loadEnv("testdata/good/mini.yaml");
  try {
    const rec = await runEpisode(declarativeEnv(mini), mini.tasks[0], {
      agent: anthropicAgent({
        name: "claude",
        kind: "anthropic",
        options: {},
        anthropic: {
          base_url: srv.url,
          model: "stand-in",
          temperature: 0,
          max_tokens: 64,
          timeout_s: 5,
          retries: 0,
          concurrency: 1,
          cache: false,
        },
      }),
      protocol: { name: "direct", kind: "direct", trialBudget: 0, maxTurns: 4 },
      episode: { id: "e", seed: 3, sample: 0 },
    });
    assert.equal(rec.success, true, rec.answer ?? "");
    assert.equal(rec.metrics.tokens, 12);
    const first = srv.requests[0] as unknown as Record<string, unknown>;
    assert.equal(typeof first.system, "string");
    assert.equal(first.max_tokens, 64);
    assert.ok((first.tools as { input_schema?: unknown }[]).every((t) => t.input_schema));
  } finally {
    await srv.close();
  }
});
