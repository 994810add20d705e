// End-to-end tests of a run's life: resume after kill -9, shards + merge, reproduce, render, compare.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli as quiet } from "./testdata/cli.ts";
import { assertValidReport, type Report, reportFigures as figures } from "./reports/mod.ts";
import { loadSuite } from "./spec/mod.ts";

const readReport = async (dir: string): Promise<Report> => {
  const r = JSON.parse(await Deno.readTextFile(join(dir, "report.json")));
  assertValidReport(r);
  return r;
};
const lines = async (file: string) =>
  (await Deno.readTextFile(file)).trim().split("\n").map((l) => JSON.parse(l));

Deno.test("runs: shards merge into the report of a single run", async () => {
  const single = await Deno.makeTempDir();
  assert.equal(
    (await quiet("bench", "testdata/good/suite.yaml", "--out", single, "--quiet")).code,
    0,
  );
  const shards: string[] = [];
  for (let i = 0; i < 3; i++) {
    const dir = await Deno.makeTempDir();
    shards.push(dir);
    const r = await quiet(
      "bench",
      "testdata/good/suite.yaml",
      "--shard",
      `${i}/3`,
      "--out",
      dir,
      "--concurrency",
      String(i + 1),
    );
    assert.equal(r.code, 0, r.err);
  }
  const merged = await Deno.makeTempDir();
  const m = await quiet("merge", ...shards, "--out", merged);
  assert.equal(m.code, 0, m.err);
  const [a, b] = [await readReport(single), await readReport(merged)];
  assert.equal(figures(b), figures(a));
  assert.deepEqual(b.provenance.shards, ["0/3", "1/3", "2/3"]);
  // report.html's failures come from the shards' logs, in plan order: the single run's, each
  // with its transcript.
  const failures = async (dir: string) => {
    const html = await Deno.readTextFile(join(dir, "report.html"));
    const blob = html.match(/<script type="application\/json" id="fx-data">(.*?)<\/script>/s)![1];
    const { r, x } = JSON.parse(blob);
    return { r, x };
  };
  assert.deepEqual(await failures(merged), await failures(single));
  // A missing or repeated shard is refused.
  const missing = await quiet("merge", shards[0], shards[2]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /missing shard 1\/3/);
  const twice = await quiet("merge", shards[0], shards[0], shards[1]);
  assert.equal(twice.code, 2);
  assert.match(twice.err, /shard 0\/3 given twice/);
});

Deno.test("runs: --shard auto/n reads the scheduler's index", async () => {
  const dir = await Deno.makeTempDir();
  Deno.env.set("JOB_COMPLETION_INDEX", "1");
  try {
    const r = await quiet(
      "bench",
      "testdata/good/suite.yaml",
      "--shard",
      "auto/2",
      "--out",
      dir,
      "--quiet",
    );
    assert.equal(r.code, 0, r.err);
  } finally {
    Deno.env.delete("JOB_COMPLETION_INDEX");
  }
  const [header] = await lines(join(dir, "episodes.jsonl"));
  assert.deepEqual(header.shard, { index: 1, count: 2 });
  const bad = await quiet("bench", "testdata/good/suite.yaml", "--shard", "auto/2");
  assert.equal(bad.code, 2);
  assert.match(bad.err, /JOB_COMPLETION_INDEX/);
  assert.equal((await quiet("bench", "--shard", "3/3")).code, 2);
});

