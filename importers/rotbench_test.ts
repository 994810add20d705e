import assert from "node:assert/strict";
import { join } from "node:path";
import { loadSuite } from "../spec/mod.ts";
import type { Call, TaskSpec } from "../spec/types.ts";
import { checkCalls } from "../tasks/mod.ts";
import { runCli } from "../testdata/cli.ts";
import { readJsonRecords } from "./input.ts";
import { rotbenchEnvs } from "./rotbench.ts";

const DIR = "testdata/rotbench";
const LEVELS = ["clean", "slight", "medium", "heavy"] as const;
/** Fixture cases that are RoTBench's own data bugs (position in the fixture file → why). */
const REFUSED: Record<string, [number, RegExp][]> = {
  clean: [
    [5, /the accepted call passes "code", which execute_pycode does not document/],
    [6, /tools 4 and 6 are both named "drivers": no call can tell them apart/],
  ],
  slight: [[6, /the accepted call passes "code", which execute_pycode does not document/]],
  medium: [[6, /tools 4 and 6 are both named "drivers"/]],
  heavy: [[6, /current_weather's parameters are not a valid schema: .*duplicate items/]],
};

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

interface Candidate {
  file: string;
  case: number;
  action: string;
  args: Record<string, unknown>;
  tool_selection: boolean;
  parameter_identification: boolean;
  content_filling: boolean;
}

Deno.test("import rotbench: each fixture file imports, validates, and the oracle solves every kept case", async () => {
  const tmp = await Deno.makeTempDir();
  for (const level of LEVELS) {
    const out = join(tmp, level);
    const r = await runCli(
      "import",
      "rotbench",
      `${DIR}/${level}.json`,
      "--out",
      out,
      "--skip-bad",
    );
    assert.equal(r.code, 0, r.err);
    const kept = 8 - REFUSED[level].length;
    assert.match(r.out, new RegExp(`under ${out} \\(${kept} tasks; `));
    const suite = join(out, "suite.yaml");
    const v = await runCli("validate", suite);
    assert.equal(v.code, 0, v.err);
    assert.match(v.out, new RegExp(`${kept} tasks; ${kept} task replays`));
    const b = await runCli("bench", suite, "--out", join(tmp, `run-${level}`));
    assert.equal(b.code, 0, b.err);
    const report = JSON.parse(await Deno.readTextFile(join(tmp, `run-${level}`, "report.json")));
    const row = (agent: string) => report.overall.find((o: { agent: string }) => o.agent === agent);
    assert.equal(row("oracle").episodes, kept);
    assert.ok(row("oracle").success_rate >= 0.98, `${level}: ${JSON.stringify(row("oracle"))}`);
    assert.deepEqual(row("oracle").first_action, {
      episodes: kept,
      tool_selection: 1,
      parameter_identification: 1,
      content_filling: 1,
    });
    assert.ok(row("random").success_rate <= 0.25, `${level}: random ${row("random").success_rate}`);
  }
});

Deno.test("import rotbench: tasks offer their case's tools under the noisy names it shows", async () => {
  const out = join(await Deno.makeTempDir(), "heavy");
  assert.equal(
    (await runCli("import", "rotbench", `${DIR}/heavy.json`, "--out", out, "--skip-bad")).code,
    0,
  );
  const suite = await loadSuite(join(out, "suite.yaml"));
  const all = suite.envs.flatMap((e) => e.tasks.map((t) => ({ env: e, t })));
  const first = all.find(({ t }) => t.id === "case-000")!;
  // Heavy noise shuffles names: here the NLLB translator is called ask_to_user.
  assert.deepEqual(first.t.tools, ["ask_to_user", "get_translation_baidu", "get_translation_nllb"]);
  assert.match(first.env.tools.find((t) => t.name === "ask_to_user")!.description, /NLLB/);
  assert.deepEqual(first.t.tags, ["rotbench", "heavy", "TG"]);
  assert.equal(first.t.check.calls!.anyOf!.length, 2);
  // The final-answer tool is not offered: it is the final answer.
  assert.ok(all.every(({ t }) => t.tools!.length > 0));
  // One env per set of cases whose names agree; every task's tools are its env's.
  for (const { env, t } of all) {
    for (const name of t.tools!) {
      assert.ok(env.tools.some((x) => x.name === name), `${t.id}: ${name}`);
    }
  }
  // A name tooltrial refuses (a leading digit, from medium's reversed names) gets a valid one.
  const medium = join(await Deno.makeTempDir(), "medium");
  assert.equal(
    (await runCli("import", "rotbench", `${DIR}/medium.json`, "--out", medium, "--skip-bad")).code,
    0,
  );
  const m = await loadSuite(join(medium, "suite.yaml"));
  assert.ok(m.envs.some((e) => e.tools.some((t) => t.name === "f_2v_atadatem_ycnerrucotpyrc_teg")));
});

/** Where a RoTBench action goes in the imported env: a call, or the final answer (finish). */
function attemptOf(row: Candidate, task: TaskSpec, finishName: string): (Call | null)[] {
  if (row.action === finishName) return [];
  const tool = [row.action, `f_${row.action}`].find((n) => task.tools!.includes(n));
  return [tool ? { tool, args: row.args } : null];
}

Deno.test("import rotbench: first-action scores are RoTBench's own on 215 candidates", async () => {
  const rows = (await Deno.readTextFile(`${DIR}/candidates.jsonl`)).trim().split("\n")
    .map((l) => JSON.parse(l) as Candidate);
  assert.equal(rows.length, 215);
  const differs: string[] = [];
  let judged = 0;
  for (const level of LEVELS) {
    const file = `${DIR}/${level}.json`;
    const records = await readJsonRecords(file, { what: "RoTBench data file" });
    const dir = await Deno.makeTempDir();
    const { files } = rotbenchEnvs(records, { file, skipBad: true });
    for (const [rel, text] of Object.entries(files)) {
      await Deno.mkdir(join(dir, rel, ".."), { recursive: true });
      await Deno.writeTextFile(join(dir, rel), text);
    }
    const tasks = new Map(
      (await loadSuite(join(dir, "suite.yaml"))).envs.flatMap((e) => e.tasks.map((t) => [t.id, t])),
    );
    const cases = records[0].value as { conversations: { value: string }[] }[];
    for (const row of rows.filter((r) => r.file === level)) {
      const task = tasks.get(`case-${String(row.case).padStart(3, "0")}`);
      if (!task) {
        assert.ok(REFUSED[level].some(([k]) => k === row.case), `${level} ${row.case}`);
        continue;
      }
      const system = cases[row.case].conversations[0].value;
      const listed = JSON.parse(system.slice(system.indexOf("["), system.lastIndexOf("]") + 1));
      const attempted = attemptOf(row, task, listed.at(-1).name);
      const { stages } = checkCalls([], task.check.calls!, { attempted });
      judged++;
      const theirs = [row.tool_selection, row.parameter_identification, row.content_filling];
      const ours = [
        stages!.tool_selection,
        stages!.parameter_identification,
        stages!.content_filling,
      ];
      if (theirs.join() !== ours.join()) {
        if (Object.keys(row.args).length === 0) {
          assert.deepEqual(theirs, [false, false, false], "evaluate.py scores {} as nothing");
        }
        differs.push(`${level}/${row.case} ${row.action}(${JSON.stringify(row.args)})`);
      }
    }
  }
  assert.equal(judged, 185);
  // On purpose: evaluate.py reads an Action Input of {} as unparsable and scores it 0 on all
  // three, even where a call without arguments is right (testdata/rotbench/README.md). Every
  // difference is of that kind.
  assert.ok(differs.every((d) => d.endsWith("({})")), differs.join("\n"));
  assert.equal(differs.length, 19);
  assert.ok(differs.includes("clean/1 get_random_event({})"), "the right call, scored 0 there");
});

Deno.test("import rotbench: --skip-bad lists each refused case with its located reason", async () => {
  for (const level of LEVELS) {
    const out = join(await Deno.makeTempDir(), level);
    const r = await runCli(
      "import",
      "rotbench",
      `${DIR}/${level}.json`,
      "--out",
      out,
      "--skip-bad",
    );
    assert.equal(r.code, 0, r.err);
    for (const [k, why] of REFUSED[level]) {
      const line = r.err.split("\n").find((l) => l.includes(`case ${k}: `));
      assert.ok(line, `${level} case ${k} listed:\n${r.err}`);
      assert.match(
        line,
        new RegExp(`^skipped: ${DIR}/${level}\\.json:\\d+:\\d+ at /${k}/conversations/`),
      );
      assert.match(line, why);
    }
    const kept = (await loadSuite(join(out, "suite.yaml"))).envs.flatMap((e) => e.tasks);
    assert.ok(kept.every((t) => !REFUSED[level].some(([k]) => t.id === `case-00${k}`)));
  }
});

Deno.test("import rotbench: bad input is a located error, exit 2, and nothing is written", async () => {
  const tmp = await Deno.makeTempDir();
  const out = join(tmp, "out");
  // RoTBench's own data bugs, without --skip-bad.
  const bugs = await runCli("import", "rotbench", `${DIR}/clean.json`, "--out", out);
  assert.equal(bugs.code, 2);
  assert.match(
    bugs.err,
    /clean\.json:\d+:\d+ at \/5\/conversations\/2\/value\/0: case 5: the accepted call passes "code"/,
  );
  assert.match(bugs.err, /hint: a data bug in RoTBench .*--skip-bad/);
  assert.equal(await exists(out), false);
  // Not JSON.
  const broken = join(tmp, "broken.json");
  await Deno.writeTextFile(
    broken,
    '[\n  {"conversations": [\n    {"from": "system",, "value": "x"}\n  ]}\n]\n',
  );
  const syntax = await runCli("import", "rotbench", broken, "--out", out);
  assert.equal(syntax.code, 2);
  assert.match(syntax.err, /broken\.json:3:23: not JSON: Expected double-quoted property name/);
  // A Third_Turn case (earlier turns in the conversation).
  const third = join(tmp, "third.json");
  const [one] = JSON.parse(await Deno.readTextFile(`${DIR}/clean.json`));
  const turns = one.conversations;
  await Deno.writeTextFile(
    third,
    JSON.stringify(
      [{ ...one, conversations: [...turns.slice(0, 2), turns[2], turns[1], turns[2]] }],
      null,
      1,
    ),
  );
  const multi = await runCli("import", "rotbench", third, "--out", out);
  assert.equal(multi.code, 2);
  assert.match(
    multi.err,
    /third\.json:4:\d+ at \/0\/conversations: case 0: a First_Turn case has three turns/,
  );
  assert.equal(await exists(out), false);
  // Flags.
  const limit = await runCli("import", "rotbench", `${DIR}/clean.json`, "--limit", "0");
  assert.equal(limit.code, 2);
  assert.match(limit.err, /--limit must be a whole number above 0, got "0"/);
  const wrongKind = await runCli("import", "bfcl", `${DIR}/clean.json`, "--limit", "3");
  assert.equal(wrongKind.code, 2);
  assert.match(wrongKind.err, /--limit only applies to import rotbench/);
  // An import never writes over an earlier one.
  const again = join(tmp, "again");
  assert.equal(
    (await runCli("import", "rotbench", `${DIR}/slight.json`, "--out", again, "--skip-bad")).code,
    0,
  );
  const twice = await runCli(
    "import",
    "rotbench",
    `${DIR}/slight.json`,
    "--out",
    again,
    "--skip-bad",
  );
  assert.equal(twice.code, 2);
  assert.match(twice.err, /env\.yaml already exists: pick another --out/);
});

Deno.test("import rotbench: --limit N takes the file's first N cases", async () => {
  const out = join(await Deno.makeTempDir(), "heavy");
  const r = await runCli("import", "rotbench", `${DIR}/heavy.json`, "--out", out, "--limit", "3");
  assert.equal(r.code, 0, r.err);
  const tasks = (await loadSuite(join(out, "suite.yaml"))).envs.flatMap((e) =>
    e.tasks.map((t) => t.id)
  );
  assert.deepEqual(tasks.sort(), ["case-000", "case-001", "case-002"]);
});
