import assert from "node:assert/strict";
import { runCli as cli } from "./testdata/cli.ts";

// `validate` proves each task right: one broken task per fixture, each a located error (exit 2).
const cases: [file: string, where: string, message: RegExp][] = [
  [
    "tasks/gold_fails.yaml",
    "18:9 at /tasks/0/gold/0",
    /task s-1: under clean and every variant \(typos, .*noisy\): gold call 1, get_item, fails: tool_error: unknown item w9/,
  ],
  [
    "tasks/state_check.yaml",
    "24:14 at /tasks/0/check/state",
    /state check fails after the gold calls: state check gave false: state\.items\[id = 'w1'\]\.stock is 6 \(wanted = 7\)/,
  ],
  [
    "tasks/answer_regex.yaml",
    "18:24 at /tasks/0/check/answer/regex",
    /answer regex check fails on the reference answer "Yes, 4 are left\.": does not match/,
  ],
  [
    "tasks/ungrounded_number.yaml",
    "20:32 at /tasks/0/check/answer/number",
    /wants the number "4", which appears in no result .*count_color → \{"color":"red","count":3\}/,
  ],
  [
    "tasks/ungrounded_contains.yaml",
    "16:34 at /tasks/0/check/answer/contains",
    /contains "d9", which appears in no result of the gold calls nor in the query/,
  ],
  ["tasks/duplicate_query.yaml", "17:12 at /tasks/1/query", /task s-2: same query as s-1/],
];

// Tool parameters are JSON Schema in ajv's strict mode: an unknown keyword is an error where it is.
cases.push(
  [
    "split_description.yaml",
    "12:64 at /tools/0/parameters/properties/title/case-insensitive",
    /unknown JSON Schema keyword "case-insensitive"[^]*hint: did you mean to quote the description\? a comma inside \{ … \} starts a new key: description: "Part of the title, case-insensitive"/,
  ],
  [
    "schema_keyword.yaml",
    "11:41 at /tools/0/parameters/properties/id/minLenght",
    /unknown JSON Schema keyword "minLenght"[^]*hint: did you mean "minLength"\?/,
  ],
);

for (const [file, where, message] of cases) {
  Deno.test(`validate: ${file} is a located error`, async () => {
    const path = `testdata/bad/${file}`;
    const r = await cli("validate", path);
    assert.equal(r.code, 2, r.out + r.err);
    assert.ok(r.err.includes(`${path}:${where}: `), r.err);
    assert.match(r.err, message);
    assert.match(r.err, /\n {4}hint: /);
    assert.match(r.err, /1 of 1 file invalid/);
  });
}

Deno.test("validate --fast skips the replay: a broken task passes the schema checks", async () => {
  const r = await cli("validate", "--fast", "testdata/bad/tasks/gold_fails.yaml");
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.out,
    /ok {2}testdata\/bad\/tasks\/gold_fails\.yaml {2}\(env "stock": 1 tools, 1 task\)/,
  );
});

