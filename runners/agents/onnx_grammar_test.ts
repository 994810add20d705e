import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import { loadSuite } from "../../spec/mod.ts";
import { runCli } from "../../testdata/cli.ts";
import { runSuite } from "../run.ts";
import { declarativeEnv } from "../../tools/mod.ts";
import { createRng } from "../rng.ts";
import { ONNX_DEFAULTS, openOnnxAgent } from "./onnx.ts";
import { tokenVocab, ToolCallMask } from "../../onnx/runtime/token_mask.ts";
import { parseToolCalls } from "../../onnx/runtime/tool_calls.ts";

const root = Deno.makeTempDirSync({ prefix: "tooltrial-grammar-" });
globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));

/** A suite running the random-weight tiny model on two built-in envs, with or without the grammar. */
async function suite(grammar: boolean | undefined): Promise<string> {
  const dir = await Deno.makeTempDir({ dir: root });
  const file = `${dir}/suite.yaml`;
  const cwd = Deno.cwd();
  await Deno.writeTextFile(
    file,
    `tooltrial: 1
suite: grammar
envs: [${cwd}/envs/library, ${cwd}/testdata/good/mini.yaml]
variants:
  renamed: [ { rename_tools: { level: medium } } ]
agents:
  tiny: { onnx: ${cwd}/models/tiny-random, device: [cpu], max_new_tokens: 96, temperature: 3${
      grammar === undefined ? "" : `, grammar: ${grammar}`
    } }
protocols:
  trial: { trial_budget: 3, max_turns: 4 }
tasks_per_env: 3
samples: 4
`,
  );
  return file;
}

interface Logged {
  type: string;
  episode?: string;
  variant?: string;
  call?: { name: string; arguments: unknown };
  observation?: { error?: { kind: string } };
}

async function bench(file: string) {
  const out = `${file}.run`;
  const r = await runCli("bench", file, "--out", out, "--quiet");
  assert.equal(r.code, 0, r.err);
  const lines = (await Deno.readTextFile(`${out}/episodes.jsonl`)).trim().split("\n");
  const events = lines.map((l) => JSON.parse(l) as Logged);
  const report = JSON.parse(await Deno.readTextFile(`${out}/report.json`));
  return { events, report };
}

/** The keywords the grammar does not enforce (ranges, patterns, formats, sizes). */
function structural(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(structural);
  if (!schema || typeof schema !== "object") return schema;
  const drop = new Set([
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "pattern",
    "format",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
  ]);
  return Object.fromEntries(
    Object.entries(schema).filter(([k]) => !drop.has(k)).map(([k, v]) => [
      k,
      k === "properties"
        ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, structural(s)]))
        : structural(v),
    ]),
  );
}

Deno.test("grammar: through bench, every tool call of the random model parses and fits an offered tool", async () => {
  const file = await suite(true);
  const tools = new Map(
    (await loadSuite(file)).envs.flatMap((e) => e.tools.map((t) => [t.name, t.parameters])),
  );
  const { events, report } = await bench(file);
  const agent = report.provenance.agents.find((a: { name: string }) => a.name === "tiny");
  assert.equal(agent.onnx.grammar, true, "recorded in the report's provenance");
  assert.match(
    await Deno.readTextFile(`${file}.run/report.md`),
    /model agent tiny: .*, grammar-constrained tool calls/,
  );
  const variant = new Map<string, string>();
  const ajv = new Ajv2020({ strict: false });
  let calls = 0, clean = 0;
  for (const e of events) {
    if (e.type === "episode") variant.set(e.episode!, e.variant!);
    if (e.type !== "tool") continue;
    calls++;
    const kind = e.observation?.error?.kind;
    assert.ok(kind !== "invalid_json" && kind !== "unknown_tool", JSON.stringify(e));
    if (variant.get(e.episode!) !== "clean") continue;
    clean++;
    const schema = structural(tools.get(e.call!.name)) as Record<string, unknown>;
    assert.ok(
      ajv.validate(schema, e.call!.arguments),
      `${JSON.stringify(e.call)}: ${ajv.errorsText()}`,
    );
  }
  // Random weights rarely open a call (2 in these 40 seeded episodes); the test below opens them.
  assert.ok(calls >= 2 && clean >= 1, `the random model made ${calls} calls (${clean} clean)`);
});

