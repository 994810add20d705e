import assert from "node:assert/strict";
import { loadEnv } from "../../spec/load_env.ts";
import { COMPACT_TEMPLATE, compileTemplate, HERMES_TEMPLATE } from "./chat_template.ts";
import type { ToolDef } from "../../tools/types.ts";

const TOOLS: ToolDef[] = [
  {
    name: "convert",
    description: "Convert an amount. Rates are fixed: see the table.",
    parameters: {
      type: "object",
      properties: {
        amount: { type: "number", description: "How much" },
        unit: { enum: ["m", "ft"] },
        items: { type: "array" },
        note: { type: ["string", "null"] },
      },
      required: ["amount", "unit"],
    },
  },
  { name: "ping", description: "", parameters: { type: "object", properties: {} } },
];

Deno.test("compact template: one line per tool with typed parameters and the first sentence", () => {
  const text = compileTemplate(COMPACT_TEMPLATE).render([{ role: "user", content: "hi" }], TOOLS);
  const lines = text.split("\n");
  assert.ok(
    lines.includes(
      'convert(amount: number, unit: "m"|"ft", items?: array, note?: string|null) Convert an amount.',
    ),
    text,
  );
  assert.ok(lines.includes("ping()"), text);
  assert.ok(!text.includes('"properties"'), "no JSON schema in the tool list");
});

Deno.test("compact template: turns, calls and results render exactly as the Hermes template's", () => {
  const msgs = [
    { role: "system" as const, content: "sys" },
    { role: "user" as const, content: "go" },
    {
      role: "assistant" as const,
      content: "",
      tool_calls: [{
        id: "c1",
        type: "function" as const,
        function: { name: "ping", arguments: "{}" },
      }],
    },
    { role: "tool" as const, tool_call_id: "c1", name: "ping", content: "pong" },
  ];
  const compact = compileTemplate(COMPACT_TEMPLATE).render(msgs, TOOLS);
  const hermes = compileTemplate(HERMES_TEMPLATE).render(msgs, TOOLS);
  const after = (s: string) => s.slice(s.indexOf("</tools>"));
  assert.equal(after(compact), after(hermes));
  assert.notEqual(compact, hermes);
});

Deno.test("compact template: a built-in environment's tool list is under a third of the Hermes one", async () => {
  const env = await loadEnv("envs/library/env.yaml");
  const tools = env.tools.map((t) => ({
    name: t.name,
    description: t.description,
    parameters: t.parameters,
  })) as ToolDef[];
  const c = compileTemplate(COMPACT_TEMPLATE).render([], tools).length;
  const h = compileTemplate(HERMES_TEMPLATE).render([], tools).length;
  assert.ok(c * 3 < h, `${c} vs ${h} characters`);
});
