// Defaults are written once, in the schemas: for every `default:` of env.json and suite.json, a
// document that leaves the key out loads the same spec as one that writes the default, and one
// that writes another value loads a different spec (the loader reads the key). A default the
// fixtures below do not reach fails the test, so a new one cannot escape it.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import envJson from "./env.json" with { type: "json" };
import suiteJson from "./suite.json" with { type: "json" };
import { loadEnv } from "../load_env.ts";
import { loadSuite } from "../load_suite.ts";
import { checkDefaults, schemaDefaults } from "../../testdata/defaults_walk.ts";

/** An env that reaches every object of env.json holding a defaulted property. */
const ENV = {
  tooltrial: 1,
  env: "dflt",
  sandbox: {},
  http: { base_url: "http://127.0.0.1:9/v1" },
  servers: {
    mem: {
      npm: "@modelcontextprotocol/server-memory@2026.8.31",
      snapshot: { tool: "read_graph", tables: { graph: "$" } },
      allow: {},
    },
  },
  state: { items: [{ id: "w1", stock: 4 }] },
  tools: [{
    name: "get_item",
    description: "Look up an item by its id.",
    parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
    result: "state.items[id = $args.id]",
  }],
  tasks: [
    {
      id: "t1",
      query: "How many units of w1 are in stock?",
      gold: [{ tool: "get_item", args: { id: "w1" } }],
      user: { known_info: { item: "w1" } },
      check: { answer: { number: { value: 4 } } },
    },
    {
      id: "t2",
      query: "Look up w1.",
      gold: [{ tool: "get_item", args: { id: "w1" } }],
      check: { calls: { answers: [{ get_item: { id: ["w1"] } }] } },
    },
  ],
};

/** The three model kinds, written in place as a suite's `user:` agent and `judge:` take them. */
const INLINE: Record<string, Record<string, unknown>> = {
  onnx: { onnx: resolve("models/tiny-random") },
  openai: { openai: { base_url: "http://127.0.0.1:9/v1", model: "m" } },
  anthropic: { anthropic: { model: "m" } },
};

/**
 * A suite that reaches every object of suite.json holding a defaulted property, but for the kinds
 * of an agent written in place (`user: { agent }`, `judge:`): one such entry is one kind, so each
 * kind gets a suite of its own (`inline`).
 */
const suiteDoc = (env: string, inline: keyof typeof INLINE) => ({
  tooltrial: 1,
  suite: "dflt",
  envs: [env],
  heldout: {},
  agents: {
    model: { onnx: resolve("models/tiny-random") },
    gpt: { openai: { base_url: "http://127.0.0.1:9/v1", model: "m" } },
    claude: { anthropic: { model: "m" } },
    oracle: { scripted: "oracle" },
  },
  protocols: { t: { kind: "trial" } },
  user: { agent: INLINE[inline] },
  judge: INLINE[inline],
});

/**
 * Values that differ from a default where the generic rule cannot find a valid one, by the end of
 * the default's schema path.
 */
const ALTERNATIVES: Record<string, unknown> = {
  "properties/threads": 2,
  "properties/batch": 2,
  "properties/anthropic/properties/base_url": "http://127.0.0.1:9/v1",
  "$defs/callsCheck/properties/names": { get_item: "lookup" },
  "$defs/server/properties/env": { HOME: "{{dir}}" },
  "$defs/server/properties/args": ["{{dir}}"],
  "$defs/server/properties/allow/properties/read": ["/tmp"],
  "$defs/server/properties/allow/properties/write": ["/tmp"],
  "$defs/server/properties/allow/properties/env": ["HOME"],
  "$defs/server/properties/snapshot/properties/args": { name: "x" },
  "properties/heldout/properties/envs": ["dflt"],
  "properties/heldout/properties/tools": ["dflt/get_item"],
  "properties/protocols": { direct: {} },
};

Deno.test("defaults: every default of env.json and suite.json is what the loaders apply", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const envFile = join(dir, "env.yaml");
    const suiteFile = join(dir, "suite.yaml");
    const envProblems = await checkDefaults({
      schema: envJson,
      doc: ENV,
      load: async (doc) => {
        await Deno.writeTextFile(envFile, JSON.stringify(doc) /* YAML reads JSON */);
        return await loadEnv(envFile);
      },
      alternatives: ALTERNATIVES,
    });
    await Deno.writeTextFile(envFile, JSON.stringify(ENV));
    const perKind = await Promise.all(
      Object.keys(INLINE).map((kind) =>
        checkDefaults({
          schema: suiteJson,
          doc: suiteDoc(envFile, kind),
          load: async (doc) => {
            const file = suiteFile.replace(/\.yaml$/, `_${kind}.yaml`);
            await Deno.writeTextFile(file, JSON.stringify(doc) /* YAML reads JSON */);
            return await loadSuite(file);
          },
          alternatives: ALTERNATIVES,
        })
      ),
    );
    // A default no suite reaches is a problem; one that only another kind's suite reaches is not.
    const unreached = (p: string) => p.endsWith("no fixture object reaches it");
    const suiteProblems = [
      ...new Set(perKind.flat().filter((p) => !unreached(p))),
      ...perKind[0].filter((p) => unreached(p) && perKind.every((k) => k.includes(p))),
    ];
    assert.deepEqual([...envProblems, ...suiteProblems], []);
    // The walk found the defaults it checks: a broken walk cannot pass by finding none.
    assert.ok(schemaDefaults(envJson).length >= 15 && schemaDefaults(suiteJson).length >= 20);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
