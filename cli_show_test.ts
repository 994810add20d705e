import assert from "node:assert/strict";
import { runCli as cli } from "./testdata/cli.ts";

/** One mini-suite run for every test here: 144 episodes, the random agent failing most. */
const run = await (async () => {
  const dir = await Deno.makeTempDir({ prefix: "tooltrial_show_" });
  const r = await cli("bench", "testdata/good/suite.yaml", "--out", dir, "--quiet");
  assert.equal(r.code, 0, r.err);
  const lines = (await Deno.readTextFile(`${dir}/episodes.jsonl`)).trim().split("\n")
    .map((l) => JSON.parse(l));
  const results = lines.filter((l) => l.type === "result");
  const starts = new Map(lines.filter((l) => l.type === "episode").map((l) => [l.episode, l]));
  const failed = results.filter((r) => !r.success).map((r) => ({ ...starts.get(r.episode), ...r }));
  return { dir, episodes: results.length, failed };
})();

Deno.test("show --failed --agent: each failure's header, turns and the check that failed", async () => {
  const random = run.failed.filter((e) => e.agent === "random");
  assert.ok(random.length > 20, "the random agent fails most episodes");
  const r = await cli("show", run.dir, "--failed", "--agent", "random");
  assert.equal(r.code, 0, r.err);
  const headers = r.out.split("\n").filter((l) => /^[✓✗] /.test(l));
  assert.equal(headers.length, 20, "20 by default");
  assert.ok(
    headers.every((h) => h.startsWith("✗ mini/") && h.includes(" · random · ")),
    headers[0],
  );
  const first = random[0];
  assert.ok(
    headers[0].startsWith(
      `✗ mini/${first.task} · random · ${first.variant} · ${first.protocol} · seed ${first.run_seed}`,
    ),
    headers[0],
  );
  assert.match(
    headers[0],
    / · (contains|equals|regex|number|state|jsonata|calls) check · \d+ calls?/,
  );
  // The transcript: the user's query, the calls made with their arguments, what came back, and
  // the checks with why one failed. Plain text: the output is not a terminal.
  assert.match(r.out, /\n {2}user {5}\S/);
  assert.match(r.out, /\n {2}call {5}\S+ \{/);
  assert.match(r.out, /\n {2}(result|error) {3,4}\S/);
  assert.match(r.out, /\n {2}checks {3}[✓✗] /);
  assert.match(r.out, /\n {11}✗ \w+: |\n {2}checks {3}✗ \w+: /);
  assert.ok(!r.out.includes("\x1b["), "no colour codes when stdout is not a terminal");
  assert.ok(
    r.out.trimEnd().endsWith(
      `20 of ${random.length} matching failed episodes shown (${run.episodes} in the run); ${
        random.length - 20
      } more: --limit N shows N, --limit 0 all, or narrow with --agent, --variant, --task`,
    ),
    r.out.slice(-300),
  );
});

Deno.test("show: filters combine; --limit 0 prints all; --json prints episode records", async () => {
  const all = await cli("show", run.dir, "--failed", "--agent", "random", "--variant", "renamed");
  assert.equal(all.code, 0, all.err);
  const renamed = run.failed.filter((e) => e.agent === "random" && e.variant === "renamed");
  const j = await cli(
    "show",
    run.dir,
    "--failed",
    "--agent",
    "random",
    "--variant",
    "renamed",
    "--limit",
    "0",
    "--json",
  );
  assert.equal(j.code, 0, j.err);
  const records = j.out.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(records.length, renamed.length);
  assert.deepEqual(records.map((x) => x.episode), renamed.map((e) => e.episode));
  const rec = records[0];
  assert.equal(rec.success, false);
  assert.equal(rec.agent, "random");
  assert.match(rec.failure, / check$|^turn limit$/);
  assert.ok(Array.isArray(rec.checks) && rec.checks.some((c: { passed: boolean }) => !c.passed));
  assert.ok(rec.events.some((e: { type: string }) => e.type === "tool"));
  assert.ok(rec.events.every((e: { type: string }) => e.type !== "episode" && e.type !== "result"));
  assert.match(j.err, new RegExp(`^${renamed.length} matching failed episodes`));
  // Successes too without --failed; a filter that matches nothing says so and is not an error.
  const oracle = await cli(
    "show",
    run.dir,
    "--agent",
    "oracle",
    "--task",
    "mini-1",
    "--limit",
    "1",
  );
  assert.equal(oracle.code, 0, oracle.err);
  assert.match(oracle.out, /^✓ mini\/mini-1 · oracle · /);
  const none = await cli("show", `${run.dir}/episodes.jsonl`, "--failed", "--agent", "oracle");
  assert.equal(none.code, 0);
  assert.equal(none.out, "");
  assert.match(none.err, /no failed episodes match, of 144 in /);
});

Deno.test("show: an unknown name is exit 2 listing the run's names; a folder without a log too", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["--agent", "randm"],
      /--agent "randm": no agent of that name in .*episodes\.jsonl \(did you mean "random"\?\); its agents: oracle, explorer, random$/,
    ],
    [
      ["--variant", "shuffled"],
      /--variant "shuffled": no variant .*; its variants: clean, renamed, v2$/,
    ],
    [["--task", "mini-9"], /--task "mini-9": no task .*; its tasks: mini-1, mini-2$/],
    [["--limit", "all"], /--limit must be an integer ≥ 0, got "all"/],
    [["--colour"], /Unknown option '--colour'/],
  ];
  for (const [args, msg] of cases) {
    const r = await cli("show", run.dir, "--failed", ...args);
    assert.equal(r.code, 2, args.join(" "));
    assert.equal(r.out, "", "nothing printed before the names are checked");
    assert.match(r.err, msg);
  }
  const empty = await Deno.makeTempDir();
  const noLog = await cli("show", empty);
  assert.equal(noLog.code, 2);
  assert.match(noLog.err, /has no episodes\.jsonl; give the folder a bench run wrote/);
  const missing = await cli("show", `${empty}/nowhere`);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /nowhere not found: give a run folder/);
  const two = await cli("show");
  assert.equal(two.code, 2);
  assert.match(two.err, /show takes one run folder/);
  const help = await cli("show", "--help");
  assert.equal(help.code, 0);
  assert.match(help.out, /^Usage: tooltrial show RUN/);
});

