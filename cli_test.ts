import assert from "node:assert/strict";
import { runCli as cli } from "./testdata/cli.ts";
import { assertValidReport } from "./reports/mod.ts";

Deno.test("cli: --help on every command", async () => {
  for (const args of [["--help"], ["bench", "--help"], ["validate", "-h"], ["list", "--help"]]) {
    const r = await cli(...args);
    assert.equal(r.code, 0, args.join(" "));
    assert.match(r.out, /Usage: tooltrial/);
  }
});

Deno.test("cli: validate exits 0 on good specs and 2 on bad ones, with located errors", async () => {
  const good = await cli("validate", "testdata/good/mini.yaml", "testdata/good/suite.yaml");
  assert.equal(good.code, 0);
  assert.match(
    good.out,
    /ok {2}testdata\/good\/mini\.yaml {2}\(env "mini": 2 tools, 2 tasks; 16 task replays\)/,
  );
  const bad = await cli("validate", "testdata/good/mini.yaml", "testdata/bad/unknown_key.yaml");
  assert.equal(bad.code, 2);
  assert.match(
    bad.err,
    /testdata\/bad\/unknown_key\.yaml:5:5 at \/tools\/0\/descripton: unknown key "descripton"/,
  );
  assert.match(bad.err, /1 of 2 files invalid/);
});

Deno.test("cli: bad flags, commands and paths exit 2 with a clear message", async () => {
  const cases: [string[], RegExp][] = [
    [["bench", "testdata/good/suite.yaml", "--agents", "oracel"], /did you mean "oracle"/],
    [["bench", "testdata/good/suite.yaml", "--samples", "0"], /--samples must be an integer ≥ 1/],
    [["bench", "--bogus"], /Unknown option '--bogus'/],
    [["bnech"], /did you mean "bench"/],
    [["bench", "nowhere.yaml"], /nowhere\.yaml:1:1: suite nowhere\.yaml: not found/],
    [["validate"], /needs at least one file/],
  ];
  for (const [args, msg] of cases) {
    const r = await cli(...args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.err, msg);
  }
});

Deno.test("cli: bench writes episodes, a schema-valid report and Markdown", async () => {
  const out = await Deno.makeTempDir();
  const r = await cli("bench", "testdata/good/suite.yaml", "--out", out, "--concurrency", "3");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\| oracle \| direct \| 100\.0% \|/);
  const report = JSON.parse(await Deno.readTextFile(`${out}/report.json`));
  assertValidReport(report);
  assert.equal(report.episodes.length, 3 * 2 * 3 * 2 * 2 * 2);
  assert.deepEqual(report.provenance.seeds, [0, 1]);
  assert.equal(report.provenance.specs.length, 2);
  const lines = (await Deno.readTextFile(`${out}/episodes.jsonl`)).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  assert.equal(lines.filter((e) => e.type === "result").length, report.episodes.length);
  assert.ok(lines.every((e) => e.v === 1));
  // Each variant's mapping is logged once per (env, variant, seed), before its first episode.
  const variants = lines.filter((e) => e.type === "variant");
  assert.deepEqual(variants.map((v) => `${v.variant}/${v.seed}`), [
    "clean/0",
    "clean/1",
    "renamed/0",
    "renamed/1",
    "v2/0",
    "v2/1",
  ]);
  const renamed = variants.find((v) => v.variant === "renamed");
  assert.ok(renamed.tools.some((t: { name: string }) => t.name === "meti_teg"));
  assert.ok(
    lines.findIndex((e) => e.type === "variant" && e.variant === "renamed") <
      lines.findIndex((e) => e.type === "episode" && e.variant === "renamed"),
  );
  assert.match(await Deno.readTextFile(`${out}/report.md`), /^# tooltrial report: mini/);
});

Deno.test("cli: bad variant options are located errors, exit 2, nothing run", async () => {
  const cases: [string, RegExp][] = [
    [
      "variant_unknown_op.yaml",
      /variant_unknown_op\.yaml:7:7 .*unknown key "rename_tool"[\s\S]*did you mean "rename_tools"/,
    ],
    [
      "variant_level.yaml",
      /variant_level\.yaml:7:30 .*"sligt" is not one of slight, medium, heavy/,
    ],
    ["variant_rate.yaml", /variant_rate\.yaml:7:23 .*faults\/rate: must be <= 1/],
  ];
  for (const [file, msg] of cases) {
    const out = await Deno.makeTempDir();
    const r = await cli("bench", `testdata/bad/${file}`, "--out", out);
    assert.equal(r.code, 2, file);
    assert.match(r.err, msg);
    assert.match(r.err, /nothing was run/);
    assert.deepEqual([...Deno.readDirSync(out)], [], "nothing written");
  }
  const sel = await cli("bench", "testdata/good/suite.yaml", "--variants", "renamd");
  assert.equal(sel.code, 2);
  assert.match(sel.err, /--variants: "renamd" is not in the suite \(did you mean "renamed"\?\)/);
  const split = await cli("bench", "testdata/good/suite.yaml", "--splits", "unseen");
  assert.equal(split.code, 2);
  assert.match(
    split.err,
    /--splits: "unseen" is not a split.*known: seen, unseen_task, unseen_tool, unseen_env/,
  );
});

Deno.test("cli: a bad spec writes nothing and says nothing was run", async () => {
  const out = await Deno.makeTempDir();
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/suite.yaml`,
    `tooltrial: 1\nsuite: s\nenvs: [${Deno.cwd()}/testdata/bad/bad_expr.yaml]\nagents: { o: { scripted: oracle } }\n`,
  );
  const r = await cli("bench", `${dir}/suite.yaml`, "--out", out);
  assert.equal(r.code, 2);
  assert.match(r.err, /bad_expr\.yaml:7:13/);
  assert.match(r.err, /nothing was run/);
  assert.deepEqual([...Deno.readDirSync(out)], []);
});

Deno.test("cli: serve refuses to bind beyond loopback without a token", async () => {
  const r = await cli("serve", "testdata/good/suite.yaml", "--host", "0.0.0.0", "--port", "0");
  assert.equal(r.code, 2);
  assert.match(r.err, /binding 0\.0\.0\.0 exposes the server beyond this machine: give --token/);
});