Deno.test("grammar: the random model's continuations of an opened call are all valid calls, batched or not", async () => {
  const agent = await openOnnxAgent("tiny", {
    ...ONNX_DEFAULTS,
    path: "models/tiny-random",
    device: ["cpu"],
    batch: 12,
  });
  try {
    const { model, decoder } = agent;
    const suite = await loadSuite("testdata/good/suite.yaml");
    const env = declarativeEnv(suite.envs[0]);
    const json = JSON.parse(await Deno.readTextFile("models/tiny-random/tokenizer.json"));
    const mask = new ToolCallMask(
      tokenVocab(json, { size: model.vocabSize, eos: model.eos }),
      env.tools,
    );
    const ajv = new Ajv2020({ strict: false });
    const open = model.tokenizer.encode("<tool_call>", { add_special_tokens: false }).ids;
    const generate = (seed: number) => {
      const task = suite.envs[0].tasks[seed % suite.envs[0].tasks.length];
      const prompt = model.template.render([{ role: "user", content: task.query }], env.tools);
      return decoder.generate({
        ids: [...model.tokenizer.encode(prompt, { add_special_tokens: false }).ids, ...open],
        sampling: { temperature: seed % 2 === 0 ? 0 : 1.5, top_k: 0, top_p: 1 },
        rng: createRng(seed),
        maxNewTokens: 64,
        eos: new Set(model.eos),
        mask: mask.constrain(64, { opened: true }),
      });
    };
    const seeds = Array.from({ length: 12 }, (_, i) => i);
    const alone = [];
    for (const seed of seeds) alone.push((await generate(seed)).tokens);
    const together = (await Promise.all(seeds.map(generate))).map((r) => r.tokens);
    assert.ok(decoder.stats.maxRows > 1, "the second pass ran batched");
    assert.deepEqual(together, alone, "each row is masked by its own grammar state");
    for (const tokens of alone) {
      const reply = "<tool_call>" + model.tokenizer.decode(tokens, { skip_special_tokens: true });
      const call = parseToolCalls(reply, "t").tool_calls?.[0].function;
      const tool = env.tools.find((t) => t.name === call?.name);
      assert.ok(tool, `not a call to an offered tool: ${reply}`);
      const args = JSON.parse(call!.arguments);
      assert.ok(
        ajv.validate(structural(tool.parameters) as object, args),
        `${reply}: ${ajv.errorsText()}`,
      );
    }
    assert.equal(mask.stats.deadEnds, 0);
  } finally {
    await agent.close();
  }
});

Deno.test("grammar: results do not depend on batch composition; a bad grammar value is a located error", async () => {
  const file = await suite(true);
  const spec = await loadSuite(file);
  const batched = {
    ...spec,
    agents: spec.agents.map((a) =>
      a.kind === "onnx" ? { ...a, onnx: { ...a.onnx, batch: 16 } } : a
    ),
  };
  const strip = (rs: Awaited<ReturnType<typeof runSuite>>) =>
    rs.map((r) => [r.id, r.answer, r.metrics.tokens, r.metrics.trial_calls]);
  const one = strip(await runSuite(batched, { concurrency: 1, variants: ["clean"] }));
  const many = strip(await runSuite(batched, { concurrency: 12, variants: ["clean"] }));
  assert.deepEqual(many, one);
  const bad = (await Deno.readTextFile(file)).replace("grammar: true", "grammar: yes");
  await Deno.writeTextFile(file, bad);
  const r = await runCli("validate", file);
  assert.equal(r.code, 2);
  assert.match(r.err, /suite\.yaml:\d+:\d+ at \/agents\/tiny\/grammar: /);
});
