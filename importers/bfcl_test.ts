import assert from "node:assert/strict";
import { join } from "node:path";
import { loadEnv, loadSuite, SpecError } from "../spec/mod.ts";
import type { Call, TaskSpec } from "../spec/types.ts";
import { declarativeEnv } from "../tools/mod.ts";
import { runEpisode } from "../runners/episode.ts";
import { scriptedAgent } from "../runners/agents/mod.ts";
import { checkCalls } from "../tasks/mod.ts";
import { parseJsonKeepFloats } from "../tasks/calls/py_value.ts";
import { runCli } from "../testdata/cli.ts";
import { bfclEnv } from "./bfcl.ts";
import { readJsonRecords } from "./input.ts";

interface CaseRow {
  id: string;
  case_id: string;
  question: unknown;
  function: unknown[];
  possible_answer: unknown[];
  candidate: Record<string, Record<string, unknown>>[];
  bfcl_valid: boolean;
}

const lines = (await Deno.readTextFile("testdata/bfcl/cases.jsonl")).trim().split("\n");
const rows = lines.map((l) => JSON.parse(l) as CaseRow);
const entries = [...new Map(rows.map((r) => [r.case_id, r])).values()];

/** BFCL's two files for the 40 conformance cases, as BFCL ships them (JSON lines). */
async function bfclFiles(): Promise<{ dir: string; questions: string; answers: string }> {
  const dir = await Deno.makeTempDir();
  const questions = join(dir, "BFCL_v4_sample.json");
  const answers = join(dir, "possible_answer.json");
  await Deno.writeTextFile(
    questions,
    entries.map((r) =>
      JSON.stringify({ id: r.case_id, question: r.question, function: r.function })
    )
      .join("\n") + "\n",
  );
  await Deno.writeTextFile(
    answers,
    entries.map((r) => JSON.stringify({ id: r.case_id, ground_truth: r.possible_answer })).join(
      "\n",
    ) + "\n",
  );
  return { dir, questions, answers };
}

Deno.test("import bfcl: 40 conformance entries → an env that validates and the oracle solves", async () => {
  const f = await bfclFiles();
  const out = join(f.dir, "env");
  const r = await runCli("import", "bfcl", f.questions, "--answers", f.answers, "--out", out);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /40 tasks/);
  // Four function names come with two different docs each: two envs, so that each task offers
  // BFCL's exact names, and each name means one doc within an env.
  const suite = await loadSuite(join(out, "suite.yaml"));
  assert.equal(suite.envs.length, 2);
  const env = {
    tasks: suite.envs.flatMap((e) => e.tasks),
    tools: suite.envs.flatMap((e) => e.tools),
  };
  assert.equal(env.tasks.length, 40);
  assert.ok(env.tools.every((t) => /^[A-Za-z_][A-Za-z0-9_-]*$/.test(t.name)), "API-safe names");
  for (const t of env.tasks) {
    const entry = entries.find((e) => e.case_id === t.id)!;
    const fns = entry.function as { name: string }[];
    const names = Object.fromEntries(Object.entries(t.check.calls!.names).map(([k, v]) => [v, k]));
    assert.deepEqual(
      fns.map((f) => names[f.name] ?? f.name).sort(),
      [...t.tools!].sort(),
      `${t.id} offers BFCL's names, made valid, without suffixes`,
    );
    for (const f of fns) assert.equal(names[f.name] ?? f.name, f.name.replace(/\./g, "_"));
  }
  assert.ok(env.tools.some((t) => t.name === "math_factorial"));
  const fact = env.tasks.find((t) => t.id === "multiple_163")!;
  assert.deepEqual(fact.check.calls!.names, {
    metropolitan_museum_get_top_artworks: "metropolitan_museum.get_top_artworks",
  });
  assert.equal(fact.check.calls!.mode, "bfcl");
  // Each task offers only its own entry's functions, as BFCL does — not the file's union.
  for (const t of env.tasks) {
    const entry = entries.find((e) => e.case_id === t.id)!;
    assert.equal(t.tools?.length, entry.function.length, t.id);
    for (const g of t.gold) assert.ok(t.tools!.includes(g.tool), `${t.id}: ${g.tool}`);
  }
  assert.ok(env.tools.length > Math.max(...env.tasks.map((t) => t.tools!.length)));
  assert.deepEqual(fact.tags, ["bfcl", "multiple"]);
  // Types converted: float → number, dict → object, with BFCL's descriptions kept.
  const db = env.tools.find((t) => t.name === "db_fetch_records")!;
  const props = db.parameters.properties as Record<string, Record<string, unknown>>;
  assert.equal(props.conditions.type, "object");
  assert.equal(db.parameters.additionalProperties, false);

  const bench = await runCli("bench", join(out, "suite.yaml"), "--out", join(f.dir, "run"));
  assert.equal(bench.code, 0, bench.err);
  const report = JSON.parse(await Deno.readTextFile(join(f.dir, "run", "report.json")));
  const oracle = report.overall.find((o: { agent: string }) => o.agent === "oracle");
  assert.equal(oracle.success_rate, 1, JSON.stringify(oracle));
  assert.equal(oracle.episodes, 40);
  const random = report.overall.find((o: { agent: string }) => o.agent === "random");
  assert.ok(random.success_rate < 0.5);
});

