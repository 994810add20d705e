import assert from "node:assert/strict";
import { loadEnv } from "./load_env.ts";
import { loadAny, loadSuite } from "./load_suite.ts";
import { SpecError } from "./errors.ts";

async function issuesOf(path: string) {
  try {
    await loadAny(path);
  } catch (err) {
    assert.ok(err instanceof SpecError, `expected SpecError, got ${err}`);
    return err.issues;
  }
  assert.fail(`${path} loaded without errors`);
}

// Each bad fixture: the message it must give and exactly where.
const cases: [string, RegExp, string, string][] = [
  ["yaml_syntax.yaml", /YAML syntax error: Missing closing "quote/, "yaml:7:1", "never closed"],
  ["yaml_alias.yaml", /alias \*nope names no anchor set before it/, "yaml:2:6", "define &nope"],
  ["yaml_bomb.yaml", /aliases expand past the limit \(1000 expansions\)/, "yaml:5:10", "write"],
  ["yaml_deep.yaml", /nested too deeply \(limit 64 levels/, "yaml:3:72", "flatten"],
  ["unknown_key.yaml", /unknown key "descripton"/, "yaml:5:5", 'did you mean "description"?'],
  ["bad_expr.yaml", /bad JSONata expression/, "yaml:7:13", "near character"],
  ["missing_file.yaml", /data file .*nowhere\.csv not found/, "yaml:4:18", "create it"],
  ["duplicate_tool.yaml", /duplicate tool name "get_item"/, "yaml:7:11", "rename one"],
  ["unknown_tool.yaml", /unknown tool "get_itme"/, "yaml:10:20", 'did you mean "get_item"?'],
  ["wrong_type.yaml", /"unsen" is not one of seen, unseen/, "yaml:10:12", 'did you mean "unseen"?'],
  ["bad_csv.yaml", /unclosed quoted field/, "bad.csv:2:4", "inner quotes doubled"],
  ["unknown_table.yaml", /unknown state table "itemz"/, "yaml:9:15", 'did you mean "items"?'],
  [
    "variant_unknown_op.yaml",
    /unknown key "rename_tool"/,
    "yaml:7:7",
    'did you mean "rename_tools"?',
  ],
  [
    "variant_level.yaml",
    /"sligt" is not one of slight, medium, heavy/,
    "yaml:7:30",
    'did you mean "slight"?',
  ],
  ["variant_rate.yaml", /must be <= 1/, "yaml:7:23", "a number from 0 to 1"],
  [
    "variant_tool.yaml",
    /no tool "get_itme" in environment mini/,
    "yaml:7:28",
    'did you mean "get_item"?',
  ],
  [
    "calls_unknown_function.yaml",
    /answer expects a call to unknown function "math.factorial"/,
    "yaml:10:35",
    'did you mean "math_factorial"?',
  ],
  [
    "calls_unknown_param.yaml",
    /math_factorial has no parameter "numbr"/,
    "yaml:12:39",
    "parameters: number",
  ],
  ["heldout_tool.yaml", /"mini\/nothing_\*" matches no tool/, "yaml:6:11", "library/*_hold"],
  [
    "suite_missing_env.yaml",
    /environment .*nowhere\/env not found/,
    "yaml:3:27",
    "relative to the suite",
  ],
];

for (const [file, message, where, hint] of cases) {
  Deno.test(`bad spec ${file}: located error with a hint`, async () => {
    const issues = await issuesOf(`testdata/bad/${file}`);
    assert.equal(issues.length, 1, JSON.stringify(issues));
    const [i] = issues;
    assert.match(i.message, message);
    assert.ok(
      `${i.file}:${i.line}:${i.col}`.endsWith(where),
      `${i.file}:${i.line}:${i.col} should end with ${where}`,
    );
    assert.ok(i.hint?.includes(hint), `hint ${JSON.stringify(i.hint)} should mention ${hint}`);
  });
}

Deno.test("every issue names a pointer into the document", async () => {
  const issues = await issuesOf("testdata/bad/unknown_tool.yaml");
  assert.equal(issues[0].pointer, "/tasks/0/gold/0/tool");
});

Deno.test("several problems in one file are all reported", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/env.yaml`,
    "tooltrial: 2\nenv: Bad Name\ntools:\n  - name: x\n    description: d\n    parameters: { type: object }\n    result: '$$$('\n",
  );
  const issues = await issuesOf(dir);
  assert.ok(issues.length >= 2, JSON.stringify(issues));
  assert.ok(issues.some((i) => i.pointer === "/tooltrial" && i.message === "must be 1"));
  assert.ok(issues.some((i) => i.pointer === "/env" && i.line === 2));
});

Deno.test("CSV tables convert numbers and booleans, keep quoted cells as strings", async () => {
  const env = await loadEnv("testdata/good/mini.yaml");
  assert.deepEqual(env.state.items[0], {
    id: "w1",
    name: "Red widget, large",
    stock: 4,
    price: 9.5,
  });
  assert.equal(env.state.items[2].id, "007");
  assert.ok(Object.isFrozen(env.state.items[0]), "initial state is frozen");
  assert.equal(env.files.length, 2);
  assert.match(env.sha256, /^[0-9a-f]{64}$/);
});

Deno.test("reference answers default from equals/contains/number checks", async () => {
  const env = await loadEnv("testdata/good/mini.yaml");
  assert.equal(env.tasks[0].answer, "4");
  assert.equal(env.tasks[1].answer, "w2 now has 10 units.");
  assert.equal(env.tasks[1].split, "unseen");
  assert.equal(env.tasks[0].split, "seen");
});

Deno.test("suite defaults: protocols direct + trial(6), 1 sample, seed 0", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/suite.yaml`,
    `tooltrial: 1\nsuite: s\nenvs: [${Deno.cwd()}/testdata/good/mini.yaml]\nagents: { o: { scripted: oracle } }\n`,
  );
  const s = await loadSuite(`${dir}/suite.yaml`);
  assert.deepEqual(s.protocols.map((p) => [p.name, p.kind, p.trialBudget]), [[
    "direct",
    "direct",
    0,
  ], ["trial", "trial", 6]]);
  assert.equal(s.samples, 1);
  assert.deepEqual(s.seeds, [0]);
});

Deno.test("a protocol with another name needs a kind", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/suite.yaml`,
    `tooltrial: 1\nsuite: s\nenvs: [${Deno.cwd()}/testdata/good/mini.yaml]\nagents: { o: { scripted: oracle } }\nprotocols:\n  explore: { trial_budget: 3 }\n`,
  );
  await assert.rejects(() => loadSuite(`${dir}/suite.yaml`), (e: SpecError) => {
    assert.match(e.issues[0].message, /needs a kind/);
    assert.equal(e.issues[0].line, 6);
    return true;
  });
});