Deno.test("runs: a run killed with SIGKILL resumes with no episode lost or repeated", async () => {
  const args = [
    "suite.yaml",
    "--variants",
    "clean,renamed",
    "--agents",
    "explorer,memorizer",
    "--concurrency",
    "2",
    "--quiet",
  ];
  // Every sampled task × 2 variants × 2 agents × 2 protocols.
  const planned = (await loadSuite("suite.yaml")).envs.reduce((n, e) => n + e.tasks.length, 0) * 8;
  const whole = await Deno.makeTempDir();
  assert.equal((await quiet("bench", ...args, "--out", whole)).code, 0);

  const dir = await Deno.makeTempDir();
  const log = join(dir, "episodes.jsonl");
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", "bench", ...args, "--out", dir],
    stdout: "null",
    stderr: "null",
  }).spawn();
  // Wait until some, but not all, episodes are on disk, then kill -9.
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const n = await Deno.readTextFile(log).then((t) => t.split('"type":"result"').length - 1).catch(
      () => 0,
    );
    if (n >= 40) break;
  }
  child.kill("SIGKILL");
  await child.status;
  const before = (await Deno.readTextFile(log)).split('"type":"result"').length - 1;
  assert.ok(before > 0 && before < planned, `killed after ${before} episodes`);
  await assert.rejects(Deno.stat(join(dir, "report.json")), "no report from a killed run");

  const again = await quiet("bench", ...args.filter((a) => a !== "--quiet"), "--out", dir);
  assert.equal(again.code, 0, again.err);
  assert.match(again.err, /resuming after \d+ done/);
  const events = await lines(log);
  const ids = events.filter((e) => e.type === "result").map((e) => e.episode);
  assert.equal(ids.length, planned);
  assert.equal(new Set(ids).size, planned, "no episode twice");
  assert.equal(events.filter((e) => e.type === "run").length, 1);
  assert.equal(figures(await readReport(dir)), figures(await readReport(whole)));
  // Rerunning a finished run starts it over (one header, every episode once).
  const rerun = await quiet("bench", ...args, "--out", dir);
  assert.equal(rerun.code, 0, rerun.err);
  assert.doesNotMatch(rerun.err, /resuming/);
  const rerunEvents = await lines(log);
  assert.equal(rerunEvents.filter((e) => e.type === "result").length, planned);
  assert.equal(figures(await readReport(dir)), figures(await readReport(whole)));
  // The same folder for another run is refused, and nothing is lost.
  const other = await quiet("bench", "testdata/good/suite.yaml", "--out", dir);
  assert.equal(other.code, 2);
  assert.match(other.err, /holds run .*not run .*choose another --out folder/);
  assert.equal((await lines(log)).length, rerunEvents.length);
  // Its reports too: a refused bench deletes nothing.
  for (const f of ["report.json", "report.md", "report.html"]) await Deno.stat(join(dir, f));
  assert.equal(figures(await readReport(dir)), figures(await readReport(whole)));
});

Deno.test("runs: reproduce reruns a report exactly, and refuses when a spec changed", async () => {
  const work = await Deno.makeTempDir();
  for (const f of ["mini.yaml", "items.csv", "suite.yaml"]) {
    await Deno.copyFile(`testdata/good/${f}`, join(work, f));
  }
  const run = join(work, "run");
  const bench = ["bench", join(work, "suite.yaml"), "--out", run, "--quiet", "--workers", "1"];
  assert.equal((await quiet(...bench)).code, 0);
  const ok = await quiet("reproduce", join(run, "report.json"), "--out", join(work, "again"));
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /every figure identical/);
  // With workers, as bench's: the same figures, the count in the rerun's provenance.
  const two = await quiet(
    "reproduce",
    join(run, "report.json"),
    "--out",
    join(work, "two"),
    "--workers",
    "2",
  );
  assert.equal(two.code, 0, two.err);
  assert.match(two.out, /every figure identical/);
  assert.equal(
    JSON.parse(await Deno.readTextFile(join(work, "two", "report.json"))).provenance.workers,
    2,
  );
  const bad = await quiet("reproduce", join(run, "report.json"), "--workers", "0");
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--workers must be an integer from 1 to 256, got "0"/);
  await Deno.writeTextFile(
    join(work, "items.csv"),
    (await Deno.readTextFile(join(work, "items.csv"))) + "\n",
  );
  const changed = await quiet("reproduce", join(run, "report.json"));
  assert.equal(changed.code, 2);
  assert.match(
    changed.err,
    /the specs changed since it ran[\s\S]*items\.csv: [0-9a-f]{12}… then, [0-9a-f]{12}… now/,
  );
});

