import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { loadEnv } from "../spec/mod.ts";
import { runCli } from "../testdata/cli.ts";
import { sampleArgs } from "./sample_args.ts";
import { envName, toolName } from "./names.ts";

async function imported(file: string) {
  const out = join(await Deno.makeTempDir(), "env");
  const r = await runCli("import", "openai-tools", file, "--out", out);
  assert.equal(r.code, 0, r.err);
  return { out, r };
}

Deno.test("import openai-tools: OpenAI list → env skeleton that validates, benches, says what to fill", async () => {
  const { out, r } = await imported("testdata/importers/openai_tools.json");
  assert.match(r.out, /3 tools, 1 task/);
  const text = await Deno.readTextFile(join(out, "env.yaml"));
  // The first line points editors at the schema, wherever --out is.
  const [first] = text.split("\n");
  const schema = first.match(/^# yaml-language-server: \$schema=(.+)$/)?.[1];
  assert.ok(schema, first);
  assert.ok((await Deno.stat(resolve(out, schema))).isFile);
  assert.match(
    (await Deno.readTextFile(join(out, "suite.yaml"))).split("\n")[0],
    /^# yaml-language-server: \$schema=.*suite\.json$/,
  );
  assert.match(text, /^# .*\n(#.*\n|\n)*# TODO: each tool's `result` below is a PLACEHOLDER/m);
  assert.match(text, /2fa-send → f_2fa-send/);
  const env = await loadEnv(out);
  assert.deepEqual(env.tools.map((t) => t.name), ["get_weather", "list_alerts", "f_2fa-send"]);
  assert.deepEqual(env.tools[1].parameters, { type: "object", properties: {} });
  assert.equal(env.tools[0].description, "Current weather for a city.");
  assert.deepEqual(env.tasks[0].gold, [
    { tool: "get_weather", args: { city: "example", unit: "celsius" } },
  ]);
  assert.equal((await runCli("validate", out)).code, 0);
  const run = join(out, "run");
  assert.equal((await runCli("bench", join(out, "suite.yaml"), "--out", run, "--quiet")).code, 0);
  const report = JSON.parse(await Deno.readTextFile(join(run, "report.json")));
  const oracle = report.overall.find((o: { agent: string }) => o.agent === "oracle");
  assert.equal(oracle.success_rate, 1);
});

Deno.test("import openai-tools: Anthropic input_schema lists, nested sample arguments", async () => {
  const { out } = await imported("testdata/importers/anthropic_tools.json");
  const env = await loadEnv(out);
  assert.equal(env.name, "anthropic_tools");
  assert.deepEqual(env.tasks[0].gold[0].args, {
    from: "example",
    to: "example",
    passengers: [{ age: 1 }],
  });
  assert.deepEqual(env.tasks[0].check.calls!.answers, [{
    search_flights: { from: ["example"], to: ["example"], passengers: [[{ age: [1] }]] },
  }]);
});

Deno.test("import openai-tools: bad input is located, exit 2, nothing written", async () => {
  const dir = await Deno.makeTempDir();
  const cases: [string, RegExp][] = [
    ["not json at all", /t\.json:1:1: not JSON/],
    ['{"tools": 3}', /t\.json:1:1: expected a list of tool definitions/],
    [
      '[\n  {"type": "function", "function": {"name": "a", "parameters": {"type": "string"}}}\n]',
      /t\.json:2:64 at \/0\/function\/parameters: parameters must be a JSON Schema object of type "object"/,
    ],
    [
      '[{"name": "a", "input_schema": {"type": "object"}},\n {"name": "a", "input_schema": {"type": "object"}}]',
      /t\.json:2:11 at \/1\/name: duplicate tool name "a" \(also \/0\/name\)/,
    ],
    ['[{"description": "no name"}]', /at \/0: tool definition without a name/],
    [
      '[{"name": "a", "input_schema": {"type": "object", "properties": {"x": {"type": "strin"}}}}]',
      /at \/0\/input_schema: invalid JSON Schema/,
    ],
    ["[]", /no tool definitions found/],
  ];
  for (const [text, msg] of cases) {
    await Deno.writeTextFile(join(dir, "t.json"), text);
    const r = await runCli("import", "openai-tools", join(dir, "t.json"), "--out", join(dir, "o"));
    assert.equal(r.code, 2, text);
    assert.match(r.err, msg);
    assert.ok(!(await Deno.stat(join(dir, "o")).then(() => true, () => false)), "nothing written");
  }
});

Deno.test("sampleArgs: required properties only, schema hints first", () => {
  assert.deepEqual(
    sampleArgs({
      type: "object",
      properties: {
        a: { type: "string", minLength: 10 },
        b: { type: "number", exclusiveMinimum: 2.5 },
        c: { anyOf: [{ type: "boolean" }, { type: "null" }] },
        d: { type: "string", default: "x" },
        e: { type: "integer" },
      },
      required: ["a", "b", "c", "d"],
    }),
    { a: "examplexxx", b: 3, c: true, d: "x" },
  );
});

Deno.test("names: API-safe, unique tool names and env names", () => {
  const taken = new Set<string>();
  assert.equal(toolName("a.b", taken), "a_b");
  assert.equal(toolName("a_b", taken), "a_b_2");
  assert.equal(toolName("9lives", taken), "f_9lives");
  assert.equal(toolName("x".repeat(80), taken).length, 60);
  assert.equal(envName("data/BFCL v4 Live.jsonl"), "bfcl-v4-live");
  assert.equal(envName("123.json"), "imported");
});

Deno.test("import openai-tools: an unknown JSON Schema keyword is located in the input; x- extensions pass", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "tools.json");
  const tool = (extra: string) =>
    `[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",\n  "properties": {"city": {"type": "string", ${extra}}}}}}]`;
  await Deno.writeTextFile(file, tool('"minLenght": 1'));
  const bad = await runCli("import", "openai-tools", file, "--out", join(dir, "a"));
  assert.equal(bad.code, 2, bad.err);
  assert.match(
    bad.err,
    /tools\.json:2:\d+ at \/0\/function\/parameters\/properties\/city\/minLenght: unknown JSON Schema keyword "minLenght"[^]*hint: did you mean "minLength"\?/,
  );
  await Deno.writeTextFile(file, tool('"x-order": 1'));
  assert.equal((await runCli("import", "openai-tools", file, "--out", join(dir, "b"))).code, 0);
  await Deno.remove(dir, { recursive: true });
});