const RENAMED_RIGHT = [
  "simple_python_215#2",
  "multiple_189#1",
  "parallel_35#1",
  "parallel_multiple_174#1",
];

Deno.test("import bfcl: the imported checks give BFCL's verdict on the 120 candidates", async () => {
  const f = await bfclFiles();
  const { files } = bfclEnv(
    await readJsonRecords(f.questions, { what: "q" }),
    await readJsonRecords(f.answers, { what: "a", parse: parseJsonKeepFloats }),
    { file: f.questions },
  );
  const tasks = [];
  for (const [rel, text] of Object.entries(files)) {
    if (!rel.endsWith("env.yaml")) continue;
    await Deno.mkdir(join(f.dir, rel, ".."), { recursive: true });
    await Deno.writeTextFile(join(f.dir, rel), text);
    tasks.push(...(await loadEnv(join(f.dir, rel, ".."))).tasks);
  }
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const differs: string[] = [];
  for (const line of lines) {
    const row = parseJsonKeepFloats(line) as CaseRow;
    const task = byId.get(row.case_id)!;
    // An agent calls the tools by their (renamed) tool names.
    const toolOf = new Map(Object.entries(task.check.calls!.names).map(([t, fn]) => [fn, t]));
    const calls: Call[] = row.candidate.map((c) => {
      const [fn] = Object.keys(c);
      return { tool: toolOf.get(fn) ?? fn, args: c[fn] };
    });
    const valid = checkCalls(calls, task.check.calls!).valid;
    if (valid !== row.bfcl_valid) differs.push(row.id);
  }
  // BFCL's wrong-name perturbation writes math.factorial as math_factorial: in the imported env
  // that is the tool's name, so the call is right there.
  assert.deepEqual(differs, RENAMED_RIGHT);
});

Deno.test("import bfcl: inline ground truth, strict mode, irrelevance entries", async () => {
  const dir = await Deno.makeTempDir();
  const q = join(dir, "q.jsonl");
  const fn = {
    name: "geometry.area_circle",
    description: "Area of a circle.",
    parameters: {
      type: "dict",
      properties: {
        radius: { type: "float" },
        units: { type: "string" },
        tags: { type: "tuple", items: { type: "any" } },
      },
      required: ["radius"],
    },
  };
  await Deno.writeTextFile(
    q,
    [
      {
        id: "a_1",
        question: [[{ role: "system", content: "Be brief." }, {
          role: "user",
          content: "Area for r=3?",
        }]],
        function: [fn],
        ground_truth: [{ "geometry.area_circle": { radius: [3.0], units: ["", "cm"] } }],
      },
      {
        id: "irrelevance_1",
        question: [[{ role: "user", content: "Tell me a joke." }]],
        function: [fn],
        ground_truth: [],
      },
    ].map((x) => JSON.stringify(x)).join("\n"),
  );
  const { files } = bfclEnv(await readJsonRecords(q, { what: "q" }), undefined, {
    file: q,
    mode: "strict",
  });
  await Deno.writeTextFile(join(dir, "env.yaml"), files["env.yaml"]);
  await Deno.writeTextFile(join(dir, "suite.yaml"), files["suite.yaml"]);
  const env = await loadEnv(dir);
  assert.deepEqual(env.tools[0].parameters.properties, {
    radius: { type: "number" },
    units: { type: "string" },
    tags: { type: "array", items: {} },
  });
  const [a, irr] = env.tasks;
  assert.equal(a.query, "Be brief.\n\nArea for r=3?");
  assert.equal(a.check.calls!.mode, "strict");
  assert.deepEqual(a.gold, [{ tool: "geometry_area_circle", args: { radius: 3 } }]);
  assert.deepEqual(irr.gold, []);
  const suite = await loadSuite(join(dir, "suite.yaml"));
  for (const task of suite.envs[0].tasks) {
    assert.ok(await oracleSolves(declarativeEnv(env), task), task.id);
  }
});

async function oracleSolves(env: ReturnType<typeof declarativeEnv>, task: TaskSpec) {
  const rec = await runEpisode(env, task, {
    agent: scriptedAgent({ name: "oracle", kind: "scripted", scripted: "oracle", options: {} }),
    protocol: { name: "direct", kind: "direct", trialBudget: 0, maxTurns: 12 },
    episode: { id: "e", seed: 0, sample: 0 },
  });
  return rec.success;
}