Deno.test("runs: report renders md, html and junit from a run; compare pairs two runs", async () => {
  const a = await Deno.makeTempDir(), b = await Deno.makeTempDir();
  assert.equal((await quiet("bench", "testdata/good/suite.yaml", "--out", a, "--quiet")).code, 0);
  assert.equal(
    (await quiet("bench", "testdata/good/suite.yaml", "--out", b, "--seed", "5", "--quiet")).code,
    0,
  );
  const junit = await quiet("report", a, "--format", "junit");
  assert.equal(junit.code, 0, junit.err);
  assert.match(junit.out, /^<\?xml/);
  assert.equal(
    (junit.out.match(/<testcase /g) ?? []).length,
    (await readReport(a)).episodes.length,
  );
  assert.match(junit.out, /<failure message=/, "random's failures are failures");
  const html = await quiet("report", join(a, "report.json"), "--format", "html");
  assert.match(html.out, /<svg/);
  // Rebuilt from the log when report.json is gone: the same figures.
  const before = await readReport(a);
  await Deno.remove(join(a, "report.json"));
  const json = await quiet("report", a, "--format", "json");
  assert.equal(figures(JSON.parse(json.out)), figures(before));
  const bad = await quiet("report", a, "--format", "pdf");
  assert.equal(bad.code, 2);
  const cmp = await quiet("compare", join(b, "report.json"), join(b, "report.json"));
  assert.equal(cmp.code, 0, cmp.err);
  assert.match(cmp.out, /\| oracle \| direct \| clean \| 100\.0% \| 100\.0% \| ±0\.0 \| \d+ \|/);
});

Deno.test("runs: reruns write byte-identical logs apart from timings", async () => {
  const a = await Deno.makeTempDir(), b = await Deno.makeTempDir();
  assert.equal(
    (await quiet("bench", "testdata/good/suite.yaml", "--out", a, "--concurrency", "1", "--quiet"))
      .code,
    0,
  );
  assert.equal(
    (await quiet("bench", "testdata/good/suite.yaml", "--out", b, "--concurrency", "6", "--quiet"))
      .code,
    0,
  );
  const timeless = async (dir: string) =>
    (await Deno.readTextFile(join(dir, "episodes.jsonl"))).split("\n").map((l) =>
      l.replace(/"ms":[0-9.e-]+/g, '"ms":0')
        .replace(/"(started_at|finished_at)":"[^"]*"/g, '"$1":""')
        .replace(/"(concurrency)":\d+/, '"$1":0')
        .replace(/"command":\[[^\]]*\]/, '"command":[]')
        // The chain covers the timings and the header's timestamps too.
        .replace(/,"digest":"[0-9a-f]{64}"/, "")
    ).join("\n");
  const [x, y] = [await timeless(a), await timeless(b)];
  assert.ok(x.length > 10_000);
  assert.equal(x, y);
});

