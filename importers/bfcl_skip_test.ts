import assert from "node:assert/strict";
import { join } from "node:path";
import { loadEnv } from "../spec/mod.ts";
import { runCli } from "../testdata/cli.ts";

const DIR = "testdata/bfcl/refusals";

/** A clean entry every fixture is imported beside, so the import has one task to write. */
const GOOD = JSON.stringify({
  id: "simple_python_0",
  question: [[{ role: "user", content: "What is 4!?" }]],
  function: [{
    name: "math.factorial",
    description: "Calculate the factorial of a given number.",
    parameters: {
      type: "dict",
      properties: { number: { type: "integer", description: "The number." } },
      required: ["number"],
    },
  }],
  ground_truth: [{ "math.factorial": { number: [4] } }],
});

/** Each refusal kind of importers/bfcl.ts: its fixture and the reason `skipped:` must give. */
const REFUSALS: [string, RegExp][] = [
  ["no_id", /:2:\d+: a BFCL entry needs a string "id"/],
  ["question_shape", /at \/question: question must be a list of turns/],
  ["multi_turn", /at \/question: 2 turns: multi-turn BFCL entries are not supported/],
  ["message_shape", /at \/question\/0\/0: a message must be \{role, content\}/],
  ["empty_turn", /at \/question\/0: the question's turn has no messages/],
  ["no_function", /at \/function: entry simple_python_905 has no "function" list/],
  ["function_no_name", /at \/function\/0: a function doc needs a name/],
  ["unknown_type", /properties\/number\/type: unknown BFCL type "HashMap"/],
  [
    "params_not_dict",
    /at \/function\/0\/parameters\/type: math\.factorial's parameters must be of type dict/,
  ],
  [
    "unknown_keyword",
    /properties\/number\/minimun: unknown JSON Schema keyword[\s\S]*did you mean "minimum"/,
  ],
  ["invalid_schema", /at \/function\/0\/parameters: not a valid schema/],
  ["no_answer", /at \/id: no possible answer for simple_python_911/],
  [
    "answer_shape",
    /ground_truth\/0\/math\.factorial\/number: parameter "number" must list its accepted values/,
  ],
  [
    "undefined_function",
    /the answer calls math\.gamma, which entry simple_python_913 does not define/,
  ],
  [
    "undocumented_param",
    /the answer needs parameter "base", which math\.factorial does not document/,
  ],
  ["required_missing", /math\.factorial requires "number", which the answer does not list/],
  [
    "gold_mismatch",
    /no possible answer fits math\.factorial's parameters: \/number must be integer[\s\S]*--bfcl-compat/,
  ],
  [
    "no_functions",
    /at \/function: entry simple_python_918 lists no function, so no call can match its answer/,
  ],
  [
    "gold_fails_check",
    /the gold call fails the bfcl check \(value_error:dict_value: [^)]*\), so no call of this form passes/,
  ],
  [
    "no_sample_call",
    /at \/function: no sample call fits orders\.get's parameters, so the oracle has no call to make/,
  ],
  [
    "answer_record",
    /answers\.json:1:\d+: a possible-answer record needs "id" and "ground_truth"[\s\S]*no possible answer for simple_python_917/,
  ],
];

/** `import bfcl --skip-bad` on GOOD plus the fixture's entries (and its answers file, if any). */
async function importSkipping(kinds: string[]) {
  const dir = await Deno.makeTempDir();
  const q = join(dir, "BFCL_v4_refusals.json");
  const texts = await Promise.all(kinds.map((k) => Deno.readTextFile(join(DIR, `${k}.json`))));
  await Deno.writeTextFile(q, [GOOD, ...texts.map((t) => t.trim())].join("\n") + "\n");
  const args = ["import", "bfcl", q, "--skip-bad", "--out", join(dir, "env")];
  const answers = kinds.map((k) => join(DIR, `${k}.answers.json`)).filter((f) => {
    try {
      return Deno.statSync(f).isFile;
    } catch {
      return false;
    }
  });
  assert.ok(answers.length <= 1, "one answers file at most");
  if (answers.length) args.push("--answers", answers[0]);
  return { dir, out: join(dir, "env"), r: await runCli(...args) };
}

Deno.test("import bfcl --skip-bad: every refusal kind skips its entry with the reason, the env loads", async () => {
  assert.deepEqual(
    [...Deno.readDirSync(DIR)].map((e) => e.name.replace(/(\.answers)?\.json$/, ""))
      .filter((n) => n !== "README.md").sort(),
    [...REFUSALS.map(([k]) => k), "answer_record"].sort(),
    "a fixture per kind and a kind per fixture",
  );
  for (const [kind, reason] of REFUSALS) {
    const { out, r } = await importSkipping([kind]);
    assert.equal(r.code, 0, `${kind}: ${r.err}`);
    assert.match(r.err, /^skipped: /m, kind);
    assert.match(r.err, reason, kind);
    assert.match(r.out, /1 tool, 1 task|1 tools, 1 task;/, `${kind}: ${r.out}`);
    const v = await runCli("validate", out);
    assert.equal(v.code, 0, `${kind}: ${v.out}${v.err}`);
    const env = await loadEnv(out);
    assert.deepEqual(env.tasks.map((t) => t.id), ["simple_python_0"], kind);
    // A skipped entry leaves none of its own tools behind.
    assert.deepEqual(env.tools.map((t) => t.name), ["math_factorial"], kind);
  }
});

Deno.test("import bfcl --skip-bad: all refusals at once, the oracle solves what is left", async () => {
  const { dir, out, r } = await importSkipping(REFUSALS.map(([k]) => k));
  assert.equal(r.code, 0, r.err);
  for (const [kind, reason] of REFUSALS) assert.match(r.err, reason, kind);
  assert.match(r.out, /1 tools?, 1 task;/);
  const bench = await runCli("bench", join(out, "suite.yaml"), "--out", join(dir, "run"));
  assert.equal(bench.code, 0, bench.err);
  const report = JSON.parse(await Deno.readTextFile(join(dir, "run", "report.json")));
  const oracle = report.overall.find((o: { agent: string }) => o.agent === "oracle");
  assert.equal(oracle.success_rate, 1, JSON.stringify(oracle));
  assert.equal(oracle.episodes, 1);
});

Deno.test("import bfcl --skip-bad: when every entry is refused, exit 2 and nothing written", async () => {
  const dir = await Deno.makeTempDir();
  const q = join(dir, "q.json");
  await Deno.copyFile(join(DIR, "no_answer.json"), q);
  const r = await runCli("import", "bfcl", q, "--skip-bad", "--out", join(dir, "env"));
  assert.equal(r.code, 2, r.out);
  assert.match(r.err, /no possible answer for simple_python_911[\s\S]*every entry was skipped/);
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["q.json"]);
});
