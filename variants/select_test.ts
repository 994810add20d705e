import assert from "node:assert/strict";
import { join } from "node:path";
import { loadSuite } from "../spec/mod.ts";
import { SpecError } from "../spec/errors.ts";
import type { State } from "../spec/types.ts";
import { planRun, runSuite } from "../runners/mod.ts";
import { trainingTasks } from "../tasks/mod.ts";
import type { Env } from "../tools/types.ts";
import { applyVariant } from "./apply.ts";
import { variantsFor } from "./select.ts";

const ENV = `tooltrial: 1
env: tiny
tools:
  - name: get_item
    description: Look up an item by its id; see also add_stock.
    parameters:
      type: object
      properties: { item_id: { type: string, description: The item_id to look up } }
      required: [item_id]
      additionalProperties: false
    result: "{'id': $args.item_id}"
tasks:
  - id: t1
    query: Look up item a.
    gold: [{ tool: get_item, args: { item_id: a } }]
    check: { answer: { contains: [a] } }
    answer: a
variants:
  renamed: # replaces the suite's variant of the same name, for this env only
    - rename_tools: { tools: [get_item], style: reverse }
  own:
    - drop_descriptions
`;

async function suiteWith(envText: string, suiteText: string) {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "env.yaml"), envText);
  await Deno.writeTextFile(join(dir, "suite.yaml"), suiteText);
  return join(dir, "suite.yaml");
}

Deno.test("env-file variants replace same-named suite variants there, and add their own", async () => {
  const file = await suiteWith(
    ENV,
    `tooltrial: 1
suite: s
envs: [env.yaml]
agents: { o: { scripted: oracle } }
variants:
  renamed: [{ rename_tools: { level: heavy, style: ids } }]
  typos: [{ rename_params: { level: slight } }]
`,
  );
  const suite = await loadSuite(file);
  const env = suite.envs[0];
  assert.deepEqual(variantsFor(suite, env).map((v) => v.name), [
    "clean",
    "renamed",
    "typos",
    "own",
  ]);
  assert.equal(variantsFor(suite, env)[1].ops[0].options.style, "reverse");
  const recs = await runSuite(suite);
  assert.ok(recs.every((r) => r.success), "the oracle maps through every variant");
  assert.deepEqual([...new Set(planRun(suite).map((p) => p.variant.name))], [
    "clean",
    "renamed",
    "typos",
    "own",
  ]);
});

Deno.test("an env-file variant that needs other environments is a located error in a one-env suite", async () => {
  const file = await suiteWith(
    ENV.replace("    - drop_descriptions", "    - distractor_tools: { count: 2 }"),
    `tooltrial: 1\nsuite: s\nenvs: [env.yaml]\nagents: { o: { scripted: oracle } }\n`,
  );
  try {
    await loadSuite(file);
    assert.fail("loaded");
  } catch (err) {
    assert.ok(err instanceof SpecError);
    assert.match(err.issues[0].message, /distractor_tools borrows tools from other environments/);
    assert.match(`${err.issues[0].file}:${err.issues[0].line}`, /env\.yaml:22$/);
  }
});

Deno.test("variants wrap any Env, not only declarative ones", async () => {
  // A hand-written backend (as a TypeScript handler, MCP server or HTTP API would be).
  const counter: Env = {
    name: "counter",
    tools: [{
      name: "increment_counter",
      description: "Add `by_amount` to the counter.",
      parameters: {
        type: "object",
        properties: { by_amount: { type: "integer" } },
        required: ["by_amount"],
      },
    }],
    initialState: { counter: [{ value: 0 }] },
    step(state, call) {
      const args = call.arguments as { by_amount?: number };
      if (typeof args.by_amount !== "number") {
        return Promise.resolve({
          state,
          observation: {
            ok: false,
            error: { kind: "invalid_arguments", message: "by_amount missing" },
          },
        });
      }
      const value = (state.counter[0].value as number) + args.by_amount;
      const next: State = { counter: [{ value }] };
      return Promise.resolve({ state: next, observation: { ok: true, result: { value } } });
    },
  };
  const env = applyVariant(counter, {
    name: "v",
    ops: [
      { op: "rename_tools", options: { style: "reverse" } },
      { op: "rename_params", options: { style: "reverse" } },
      { op: "output_format", options: { format: "text" } },
    ],
  }, { seed: 0 });
  assert.equal(env.tools[0].name, "retnuoc_tnemercni");
  assert.match(env.tools[0].description, /`tnuoma_yb`/);
  const call = env.toVisible({ tool: "increment_counter", args: { by_amount: 2 } });
  const r = await env.step(env.initialState, { id: "1", name: call.tool, arguments: call.args });
  assert.deepEqual(r.observation, { ok: true, result: "value: 2" });
  assert.deepEqual(r.state, { counter: [{ value: 2 }] });
  assert.deepEqual(r.canonical, { tool: "increment_counter", args: { by_amount: 2 } });
});

Deno.test("training may use seen tasks only: held-out envs and tool families are excluded", async () => {
  const suite = await loadSuite("suite.yaml");
  const train = trainingTasks(suite);
  assert.ok(train.length > 0);
  assert.ok(train.every(({ env }) => env.name !== "shop"));
  assert.ok(train.every(({ task }) => task.split === "seen"));
  assert.ok(
    train.every(({ task }) => task.gold.every((c) => !/_hold$|_attendee$/.test(c.tool))),
    "no held-out tool family",
  );
});
