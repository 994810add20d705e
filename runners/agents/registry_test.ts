// The agent-kind registry's meta-test: every registered kind is checked the way a user meets it —
// a suite entry loaded by the suite loader, a run that opens it and plays an episode, a report
// that records and describes it — so a new kind cannot escape the tests.
import assert from "node:assert/strict";
import { stringify } from "yaml";
import { Ajv2020 } from "ajv/dist/2020.js";
import { AGENT_KINDS, agentKindOf, agentSchemas, SCRIPTED_KINDS } from "../../spec/agent_kinds.ts";
import { suiteFromDoc } from "../../spec/load_suite.ts";
import suiteSchema from "../../spec/schema/suite.json" with { type: "json" };
import { JUDGE_KINDS } from "../../spec/schema/suite.schema.ts";
import type { SuiteSpec } from "../../spec/types.ts";
import { parseYaml } from "../../spec/yaml.ts";
import { runBench } from "../../run/mod.ts";
import { chatServer } from "../../testdata/chat_server.ts";
import { agentKind, agentKinds, agentRecord, recordedKind, scriptedAgents } from "./registry.ts";

/** Where the registry's endpoint examples point; the test serves the local stand-in there. */
const EXAMPLE_URL = "http://127.0.0.1:8000/v1";
const sorted = (xs: Iterable<string>) => [...xs].sort();

Deno.test("registry: its kinds, spec/agent_kinds.ts and spec/schema/suite.json agree", () => {
  const schemas = agentSchemas();
  assert.deepEqual(sorted(Object.keys(agentKinds)), sorted(AGENT_KINDS));
  assert.deepEqual(sorted(Object.keys(schemas)), sorted(AGENT_KINDS), "one schema branch a kind");
  for (const [kind, entry] of Object.entries(agentKinds)) {
    assert.equal(entry.kind, kind);
    assert.equal(entry.schema, schemas[kind], `${kind}: its schema is its branch of suite.json`);
    assert.equal(agentKindOf(entry.example), kind, `${kind}: its example selects it`);
  }
  const scripted = schemas.scripted as { properties: { scripted: { enum: string[] } } };
  assert.deepEqual(sorted(scripted.properties.scripted.enum), sorted(SCRIPTED_KINDS));
  assert.deepEqual(sorted(Object.keys(scriptedAgents)), sorted(SCRIPTED_KINDS));
});

Deno.test("registry: each kind's example fits its schema branch, and only its own", () => {
  const ajv = new Ajv2020({ strict: false });
  for (const [kind, entry] of Object.entries(agentKinds)) {
    for (const other of Object.values(agentKinds)) {
      const fits = ajv.validate(other.schema, entry.example);
      assert.equal(fits, other.kind === kind, `${kind}'s example against ${other.kind}'s schema`);
    }
  }
});

/** A one-episode suite of the mini env with these agents, through the suite loader. */
async function suiteOf(agents: Record<string, unknown>, url = EXAMPLE_URL): Promise<SuiteSpec> {
  const text = stringify({
    tooltrial: 1,
    suite: "registry",
    envs: ["testdata/good/mini.yaml"],
    agents,
    protocols: { direct: { max_turns: 2 } },
    tasks_per_env: 1,
    seeds: [0],
  }).replaceAll(EXAMPLE_URL, url);
  // The suite lives (virtually) at the repository root: the examples' paths are relative to it.
  return await suiteFromDoc(parseYaml(text, "registry_test.yaml"), text);
}

