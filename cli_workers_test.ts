// `tooltrial bench --workers N` end to end: the same log and report for any N, resume after a
// kill, handler/HTTP/MCP backends inside workers, and bad values.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { runCli as cli } from "./testdata/cli.ts";
import { chatServer } from "./testdata/chat_server.ts";

/** A run's files with what may differ between runs blanked: timings, the command, workers, concurrency. */
const timeless = (text: string) =>
  text
    .replace(/"(ms|mean_ms)": ?[0-9.e-]+/g, '"$1":0')
    .replace(/"(started_at|finished_at)": ?"[^"]*"/g, '"$1":""')
    .replace(/"(workers|concurrency)": ?\d+/g, '"$1":0')
    .replace(/"command": ?\[[^\]]*\]/g, '"command":[]')
    // The chain covers the timings and the header's timestamps too.
    .replace(/,"digest":"[0-9a-f]{64}"/g, "");

const read = (dir: string, file: string) => Deno.readTextFile(join(dir, file));

async function bench(suite: string, workers: number, ...extra: string[]) {
  const dir = await Deno.makeTempDir();
  const r = await cli("bench", suite, "--out", dir, "--workers", String(workers), ...extra);
  return { dir, code: r.code, stdout: r.out, err: r.err };
}

Deno.test("cli: bench --workers 1, 2 and 3 write the same episodes.jsonl and report.json", async () => {
  const runs = [];
  // Two workers at --concurrency 1 keep 2 × 32 episodes out of 144 sent: each is handed more as
  // its first ones come back, in batches, rather than all at once.
  for (const [n, c] of [[1, 2], [2, 3], [3, 4], [2, 1]]) {
    const r = await bench("testdata/good/suite.yaml", n, "--concurrency", String(c));
    assert.equal(r.code, 0, r.err);
    runs.push(r);
  }
  const [one, ...more] = runs;
  assert.match(one.err, /tooltrial \S+: 144 episodes \(1 envs, run [0-9a-f]{16}\) →/);
  assert.match(more[0].err, /144 episodes \(1 envs, run [0-9a-f]{16}, 2 workers\)/);
  const log = timeless(await read(one.dir, "episodes.jsonl"));
  const report = timeless(await read(one.dir, "report.json"));
  assert.ok(log.split('"type":"result"').length - 1 === 144);
  const headers = [];
  for (const r of runs) {
    assert.equal(timeless(await read(r.dir, "episodes.jsonl")), log);
    assert.equal(timeless(await read(r.dir, "report.json")), report);
    const md = (t: string) => t.replace(/started \S+, finished \S+/, "");
    assert.equal(md(await read(r.dir, "report.md")), md(await read(one.dir, "report.md")));
    headers.push(JSON.parse((await read(r.dir, "episodes.jsonl")).split("\n")[0]));
  }
  // The worker count is recorded, and is no part of the run id.
  assert.deepEqual(headers.map((h) => h.provenance.workers), [1, 2, 3, 2]);
  assert.equal(new Set(headers.map((h) => h.run_id)).size, 1);
  const json = JSON.parse(await read(more[1].dir, "report.json"));
  assert.equal(json.provenance.workers, 3);
  assert.match(await read(more[1].dir, "report.html"), /concurrency: 4; workers: 3/);
});

Deno.test("cli: handler, HTTP-cassette and MCP tools run inside workers, with the same results", async () => {
  for (const suite of ["testdata/handlers/suite.yaml", "testdata/http/suite.yaml"]) {
    const [a, b] = [await bench(suite, 1, "--quiet"), await bench(suite, 2, "--quiet")];
    // The handler suite holds a task its oracle fails on purpose: exit 1, both ways.
    assert.equal(a.code, b.code, `${suite}: ${b.err}`);
    assert.ok(a.code === 0 || /oracle failed/.test(a.err), a.err);
    const log = timeless(await read(a.dir, "episodes.jsonl"));
    assert.ok(/"type":"tool"[^\n]*"ok":true/.test(log), `${suite}: tools answered`);
    assert.equal(timeless(await read(b.dir, "episodes.jsonl")), log, suite);
  }
  // The MCP server (an npm package) starts from each worker; its episodes are the same.
  const only = ["--agents", "oracle", "--quiet"];
  const [a, b] = [
    await bench("envs/memory/suite.yaml", 1, ...only),
    await bench("envs/memory/suite.yaml", 2, ...only),
  ];
  assert.equal(b.code, 0, b.err);
  assert.equal(a.code, 0, a.err);
  const log = timeless(await read(a.dir, "episodes.jsonl"));
  assert.match(log, /"success":true/);
  assert.equal(timeless(await read(b.dir, "episodes.jsonl")), log);
});