Deno.test("runs: a run killed while writing its report only writes it again; a folder in use is refused", async () => {
  const dir = await Deno.makeTempDir();
  const args = ["bench", "testdata/good/suite.yaml", "--out", dir];
  assert.equal((await quiet(...args, "--quiet")).code, 0);
  const log = join(dir, "episodes.jsonl");
  const first = await Deno.readTextFile(log);
  const report = await readReport(dir);
  // The report phase was cut short: the complete log stays, no episode runs again.
  for (const f of ["report.json", "report.md", "report.html"]) await Deno.remove(join(dir, f));
  const again = await quiet(...args);
  assert.equal(again.code, 0, again.err);
  assert.match(again.err, /resuming after 144 done/);
  assert.equal(await Deno.readTextFile(log), first, "the log is untouched");
  assert.equal(figures(await readReport(dir)), figures(report));
  // Another process (alive, this host) holds the folder: refused, nothing touched.
  const lock = join(dir, ".lock");
  await Deno.writeTextFile(lock, JSON.stringify({ pid: Deno.pid, host: Deno.hostname() }));
  const busy = await quiet(...args);
  assert.equal(busy.code, 2);
  assert.match(busy.err, /is in use by another tooltrial process \(pid \d+\)/);
  assert.equal(await Deno.readTextFile(log), first);
  await Deno.stat(join(dir, "report.json"));
  // A lock left by a process that is gone is taken over, and released at the end.
  const gone = new Deno.Command("true").spawn();
  await gone.status;
  await Deno.writeTextFile(lock, JSON.stringify({ pid: gone.pid, host: Deno.hostname() }));
  assert.equal((await quiet(...args, "--quiet")).code, 0);
  await assert.rejects(Deno.stat(lock));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runs: report, merge and reproduce refuse a log edited after it was written, naming the episode", async () => {
  const dir = await Deno.makeTempDir();
  assert.equal((await quiet("bench", "testdata/good/suite.yaml", "--out", dir, "--quiet")).code, 0);
  const log = join(dir, "episodes.jsonl");
  const good = await Deno.readTextFile(log);
  // report renders report.json when there is one: without it, it reads the log.
  await Deno.remove(join(dir, "report.json"));
  const edits: [string, (s: string) => string, RegExp][] = [
    [
      "a flipped success",
      (s) => s.replace('"success":true', '"success":false'),
      /:\d+: episode mini\/clean\/mini-1\/oracle\/direct\/0\.0 (does not match its digest|says success false)/,
    ],
    [
      "an edited call",
      (s) => s.replace('"arguments":{"id":"w1"}', '"arguments":{"id":"w2"}'),
      /:\d+: episode \S+ does not match its digest/,
    ],
    [
      "a dropped episode",
      (s) => {
        const lines = s.split("\n");
        const i = lines.findIndex((l) => l.includes('"type":"result"'));
        const start = lines.findIndex((l) => l.includes('"type":"episode"'), i);
        const end = lines.findIndex((l, k) => k > start && l.includes('"type":"result"'));
        return [...lines.slice(0, start), ...lines.slice(end + 1)].join("\n");
      },
      /does not match its digest/,
    ],
  ];
  for (const [what, edit, message] of edits) {
    await Deno.writeTextFile(log, edit(good));
    for (const args of [["report", dir], ["merge", dir, "--out", join(dir, "m")]]) {
      const r = await quiet(...args);
      assert.equal(r.code, 2, `${what}: ${args[0]}`);
      assert.match(r.err, message, `${what}: ${args[0]}`);
      assert.match(r.err, /edited or damaged after it was written/);
    }
  }
  // A log from before digests is read as it is, but its success must follow from its checks.
  const legacy = good.replace(/,"digest":"[0-9a-f]{64}"/g, "");
  await Deno.writeTextFile(log, legacy);
  assert.equal((await quiet("report", dir, "--format", "json")).code, 0);
  await Deno.writeTextFile(log, legacy.replace('"success":true', '"success":false'));
  const flipped = await quiet("report", dir);
  assert.equal(flipped.code, 2);
  assert.match(flipped.err, /says success false, but every check passed/);
  await Deno.writeTextFile(log, good);
  assert.equal((await quiet("report", dir, "--format", "json")).code, 0);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runs: a damaged episode mid-log reruns alone, later good episodes are kept; a cut header is written again", async () => {
  const whole = await Deno.makeTempDir(), dir = await Deno.makeTempDir();
  const args = ["bench", "testdata/good/suite.yaml"];
  assert.equal((await quiet(...args, "--out", whole, "--quiet")).code, 0);
  const log = join(dir, "episodes.jsonl");
  const results = (text: string) => text.split('"type":"result"').length - 1;
  const good = await Deno.readTextFile(join(whole, "episodes.jsonl"));
  // Damage one line of the 5th episode (a disk error, a hand edit), and cut the log after the 40th.
  const lines = good.split("\n");
  const resultAt = lines.flatMap((l, i) => (l.includes('"type":"result"') ? [i] : []));
  const hit = resultAt[3] + 2; // a line inside the 5th episode
  lines[hit] = lines[hit].slice(0, 20);
  await Deno.writeTextFile(log, lines.slice(0, resultAt[39] + 1).join("\n") + "\n");
  const again = await quiet(...args, "--out", dir);
  assert.equal(again.code, 0, again.err);
  assert.match(
    again.err,
    /episodes\.jsonl:\d+: episode \S+ is damaged or was edited; it runs again/,
  );
  assert.match(again.err, /resuming after 39 done/, "40 on disk, one damaged");
  assert.equal(results(await Deno.readTextFile(log)), results(good));
  assert.equal(figures(await readReport(dir)), figures(await readReport(whole)));

  // A header cut off by a crash: the episodes are this run's, so the header is written again.
  const cut = await Deno.makeTempDir();
  const cutLines = good.split("\n");
  cutLines[0] = cutLines[0].slice(0, 30);
  await Deno.writeTextFile(join(cut, "episodes.jsonl"), cutLines.slice(0, 60).join("\n") + "\n");
  const fixed = await quiet(...args, "--out", cut);
  assert.equal(fixed.code, 0, fixed.err);
  assert.match(fixed.err, /:1: the run header was cut off; it is written again/);
  assert.equal(figures(await readReport(cut)), figures(await readReport(whole)));
  // Another run's episodes under a cut header are not taken for this run's.
  const other = await quiet("bench", "suite.yaml", "--agents", "oracle", "--out", cut, "--quiet");
  assert.equal(other.code, 2);
  for (const d of [whole, dir, cut]) await Deno.remove(d, { recursive: true });
});

