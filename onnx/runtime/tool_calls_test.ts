import assert from "node:assert/strict";
import fc from "fast-check";
import { compileTemplate, HERMES_TEMPLATE } from "./chat_template.ts";
import { parseToolCalls } from "./tool_calls.ts";

Deno.test("tool calls: several blocks per turn, text around them is the content", () => {
  const m = parseToolCalls(
    'Let me look.\n<tool_call>\n{"name": "search", "arguments": {"q": "dune"}}\n</tool_call>\n' +
      '<tool_call>{"name": "get", "arguments": {"id": 3}}</tool_call>',
    "t0",
  );
  assert.equal(m.content, "Let me look.");
  assert.deepEqual(m.tool_calls?.map((c) => [c.id, c.function.name, c.function.arguments]), [
    ["t0_0", "search", '{"q": "dune"}'],
    ["t0_1", "get", '{"id": 3}'],
  ]);
});

Deno.test("tool calls: a reply without blocks is a plain message (the answer or the trial notes)", () => {
  assert.deepEqual(parseToolCalls("  It was 1965.  ", "t"), {
    role: "assistant",
    content: "It was 1965.",
  });
});

Deno.test("tool calls: malformed or cut-off blocks become unreadable calls, not exceptions", () => {
  const m = parseToolCalls(
    '<tool_call>{"name": "f", "arguments": {"x": </tool_call><tool_call>{"arguments": {}}</tool_call>' +
      '<tool_call>["f"]</tool_call><tool_call>{"name": "g", "arguments": {"y": 1}',
    "t",
  );
  const calls = m.tool_calls!.map((c) => c.function);
  assert.equal(calls.length, 4);
  assert.ok(calls.every((c) => c.name === ""), JSON.stringify(calls));
  assert.match(calls[3].arguments, /cut off/);
});

Deno.test("tool calls: `parameters` and string arguments are read too", () => {
  const m = parseToolCalls(
    '<tool_call>{"name": "f", "parameters": {"a": 1}}</tool_call><tool_call>{"name": "g", "arguments": "{\\"b\\": 2}"}</tool_call>',
    "t",
  );
  assert.deepEqual(m.tool_calls!.map((c) => JSON.parse(c.function.arguments)), [{ a: 1 }, {
    b: 2,
  }]);
});

const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/);
const args = fc.dictionary(
  name,
  fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)),
  { maxKeys: 4 },
);

Deno.test("tool calls: what the chat template renders parses back to the same calls (property)", () => {
  const t = compileTemplate(HERMES_TEMPLATE);
  fc.assert(
    fc.property(fc.array(fc.tuple(name, args), { minLength: 1, maxLength: 3 }), (calls) => {
      const rendered = t.render(
        [{ role: "user", content: "u" }, {
          role: "assistant",
          content: null,
          tool_calls: calls.map(([n, a], i) => ({
            id: `c${i}`,
            type: "function" as const,
            function: { name: n, arguments: JSON.stringify(a) },
          })),
        }],
        [],
        { addGenerationPrompt: false },
      );
      const reply = rendered.slice(
        rendered.lastIndexOf("<|im_start|>assistant\n") + 22,
        rendered.lastIndexOf("<|im_end|>"),
      );
      const back = parseToolCalls(reply, "c");
      assert.deepEqual(
        back.tool_calls!.map((c) => [c.function.name, JSON.parse(c.function.arguments)]),
        JSON.parse(JSON.stringify(calls)),
      );
    }),
    { seed: 4 },
  );
});