Deno.test("cli: a bench run with workers killed mid-run resumes, running only the missing episodes", async () => {
  const args = [
    "suite.yaml",
    "--variants",
    "clean,renamed",
    "--agents",
    "explorer,memorizer",
    "--concurrency",
    "2",
  ];
  const whole = await Deno.makeTempDir();
  const w = await cli("bench", ...args, "--out", whole, "--workers", "1", "--quiet");
  assert.equal(w.code, 0, w.err);
  const wholeLog = await read(whole, "episodes.jsonl");
  const planned = wholeLog.split('"type":"result"').length - 1;

  const dir = await Deno.makeTempDir();
  const log = join(dir, "episodes.jsonl");
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", "bench", ...args, "--out", dir, "--workers", "2", "--quiet"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0; i < 1200; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const n = await Deno.readTextFile(log).then((t) => t.split('"type":"result"').length - 1)
      .catch(() => 0);
    if (n >= 40) break;
  }
  child.kill("SIGKILL");
  await child.status;
  const killed = await Deno.readTextFile(log);
  const before = killed.split('"type":"result"').length - 1;
  assert.ok(before > 0 && before < planned, `killed after ${before} of ${planned} episodes`);

  // Resumed with another worker count: the same run, its folder accepted.
  const again = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", "bench", ...args, "--out", dir, "--workers", "3"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(again.stderr);
  assert.equal(again.code, 0, err);
  const resumed = Number(err.match(/resuming after (\d+) done/)?.[1]);
  assert.ok(resumed >= before - 1 && resumed <= before, `${resumed} kept of ${before} on disk`);
  assert.match(err, /3 workers, resuming after/);
  // The progress line counts the whole plan.
  assert.match(err, new RegExp(`${planned}/${planned} episodes \\(100%\\)`));
  const after = await Deno.readTextFile(log);
  // What was kept is untouched, byte for byte; every episode is there once, in plan order.
  const keptEnd = nthResultEnd(killed, resumed);
  assert.equal(after.slice(0, keptEnd), killed.slice(0, keptEnd));
  const ids = after.split("\n").filter((l) => l.includes('"type":"result"')).map((l) =>
    JSON.parse(l).episode
  );
  assert.equal(ids.length, planned);
  assert.equal(new Set(ids).size, planned);
  const body = (t: string) => timeless(t.slice(t.indexOf("\n") + 1));
  assert.equal(body(after), body(wholeLog));
  assert.equal(
    timeless(await read(dir, "report.json")).replace(/"\/tmp\/[^"]*"/g, ""),
    timeless(await read(whole, "report.json")).replace(/"\/tmp\/[^"]*"/g, ""),
  );
  for (const d of [whole, dir]) await Deno.remove(d, { recursive: true });
});

/** Where the line of the n-th result of a log ends (after its newline). */
function nthResultEnd(text: string, n: number): number {
  let at = 0;
  for (let i = 0; i < n; i++) at = text.indexOf("\n", text.indexOf('"type":"result"', at)) + 1;
  return at;
}

Deno.test("cli: bench --quiet with workers prints nothing", async () => {
  const r = await bench("testdata/good/suite.yaml", 2, "--quiet", "--agents", "oracle");
  assert.equal(r.code, 0, r.err);
  assert.equal(r.stdout, "");
  assert.equal(r.err, "");
});

Deno.test("cli: a bad --workers value exits 2, saying what it takes; nothing is run", async () => {
  for (const bad of ["0", "-1", "two", "1.5", "", "257"]) {
    const out = await Deno.makeTempDir();
    const r = await cli("bench", "testdata/good/suite.yaml", "--out", out, `--workers=${bad}`);
    assert.equal(r.code, 2, `--workers "${bad}"`);
    assert.match(
      r.err,
      new RegExp(`--workers must be an integer from 1 to 256, got "${bad.replace(".", "\\.")}"`),
    );
    assert.match(r.err, /default auto: one per core/);
    assert.deepEqual([...Deno.readDirSync(out)], [], "nothing written");
  }
});