Deno.test("runs: Ctrl-C says where the episodes are and how to resume", async () => {
  const dir = await Deno.makeTempDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", "bench", "suite.yaml", "--agents", "explorer", "--out", dir],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const log = join(dir, "episodes.jsonl");
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const n = await Deno.readTextFile(log).then((t) => t.split('"type":"result"').length - 1)
      .catch(() => 0);
    if (n >= 20) break;
  }
  child.kill("SIGINT");
  const { code } = await child.status;
  const err = new TextDecoder().decode(
    (await new Response(child.stderr).arrayBuffer()) as ArrayBuffer,
  );
  assert.equal(code, 130);
  assert.match(
    err,
    /interrupted: the finished episodes are in .*episodes\.jsonl; run the same command again to resume/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runs: compare pairs two agents run separately (--pair task, --by), and says why when nothing pairs", async () => {
  const dir = await Deno.makeTempDir();
  const run = async (name: string, ...extra: string[]) => {
    const out = join(dir, name);
    const r = await quiet("bench", "testdata/good/suite.yaml", "--out", out, "--quiet", ...extra);
    assert.equal(r.code, 0, r.err);
    return join(out, "report.json");
  };
  const explorer = await run("explorer", "--agents", "explorer");
  const random = await run("random", "--agents", "random");
  const seed0 = await run("seed0", "--agents", "explorer", "--seed", "0");
  const seed1 = await run("seed1", "--agents", "explorer", "--seed", "1");
  // Different agent names: the default pairing finds nothing, and says what to do.
  const none = await quiet("compare", explorer, random);
  assert.equal(none.code, 2);
  assert.match(
    none.err,
    /nothing to compare: A's agents \(explorer\) and B's \(random\) share no name: compare different agents with --pair task, or map names with --by explorer=random/,
  );
  for (const args of [["--pair", "task"], ["--by", "explorer=random"]]) {
    const r = await quiet("compare", explorer, random, ...args);
    assert.equal(r.code, 0, r.err);
    // 2 tasks × 2 samples × 2 seeds per row, explorer 100% and random 0%: a paired −100 points.
    assert.match(r.out, /\| clean \| 100\.0% \| 0\.0% \| −100\.0 \| 8 \|/, args.join(" "));
  }
  // Another seed: nothing pairs, and the message says so.
  const seeds = await quiet("compare", seed0, seed1);
  assert.equal(seeds.code, 2);
  assert.match(seeds.err, /A ran seeds 0 and B seeds 1: episodes pair only on the same seed/);
  await Deno.remove(dir, { recursive: true });
});