/** The failure explorer's data in a report.html. */
async function failureBlob(file: string) {
  const html = await Deno.readTextFile(file);
  const m = html.match(/<script type="application\/json" id="fx-data">([\s\S]*?)<\/script>/);
  assert.ok(m, `${file}: no failure data`);
  return {
    html,
    blob: JSON.parse(m[1]) as { run: string; r: number[][]; n: Record<string, string[]> },
  };
}

Deno.test("report.html lists every failed episode of the log, each with its transcript", async () => {
  const { html, blob } = await failureBlob(`${run.dir}/report.html`);
  assert.equal(blob.r.length, run.failed.length);
  assert.ok(blob.r.every((r) => r[10] >= 0), "every failure has its transcript");
  assert.equal(blob.run, run.dir, "each transcript ends with the show command for this folder");
  const names = (col: number, key: string) => blob.r.map((r) => blob.n[key][r[col]]);
  assert.deepEqual(names(2, "a"), run.failed.map((e) => e.agent));
  assert.deepEqual(names(3, "v"), run.failed.map((e) => e.variant));
  assert.deepEqual(names(1, "t"), run.failed.map((e) => e.task));
  for (const label of ["agent", "variant", "protocol", "split", "failure kind"]) {
    assert.ok(html.includes(`<label>${label} <select`), label);
  }
  assert.match(html, /<input type="search"/);
  // tooltrial report renders the same section from the run folder (reading its log).
  const out = `${run.dir}/again.html`;
  const r = await cli("report", run.dir, "--format", "html", "--out", out);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual((await failureBlob(out)).blob.r, blob.r);
});