Deno.test("cli: an ONNX agent runs in one worker (one intra-op thread), beside scripted episodes, with the same episodes", async () => {
  const only = ["--agents", "tiny-random,oracle", "--variants", "clean", "--quiet"];
  const [a, b] = [await bench("suite.yaml", 1, ...only), await bench("suite.yaml", 2, ...only)];
  assert.equal(a.code, 0, a.err);
  assert.equal(b.code, 0, b.err);
  const log = timeless(await read(a.dir, "episodes.jsonl"));
  assert.match(log, /"provider":"cpu"/);
  assert.equal(timeless(await read(b.dir, "episodes.jsonl")), log);
  const header = JSON.parse((await read(b.dir, "episodes.jsonl")).split("\n")[0]);
  assert.deepEqual(header.provenance.execution_providers, { "tiny-random": "cpu" });
  assert.equal(header.provenance.workers, 2);
});

Deno.test("cli: with workers, an endpoint agent runs in the main thread beside scripted agents in workers", async () => {
  const srv = chatServer();
  const dir = await Deno.makeTempDir();
  const suite = join(dir, "suite.yaml");
  await Deno.writeTextFile(
    suite,
    `tooltrial: 1
suite: mixed
envs: [${resolve("testdata/good/mini.yaml")}]
agents:
  oracle: { scripted: oracle }
  api: { openai: { base_url: ${srv.url}, model: stand-in, concurrency: 4 } }
  explorer: { scripted: explorer }
protocols:
  direct: {}
  trial: { trial_budget: 2 }
samples: 2
seeds: [0]
`,
  );
  try {
    const cache = ["--cache-dir", join(dir, "cache")];
    const a = await bench(suite, 1, ...cache, "--no-cache");
    assert.equal(a.code, 0, a.err);
    const live = srv.requests.length;
    assert.ok(live > 0);
    const b = await bench(suite, 2, ...cache, "--no-cache");
    assert.equal(b.code, 0, b.err);
    assert.equal(srv.requests.length, 2 * live, "the endpoint answered the same turns again");
    assert.match(b.err, /run [0-9a-f]{16}, 2 workers\)/);
    // The endpoint's summary is said by the main thread, where it ran.
    assert.match(b.err, /api: \d+ turns — \d+ requests to the endpoint/);
    const log = timeless(await read(a.dir, "episodes.jsonl"));
    assert.match(log, /"agent":"api"/);
    assert.equal(timeless(await read(b.dir, "episodes.jsonl")), log);
  } finally {
    await srv.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: workers started before the suite loads end when it is bad, or when the run needs fewer; the run goes on without them", async () => {
  // Started on the file, which turns out to be a bad suite: exit 2 with the located error, and
  // the command returns (no worker is left loading).
  const out = await Deno.makeTempDir();
  const bad = await cli(
    "bench",
    "testdata/bad/suite_missing_env.yaml",
    "--workers",
    "2",
    "--out",
    out,
  );
  assert.equal(bad.code, 2, bad.err);
  assert.match(bad.err, /suite_missing_env\.yaml:\d+:\d+/);
  const none = await cli(
    "bench",
    "testdata/bad/no-such-suite.yaml",
    "--workers",
    "2",
    "--out",
    out,
  );
  assert.equal(none.code, 2);
  assert.deepEqual([...Deno.readDirSync(out)], [], "nothing written");
  // More workers started than episodes: the pool takes as many as there are episodes, and ends
  // the others; the log is the one-thread log.
  const few = ["--agents", "oracle", "--variants", "clean", "--samples", "1", "--seed", "0"];
  const [a, b] = [
    await bench("testdata/good/suite.yaml", 1, ...few, "--quiet"),
    await bench("testdata/good/suite.yaml", 6, ...few),
  ];
  const ran = Number(
    b.err.match(/(\d+) episodes \(1 envs, run [0-9a-f]{16}, (\d+) workers\)/)?.[1],
  );
  assert.ok(ran > 1 && ran < 6, b.err);
  assert.match(b.err, new RegExp(`, ${ran} workers\\)`));
  assert.equal(b.code, 0, b.err);
  assert.equal(
    timeless(await read(b.dir, "episodes.jsonl")),
    timeless(await read(a.dir, "episodes.jsonl")),
  );
});