/** Run `suite` into a temporary folder; the report and the log header's provenance. */
async function bench(suite: SuiteSpec) {
  const out = await Deno.makeTempDir({ prefix: "tooltrial-registry-" });
  try {
    const run = await runBench(suite, {
      out,
      concurrency: 1,
      cache: { dir: `${out}/cache`, off: false },
    });
    const log = (await Deno.readTextFile(run.logPath)).split("\n").filter(Boolean)
      .map((l) => JSON.parse(l));
    const html = await Deno.readTextFile(`${out}/report.html`);
    const episodes = log.filter((r) => r.type === "episode");
    return { report: run.report!, header: log[0], episodes, html };
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

for (const entry of Object.values(agentKinds)) {
  Deno.test(`registry: kind ${entry.kind} loads, opens, plays an episode, is recorded and described`, async () => {
    const server = chatServer();
    try {
      const suite = await suiteOf({ a: entry.example }, server.url);
      // (a) a minimal entry of the kind round-trips through the suite loader to its spec.
      const [spec] = suite.agents;
      assert.equal(spec.kind, entry.kind);
      assert.equal(agentKind(spec), entry);
      // (b) it reads in one line.
      const line = entry.describe(spec as never);
      assert.ok(line.trim() !== "" && !line.includes("\n"), `describe: ${JSON.stringify(line)}`);
      // (c) it opens, plays one episode of the mini env, and its record is in the log and report.
      const { report, header, episodes, html } = await bench(suite);
      assert.equal(report.episodes.length, 1);
      assert.equal(episodes.length, 1);
      const record = agentRecord(spec);
      assert.ok(entry.kind in record, `the record holds the kind's key: ${JSON.stringify(record)}`);
      assert.deepEqual(header.provenance.agents, [record], "the log header records the agent");
      assert.deepEqual(report.provenance.agents, [record], "the report records the agent");
      assert.equal(recordedKind(record), entry, "a record tells its kind");
      const recorded = entry.recorded(record, spec.name);
      assert.ok(recorded.text.trim() !== "");
      assert.ok(html.includes(recorded.text), "the HTML report describes the agent");
      if (report.provenance.execution_providers.a !== undefined) {
        // A model agent: where it ran is recorded with the run and with its episode.
        const provider = report.provenance.execution_providers.a;
        assert.equal(episodes[0].provider, provider);
      }
      if (entry.kind === "openai" || entry.kind === "anthropic") {
        assert.ok(server.requests.length > 0, "the endpoint agent asked the stand-in server");
      }
    } finally {
      await server.close();
    }
  });
}

Deno.test("registry: every scripted policy loads, opens and plays an episode", async () => {
  const suite = await suiteOf(Object.fromEntries(SCRIPTED_KINDS.map((k) => [k, { scripted: k }])));
  assert.deepEqual(
    suite.agents.map((a) => agentKind(a).describe(a as never)),
    [...SCRIPTED_KINDS],
  );
  const { report } = await bench(suite);
  assert.deepEqual(sorted(report.episodes.map((e) => e.agent)), sorted(SCRIPTED_KINDS));
  assert.deepEqual(report.provenance.agents.map((a) => a.scripted), [...SCRIPTED_KINDS]);
});

Deno.test("registry: the judge kinds are the chat kinds; each one's example loads as a suite's judge: and is recorded as the agent judge", async () => {
  const judge = (suiteSchema.properties as Record<string, unknown>).judge;
  // The if/then/else chain of the suite's judge: entry, one branch per kind, openai: last.
  const kinds: string[] = [];
  let node = judge as { if?: { required: string[] }; else?: unknown; required?: string[] };
  while (node.if) {
    kinds.push(node.if.required[0]);
    node = node.else as typeof node;
  }
  kinds.push(node.required![0]);
  assert.deepEqual(sorted(kinds), sorted(JUDGE_KINDS));
  for (const kind of JUDGE_KINDS) {
    const text = stringify({
      tooltrial: 1,
      suite: "judged",
      envs: ["testdata/good/mini.yaml"],
      agents: { oracle: { scripted: "oracle" } },
      judge: agentKinds[kind].example,
    });
    const suite = await suiteFromDoc(parseYaml(text, "registry_test.yaml"), text);
    assert.equal(suite.judge?.kind, kind);
    assert.equal(suite.judge?.name, "judge");
    const record = agentRecord(suite.judge!);
    assert.equal(recordedKind(record).kind, kind);
  }
});
