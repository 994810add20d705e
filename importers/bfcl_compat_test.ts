import assert from "node:assert/strict";
import { join } from "node:path";
import { loadSuite } from "../spec/mod.ts";
import { runCli } from "../testdata/cli.ts";

const DIR = "testdata/bfcl/compat";
const Q = join(DIR, "BFCL_v4_live_multiple.json");
const A = join(DIR, "possible_answer.json");

Deno.test("import bfcl: without --bfcl-compat, enum and variable answers are refused, naming the flag", async () => {
  const dir = await Deno.makeTempDir();
  const r = await runCli(
    "import",
    "bfcl",
    Q,
    "--answers",
    A,
    "--skip-bad",
    "--out",
    join(dir, "e"),
  );
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /3 tasks; 2 problems skipped/);
  assert.match(
    r.err,
    /no possible answer fits Media_3_FindMovies's parameters: \/genre must be equal to one of the allowed values/,
  );
  assert.match(
    r.err,
    /no possible answer fits Homes_2_FindHomeByArea's parameters: \/in_unit_laundry must be string[\s\S]*--bfcl-compat/,
  );
});

Deno.test("import bfcl --bfcl-compat: every entry runs, each task offers BFCL's exact names, the oracle solves all", async () => {
  const dir = await Deno.makeTempDir();
  const out = join(dir, "e");
  const r = await runCli("import", "bfcl", Q, "--answers", A, "--bfcl-compat", "--out", out);
  assert.equal(r.code, 0, r.err);
  // Two docs of Music_3_LookupMusic: two envs, and neither renames it.
  assert.match(r.out, /wrote 2 envs under .* \(5 tasks\)/);
  const suite = await loadSuite(join(out, "suite.yaml"));
  const tasks = new Map(suite.envs.flatMap((e) => e.tasks.map((t) => [t.id, { env: e, t }])));
  for (const id of ["live_multiple_902-2-0", "live_multiple_903-2-1"]) {
    const { env, t } = tasks.get(id)!;
    assert.deepEqual(t.tools, ["Music_3_LookupMusic"], id);
    assert.ok(env.tools.some((x) => x.name === "Music_3_LookupMusic"), id);
  }
  assert.notEqual(
    tasks.get("live_multiple_902-2-0")!.env.name,
    tasks.get("live_multiple_903-2-1")!.env.name,
  );
  // BFCL's rules as the tool's: no enum, and the answer's type accepted beside the doc's.
  const homes = tasks.get("live_multiple_901-1-1")!.env.tools.find((x) =>
    x.name === "Homes_2_FindHomeByArea"
  )!;
  const laundry = (homes.parameters.properties as Record<string, Record<string, unknown>>)
    .in_unit_laundry;
  assert.deepEqual(laundry.type, ["string", "boolean"]);
  assert.equal(laundry.enum, undefined);

  const bench = await runCli(
    "bench",
    join(out, "suite.yaml"),
    "--agents",
    "oracle",
    "--out",
    join(dir, "run"),
  );
  assert.equal(bench.code, 0, bench.err);
  const report = JSON.parse(await Deno.readTextFile(join(dir, "run", "report.json")));
  assert.equal(report.overall[0].success_rate, 1);
  assert.equal(report.overall[0].episodes, 5);
  // The report groups the tasks by BFCL category and prints BFCL's table.
  assert.deepEqual(report.bfcl, [{
    agent: "oracle",
    protocol: "direct",
    variant: "clean",
    categories: { live_multiple: { episodes: 5, accuracy: 1 } },
    non_live_simple: null,
    non_live_ast: null,
    live_ast: null,
  }]);
  const md = await Deno.readTextFile(join(dir, "run", "report.md"));
  assert.match(md, /## BFCL categories\n\n\| agent \| protocol \| variant \| live_multiple \|/);
  assert.match(md, /\| oracle \| direct \| clean \| 100\.0% \(5\) \|/);
  // The HTML report holds the same table, cell for cell.
  const html = await Deno.readTextFile(join(dir, "run", "report.html"));
  assert.match(html, /<h3 id="bfcl">BFCL categories<\/h3>/);
  assert.match(
    html,
    /<tr><td>oracle<\/td><td>direct<\/td><td>clean<\/td><td class="n">100\.0% \(5\)<\/td><\/tr>/,
  );
  assert.match(html, /Live AST = the four live categories weighted by entries/);
});

Deno.test("judge a BFCL import: calls under BFCL's exact names pass, and 1 vs 1.0 is judged as BFCL does", async () => {
  const dir = await Deno.makeTempDir();
  const out = join(dir, "e");
  const r = await runCli("import", "bfcl", Q, "--answers", A, "--bfcl-compat", "--out", out);
  assert.equal(r.code, 0, r.err);
  const line = (task: string, name: string, args: string) =>
    JSON.stringify({ task, calls: [{ name, arguments: args }], answer: "done" });
  const calls = (mean: string) =>
    [
      line("live_multiple_902-2-0", "Music_3_LookupMusic", '{"artist": "Taylor Swift"}'),
      line("live_multiple_903-2-1", "Music_3_LookupMusic", '{"artist": "Adele", "year": 2015}'),
      line("live_multiple_904-3-0", "stats_mean", mean),
    ].join("\n") + "\n";
  const floats = join(dir, "floats.jsonl");
  await Deno.writeTextFile(floats, calls('{"values": [1.0, 3.0]}'));
  const ok = await runCli(
    "judge",
    floats,
    "--suite",
    join(out, "suite.yaml"),
    "--out",
    join(dir, "j1"),
  );
  assert.equal(ok.code, 0, ok.out + ok.err);
  assert.match(ok.out, /3 of 3 tasks passed/);
  // BFCL checks a float array's items without its int → float allowance: [1, 3] fails there.
  const ints = join(dir, "ints.jsonl");
  await Deno.writeTextFile(ints, calls('{"values": [1, 3]}'));
  const bad = await runCli(
    "judge",
    ints,
    "--suite",
    join(out, "suite.yaml"),
    "--out",
    join(dir, "j2"),
  );
  assert.equal(bad.code, 1, bad.out + bad.err);
  assert.match(bad.out, /FAIL .*live_multiple_904-3-0: calls: type_error:nested/);
  assert.match(bad.out, /2 of 3 tasks passed/);
});