Deno.test("validate: a task that declares its answer computed is not asked for grounding", async () => {
  const text = await Deno.readTextFile("testdata/bad/tasks/ungrounded_number.yaml");
  const dir = await Deno.makeTempDir();
  for (const [name, extra] of [["grounded", "grounded: false"], ["compute", "tags: [compute]"]]) {
    const file = `${dir}/${name}.yaml`;
    await Deno.writeTextFile(file, text.replace("    gold:", `    ${extra}\n    gold:`));
    const r = await cli("validate", file);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /8 task replays/);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("validate: the built-in suites and environments replay cleanly; MCP tasks are listed as not replayed", async () => {
  const envs = [...Deno.readDirSync("envs")].filter((e) => e.isDirectory).map((e) =>
    `envs/${e.name}`
  )
    .sort();
  const r = await cli("validate", "suite.yaml", "suites/full.yaml", ...envs);
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.out,
    /ok {2}suites\/full\.yaml {2}\(suite "full": 8 envs, \d+ tasks; \d+ task replays\)/,
  );
  assert.match(r.out, /not replayed: memory: gold calls on an MCP server's tools .*: 7 \(/);
});

Deno.test("validate: expressions that read unknown tables, columns, names or arguments are located errors", async () => {
  const path = "testdata/bad/expr_refs.yaml";
  const r = await cli("validate", "--fast", path);
  assert.equal(r.code, 2, r.out + r.err);
  const expected: [string, string, string][] = [
    [
      "15:15 at /tools/0/errors/0/when",
      "expression reads $args.orderid, which the tool's parameters do not declare",
      'did you mean "order_id"?',
    ],
    [
      "17:15 at /tools/0/errors/1/when",
      'expression reads state.orders.stauts, but no row of orders has a "stauts"',
      'did you mean "status"?',
    ],
    [
      "22:13 at /tools/0/result",
      'expression reads "orders" at the top level, where there is only "state"',
      "a state table is read as state.orders",
    ],
    [
      "30:14 at /tasks/0/check/state",
      'expression reads unknown state table "ordrs"',
      'did you mean "orders"?',
    ],
  ];
  for (const [where, message, hint] of expected) {
    assert.ok(r.err.includes(`${path}:${where}: ${message}\n    hint: ${hint}`), r.err);
  }
  assert.equal(r.err.match(/hint:/g)?.length, expected.length, r.err);
});

Deno.test("validate: a bare value where options belong gets the exact mapping to write", async () => {
  const path = "testdata/bad/variant_shorthand.yaml";
  const r = await cli("validate", path);
  assert.equal(r.code, 2, r.out + r.err);
  for (
    const [where, hint] of [
      ["19:32 at /tasks/0/check/answer/number", "write number: { value: 4 }"],
      ["13:21 at /variants/heavy/0/rename_tools", "write rename_tools: { level: heavy }"],
      ["14:26 at /variants/heavy/1/drop_descriptions", "write drop_descriptions: { rate: 0.5 }"],
    ]
  ) {
    assert.match(
      r.err,
      new RegExp(`${path}:${where}: must be [^\\n]*\\n {4}hint: ${hint.replace(/[{}.]/g, "\\$&")}`),
    );
  }
});

Deno.test("validate: a task that breaks under one variant names that variant only", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/env.yaml`;
  await Deno.copyFile("testdata/good/items.csv", `${dir}/items.csv`);
  // Every call fails under `flaky`, more often than the oracle retries.
  await Deno.writeTextFile(
    file,
    (await Deno.readTextFile("testdata/good/mini.yaml")).replace(
      "tasks:\n",
      "variants:\n  flaky: [{ faults: { rate: 1.0, kinds: [timeout] } }]\ntasks:\n",
    ),
  );
  const r = await cli("validate", file);
  assert.equal(r.code, 2, r.out + r.err);
  assert.match(
    r.err,
    /at \/tasks\/0\/gold\/0: task mini-1: under flaky: gold call 1, get_item, fails: unavailable: The call timed out/,
  );
  assert.doesNotMatch(r.err, /under clean/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("validate without run permission lists handler tasks as not replayed (deno task validate)", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", "cli.ts", "validate", "testdata/handlers"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(
    text,
    /ok {2}testdata\/handlers {2}\(env "wallet": 5 tools, 3 tasks; 0 task replays\)/,
  );
  assert.match(
    text,
    /not replayed: wallet: gold calls on handler tools, whose sandbox needs --allow-run/,
  );
});

Deno.test("validate replays handler tools in their sandbox: a handler that writes an unknown table is located", async () => {
  const r = await cli("validate", "testdata/handlers");
  assert.equal(r.code, 2, r.out + r.err);
  assert.match(
    r.err,
    /testdata\/handlers\/env\.yaml:\d+:\d+ at \/tasks\/2\/gold\/0: task w-broken: under clean and every variant .*: gold call 1, bad_state, fails: tool_crash: bad_state: the handler returned unknown state table "nope"/,
  );
});

Deno.test("bench: an oracle below 100% is a warning naming the cells, exit 1 unless --allow-broken-tasks", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/suite.yaml`,
    `tooltrial: 1\nsuite: broken\nenvs: [${Deno.cwd()}/testdata/bad/tasks/gold_fails.yaml, ${Deno.cwd()}/testdata/good/mini.yaml]\n` +
      "variants: { renamed: [{ rename_tools: { level: medium } }] }\n" +
      "agents: { oracle: { scripted: oracle }, random: { scripted: random } }\n",
  );
  const r = await cli("bench", `${dir}/suite.yaml`, "--out", `${dir}/a`, "--quiet");
  assert.equal(r.code, 1, r.err);
  assert.match(
    r.err,
    /warning: the oracle failed 2 \(task, variant\) cells: .*\n {2}stock\/s-1 under clean \(direct, trial: 2 of 2 failed\)\n {2}stock\/s-1 under renamed \(direct, trial: 2 of 2 failed\)\ntooltrial validate .*suite\.yaml locates the problems; --allow-broken-tasks exits 0 anyway/,
  );
  assert.doesNotMatch(r.err, /mini/); // the random agent fails there, the oracle does not
  // The report marks the oracle's cells and lists them.
  const md = await Deno.readTextFile(`${dir}/a/report.md`);
  assert.match(md, /\| oracle \| direct \| 66\.7% ⚠ \| 66\.7% ⚠ \(±0\.0\) \|/);
  assert.match(
    md,
    /## Broken tasks\n\n[^\n]*2 \(task, variant\) cells[^\n]*\n\n- `stock\/s-1` under `clean` \(direct, trial: 2 of 2 failed\)/,
  );
  assert.doesNotMatch(md, /\| random \|[^\n]*⚠/);
  const html = await Deno.readTextFile(`${dir}/a/report.html`);
  assert.match(html, /⚠ Broken tasks: the oracle failed 2 \(task, variant\) cells/);
  const ok = await cli(
    "bench",
    `${dir}/suite.yaml`,
    "--out",
    `${dir}/b`,
    "--quiet",
    "--allow-broken-tasks",
  );
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.err, /warning: the oracle failed 2/);
  await Deno.remove(dir, { recursive: true });
});