/** Import `questions` (and answers), expecting exit 2 and one located message. */
async function badImport(questions: string, answers?: string, ...flags: string[]) {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "q.json"), questions);
  const args = ["import", "bfcl", join(dir, "q.json"), "--out", join(dir, "out"), ...flags];
  if (answers !== undefined) {
    await Deno.writeTextFile(join(dir, "a.json"), answers);
    args.push("--answers", join(dir, "a.json"));
  }
  const r = await runCli(...args);
  assert.equal(r.code, 2, r.out + r.err);
  assert.deepEqual(
    [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
    answers === undefined ? ["q.json"] : ["a.json", "q.json"],
    "nothing written",
  );
  return r.err;
}

const user = (content: string) => [[{ role: "user", content }]];
const doc = (type: string) => ({
  name: "f",
  parameters: { type: "dict", properties: { x: { type } }, required: ["x"] },
});

Deno.test("import bfcl: bad input is a located error, exit 2, nothing written", async () => {
  assert.match(await badImport('{"id": "a",\n  "question": [}\n'), /q\.json:2:16: not JSON/);
  assert.match(
    await badImport(
      JSON.stringify({ id: "a", question: user("hi"), function: [doc("String")] }),
      JSON.stringify({ id: "a", ground_truth: [{ f: { x: ["1"] } }] }),
    ),
    /q\.json:1:\d+ at \/function\/0\/parameters\/properties\/x\/type: unknown BFCL type "String"\n\s+hint: use one of string, integer, float/,
  );
  assert.match(
    await badImport(JSON.stringify({ id: "a", question: user("hi"), function: [doc("integer")] })),
    /q\.json:1:\d+ at \/id: no possible answer for a\n\s+hint: pass --answers/,
  );
  assert.match(
    await badImport(JSON.stringify({ question: user("hi"), function: [] })),
    /a BFCL entry needs a string "id"/,
  );
  assert.match(
    await badImport(
      [
        JSON.stringify({ id: "a", question: user("hi"), function: [doc("integer")] }),
        JSON.stringify({
          id: "b",
          question: [user("1")[0], user("2")[0]],
          function: [doc("integer")],
        }),
      ].join("\n"),
      [
        JSON.stringify({ id: "a", ground_truth: [{ f: { x: [1] } }] }),
        JSON.stringify({ id: "b", ground_truth: [{ f: { x: "1" } }] }),
      ].join("\n"),
    ),
    /q\.json:2:\d+ at \/question: 2 turns: multi-turn BFCL entries are not supported[\s\S]*a\.json:2:\d+ at \/ground_truth\/0\/f\/x: parameter "x" must list its accepted values/,
  );
  assert.match(
    await badImport(
      JSON.stringify({ id: "a", question: user("hi"), function: [doc("integer")] }),
      JSON.stringify({ id: "a", ground_truth: [{ f: { x: ["one"] } }] }),
    ),
    /a\.json:1:\d+ at \/ground_truth\/0: no possible answer fits f's parameters: \/x must be integer/,
  );
  assert.match(
    await badImport(
      JSON.stringify({ id: "a", question: user("hi"), function: [doc("integer")] }),
      JSON.stringify({ id: "a", ground_truth: [{ g: { x: [1] } }] }),
    ),
    /the answer calls g, which entry a does not define/,
  );
});

Deno.test("import bfcl --skip-bad: bad entries are listed and left out", async () => {
  const dir = await Deno.makeTempDir();
  const q = join(dir, "q.jsonl");
  await Deno.writeTextFile(
    q,
    [
      {
        id: "ok_1",
        question: user("x=1"),
        function: [doc("integer")],
        ground_truth: [{ f: { x: [1] } }],
      },
      {
        id: "bad_1",
        question: user("x=?"),
        function: [doc("HashMap")],
        ground_truth: [{ f: { x: [1] } }],
      },
    ].map((x) => JSON.stringify(x)).join("\n"),
  );
  const r = await runCli("import", "bfcl", q, "--skip-bad", "--out", join(dir, "out"));
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /skipped: .*q\.jsonl:2:\d+ .*unknown BFCL type "HashMap"/);
  assert.equal((await loadEnv(join(dir, "out"))).tasks.length, 1);
  // A second import into the same folder is refused.
  const again = await runCli("import", "bfcl", q, "--skip-bad", "--out", join(dir, "out"));
  assert.equal(again.code, 2);
  assert.match(again.err, /already exists/);
});

Deno.test("import: usage errors", async () => {
  for (
    const [args, msg] of [
      [["import"], /import needs a kind: openai-tools or bfcl/],
      [["import", "bfc", "x.json"], /did you mean "bfcl"/],
      [["import", "bfcl"], /takes one input file/],
      [
        ["import", "openai-tools", "x.json", "--answers", "a.json"],
        /--answers only applies to import bfcl/,
      ],
      [["import", "bfcl", "x.json", "--mode", "loose"], /--mode must be bfcl or strict/],
      [
        ["import", "bfcl", "testdata/nowhere.json"],
        /BFCL questions file testdata\/nowhere\.json: not found/,
      ],
    ] as [string[], RegExp][]
  ) {
    const r = await runCli(...args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.err, msg);
  }
  assert.ok(SpecError);
});
