import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../cli.ts";
import { etaSeconds, viewer } from "./viewer.ts";
import { formatChange, formatPercent, headlineRows } from "../reports/mod.ts";

// One real finished run, made once: every other run folder is cut from its log.
const runs = await Deno.makeTempDir({ prefix: "tooltrial_viewer_" });
const outside = await Deno.makeTempDir({ prefix: "tooltrial_outside_" });
const log = console.log, error = console.error;
console.log = console.error = () => {};
try {
  await main(["bench", "testdata/good/suite.yaml", "--out", join(runs, "mini"), "--quiet"]);
} finally {
  console.log = log;
  console.error = error;
}
const lines = (await Deno.readTextFile(join(runs, "mini", "episodes.jsonl"))).split("\n");
if (lines.at(-1) === "") lines.pop();
const header = JSON.parse(lines[0]);
const planned: number = header.planned;
const results = (ls: string[]) => ls.filter((l) => JSON.parse(l).type === "result");
const successes = (ls: string[]) => results(ls).filter((l) => JSON.parse(l).success).length;
const CUT = 30;
const report = JSON.parse(await Deno.readTextFile(join(runs, "mini", "report.json")));

/** A run folder holding `ls` as its log, its header changed by `patch`. */
async function runFolder(
  name: string,
  ls: string[],
  patch: (h: Record<string, unknown>) => void = () => {},
): Promise<string> {
  const dir = join(runs, name);
  await Deno.mkdir(dir, { recursive: true });
  const h = structuredClone(header);
  patch(h);
  await Deno.writeTextFile(
    join(dir, "episodes.jsonl"),
    [JSON.stringify(h), ...ls.slice(1)].join("\n") + "\n",
  );
  return dir;
}

// An interrupted run (log untouched for a day), a running one, and things that are not runs.
const stale = await runFolder("stale", lines.slice(0, CUT), (h) => {
  h.shard = { index: 1, count: 4 };
  (h.provenance as Record<string, unknown>).started_at = "2020-01-01T00:00:00.000Z";
});
const dayAgo = new Date(Date.now() - 86_400_000);
await Deno.utime(join(stale, "episodes.jsonl"), dayAgo, dayAgo);
await runFolder("fresh", lines.slice(0, CUT), (h) => {
  const p = h.provenance as Record<string, unknown>;
  p.started_at = "2099-01-01T00:00:00.000Z";
  p.suite = { name: `<script>alert("x")</script>` };
});
await Deno.mkdir(join(runs, "empty"));
await Deno.writeTextFile(join(runs, "notes.txt"), "not a run");
// A symlink out of runsDir, to a folder that looks like a finished run.
await Deno.copyFile(join(runs, "mini", "episodes.jsonl"), join(outside, "episodes.jsonl"));
await Deno.copyFile(join(runs, "mini", "report.json"), join(outside, "report.json"));
await Deno.writeTextFile(join(outside, "secret.txt"), "secret");
await Deno.symlink(outside, join(runs, "escape"));
// A run folder whose report.json is a symlink out of it.
const leaky = await runFolder("leaky", lines.slice(0, CUT));
await Deno.symlink(join(outside, "report.json"), join(leaky, "report.json"));

const row = (html: string, name: string) =>
  html.split("\n").find((l) => l.includes(`href="runs/${name}/"`)) ?? "";

Deno.test("viewer: the index lists runs newest first with status, progress and success", async () => {
  const res = await viewer({ runsDir: runs }).request("/");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/html/);
  const html = await res.text();
  const at = (name: string) => html.indexOf(`href="runs/${name}/"`);
  assert.ok(at("fresh") > 0 && at("fresh") < at("mini") && at("mini") < at("stale"), "order");
  for (const name of ["empty", "notes.txt", "escape"]) assert.equal(at(name), -1, name);

  const mini = row(html, "mini");
  assert.match(mini, /class="finished"/);
  assert.match(mini, new RegExp(`>${planned}/${planned}<`));
  // Per agent × protocol: clean success, then the mean change under variants (the headline's).
  for (const h of headlineRows(report)) {
    const line = `${h.agent} · ${h.protocol}: ${formatPercent(h.clean!.rate)} clean, ${
      formatChange(h.mean!.drop)
    } pts under variants${
      h.worst && h.worst.drop > 0
        ? `, worst ${h.worst.variant} ${formatChange(h.worst.drop)} pts`
        : ""
    }`;
    assert.ok(mini.includes(`${line}<`), `${line} in ${mini}`);
  }
  for (const f of ["report.html", "report.md", "report.json", "episodes.jsonl", "live"]) {
    assert.ok(mini.includes(`href="runs/mini/${f}"`), f);
  }

  const k = results(lines.slice(0, CUT)).length;
  assert.ok(k > 0 && k < planned);
  const staleRow = row(html, "stale");
  assert.match(staleRow, /class="incomplete"/);
  assert.match(staleRow, new RegExp(`>${k}/${planned}<`));
  assert.match(staleRow, /shard 1\/4/);
  assert.doesNotMatch(staleRow, /report\.html/);
  assert.match(row(html, "fresh"), /class="running"/);
  // The symlinked report.json leads outside the run: not a finished run.
  assert.match(row(html, "leaky"), /class="running"/);

  assert.ok(html.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
  assert.doesNotMatch(html, /<script/);
  assert.doesNotMatch(html, /https?:\/\/|src=/);
});

Deno.test("viewer: an index of a missing runs folder is an empty list", async () => {
  const html = await (await viewer({ runsDir: join(runs, "nope") }).request("/")).text();
  assert.match(html, /No runs yet/);
});

Deno.test("viewer: serves a run's reports and log with their types, streamed", async () => {
  const app = viewer({ runsDir: runs });
  const ok: [string, RegExp][] = [
    ["report.html", /^text\/html/],
    ["report.md", /^text\/markdown; charset=utf-8$/],
    ["report.json", /^application\/json/],
    ["episodes.jsonl", /^application\/x-ndjson/],
  ];
  for (const [file, type] of ok) {
    const res = await app.request(`/runs/mini/${file}`);
    assert.equal(res.status, 200, file);
    assert.match(res.headers.get("content-type") ?? "", type, file);
    assert.equal(
      await res.text(),
      await Deno.readTextFile(join(runs, "mini", file)),
      file,
    );
  }
  const head = await app.request("/runs/mini/report.json", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.body, null);
});

Deno.test("viewer: nothing else and nothing outside runsDir is served (JSON 404)", async () => {
  const app = viewer({ runsDir: runs });
  for (
    const path of [
      "/runs/mini/deno.json",
      "/runs/mini/report.txt",
      "/runs/mini/constructor",
      "/runs/mini/__proto__",
      "/runs/mini/..%2f..%2fdeno.json",
      "/runs/mini/report.json/",
      "/runs/..%2f..%2fetc%2fpasswd",
      "/runs/..%2f..%2fetc%2fpasswd/report.json",
      "/runs/mini%2f..%2f..%2fetc/passwd",
      "/runs/%2e%2e/report.json",
      "/runs/%252e%252e/report.json",
      "/runs/.%2e/report.json",
      "/runs/../cli.ts",
      "/runs/./report.json",
      "/runs/nope/report.json",
      "/runs/nope/",
      "/runs/nope/live",
      "/runs/nope/progress",
      "/runs/empty/live",
      "/runs/empty/episodes.jsonl",
      "/runs/notes.txt/",
      "/runs/escape",
      "/runs/escape/",
      "/runs/escape/report.json",
      "/runs/escape/episodes.jsonl",
      "/runs/escape/progress",
      "/runs/escape/secret.txt",
      "/runs/leaky/report.json",
    ]
  ) {
    const res = await app.request(path);
    assert.equal(res.status, 404, path);
    const body = await res.text();
    assert.doesNotMatch(body, /secret|"planned"/, path);
    // URL parsing turns some of these into paths outside /runs/: the main app's 404 answers them.
    if (new URL(path, "http://x").pathname.startsWith("/runs/")) {
      assert.equal(JSON.parse(body).error.status, 404, path);
    }
  }
  const post = await app.request("/runs/mini/report.json", { method: "POST" });
  assert.equal(post.status, 404);
  await post.body?.cancel();
});

Deno.test("viewer: a run's page is its report when finished, else the live page", async () => {
  const app = viewer({ runsDir: runs });
  const to = async (path: string) => {
    const res = await app.request(path);
    assert.equal(res.status, 302, path);
    return res.headers.get("location");
  };
  assert.equal(await to("/runs/mini/"), "report.html");
  assert.equal(await to("/runs/stale/"), "live");
  assert.equal(await to("/runs/mini"), "mini/");
  const live = await app.request("/runs/stale/live");
  assert.equal(live.status, 200);
  const html = await live.text();
  assert.match(html, /new EventSource\("progress"\)/);
  assert.match(html, new RegExp(`id="done">${results(lines.slice(0, CUT)).length}<`));
  assert.match(html, new RegExp(`id="planned">${planned}<`));
  assert.doesNotMatch(html, /https?:\/\//);
});

/** Server-sent events from a response, each as its event name and parsed data. */
async function* events(res: Response): AsyncGenerator<{ event: string; data: unknown }> {
  let text = "";
  for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    for (let end = text.indexOf("\n\n"); end !== -1; end = text.indexOf("\n\n")) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const field = (name: string) =>
        block.split("\n").filter((l) => l.startsWith(name + ": ")).map((l) =>
          l.slice(name.length + 2)
        ).join("\n");
      yield { event: field("event"), data: JSON.parse(field("data")) };
    }
  }
}

/** Fail instead of hanging when a stream never ends. */
async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let id: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    id = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(id);
  }
}

Deno.test("viewer: live progress over server-sent events until the report exists", async () => {
  const dir = await runFolder("live", lines.slice(0, CUT));
  const res = await viewer({ runsDir: runs, pollMs: 50 }).request("/runs/live/progress");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
  const it = events(res);
  const first = (await within(2000, it.next())).value!;
  const firstData = first.data as Record<string, unknown>;
  assert.equal(first.event, "progress");
  assert.deepEqual(
    { ...firstData, agents: undefined, variants: undefined },
    {
      done: results(lines.slice(0, CUT)).length,
      planned,
      successes: successes(lines.slice(0, CUT)),
      finished: false,
      eta_s: null, // one look at the log: no pace yet
      eta: null,
      agents: undefined,
      variants: undefined,
    },
  );
  // Per agent and per variant, adding up to the whole.
  for (const key of ["agents", "variants"]) {
    const rows = firstData[key] as { name: string; done: number; successes: number }[];
    assert.ok(rows.length > 0 && rows.every((r) => r.name !== "?"), key);
    assert.equal(rows.reduce((n, r) => n + r.done, 0), firstData.done);
    assert.equal(rows.reduce((n, r) => n + r.successes, 0), firstData.successes);
  }
  // The rest of the log arrives in two writes, the first ending inside a result line; then the
  // report. The split line must be counted once, when it is whole.
  const rest = lines.slice(CUT).join("\n") + "\n";
  const split = rest.indexOf('"type":"result"') + 5;
  const path = join(dir, "episodes.jsonl");
  await Deno.writeTextFile(path, rest.slice(0, split), { append: true });
  const seen: { event: string; data: unknown }[] = [first];
  for (let i = 0; i < 3; i++) seen.push((await within(2000, it.next())).value!);
  await Deno.writeTextFile(path, rest.slice(split), { append: true });
  await Deno.copyFile(join(runs, "mini", "report.json"), join(dir, "report.json"));
  await within(
    2000,
    (async () => {
      for await (const e of it) seen.push(e);
    })(),
  );
  const progress = seen.filter((e) => e.event === "progress").map((e) =>
    e.data as { done: number }
  );
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i].done >= progress[i - 1].done);
  const last = seen.at(-2)!;
  assert.equal(last.event, "progress");
  const { done, successes: ok, finished, eta_s, eta, agents } = last.data as Record<
    string,
    unknown
  >;
  assert.deepEqual([done, ok, finished, eta_s, eta], [planned, successes(lines), true, 0, "0s"]);
  assert.deepEqual(
    (agents as { name: string; done: number }[]).map((a) => a.name).sort(),
    [...new Set(report.episodes.map((e: { agent: string }) => e.agent))].sort(),
  );
  assert.equal(seen.at(-1)!.event, "done");
});

Deno.test("viewer: the ETA follows the pace of the last minute watched, not the log's start", () => {
  // A resumed run: 600 episodes were in the log from its first attempt; now 10 a second.
  const s = [{ at: 0, done: 600 }, { at: 1000, done: 610 }, { at: 5000, done: 650 }];
  assert.equal(etaSeconds(s, 1650), 100);
  assert.equal(etaSeconds(s.slice(0, 1), 1650), null); // one look: no pace
  assert.equal(etaSeconds(s.slice(0, 2), 1650), null); // under two seconds watched
  assert.equal(etaSeconds([{ at: 0, done: 5 }, { at: 9000, done: 5 }], 10), null); // stalled
});

Deno.test("viewer: the live page shows progress per agent and per variant, names escaped", async () => {
  const dir = await runFolder("perAgent", lines.slice(0, CUT));
  // An agent name that is markup must stay text.
  const path = join(dir, "episodes.jsonl");
  const text = (await Deno.readTextFile(path)).replaceAll('"agent":"oracle"', '"agent":"<b>x</b>"');
  await Deno.writeTextFile(path, text);
  const html = await (await viewer({ runsDir: runs }).request("/runs/perAgent/live")).text();
  assert.match(html, /<tbody id="agents"><tr><td>/);
  assert.match(html, /<tbody id="variants"><tr><td>clean<\/td>/);
  assert.ok(html.includes("&lt;b&gt;x&lt;/b&gt;"));
  assert.doesNotMatch(html, /<b>x<\/b>/);
  assert.match(html, /measuring the pace/);
});

Deno.test("viewer: a log cut back or rewritten under the viewer is counted again", async () => {
  // Stop just before a result line, then shorten the header: the old offset now falls inside
  // that result line, which a reader trusting its offset would lose.
  const cut = lines.findIndex((l, i) => i >= CUT && JSON.parse(l).type === "result");
  const dir = await runFolder("redo", lines.slice(0, cut));
  const app = viewer({ runsDir: runs });
  const progress = async () => row(await (await app.request("/")).text(), "redo");
  assert.match(await progress(), new RegExp(`>${results(lines.slice(0, cut)).length}/${planned}<`));
  await runFolder("redo", lines, (h) => delete (h.provenance as Record<string, unknown>).git_dirty);
  assert.match(await progress(), new RegExp(`>${planned}/${planned}<`));
  await Deno.writeTextFile(join(dir, "episodes.jsonl"), lines[0] + "\n");
  assert.match(await progress(), new RegExp(`>0/${planned}<`));
});

Deno.test("viewer: a client that leaves stops the poller", async () => {
  // Every poll looks for report.json through Deno.realPath: count them.
  const realPath = Deno.realPath;
  let polls = 0;
  Deno.realPath = (path) => (polls++, realPath(path));
  try {
    const res = await viewer({ runsDir: runs, pollMs: 10 }).request("/runs/stale/progress");
    const reader = res.body!.getReader();
    for (let i = 0; i < 3; i++) {
      assert.match(new TextDecoder().decode((await reader.read()).value), /event: progress/);
    }
    assert.ok(polls > 0);
    await reader.cancel();
    await new Promise((r) => setTimeout(r, 100)); // a poll under way when the client left ends
    const after = polls;
    await new Promise((r) => setTimeout(r, 150)); // fifteen poll periods
    assert.equal(polls, after);
  } finally {
    Deno.realPath = realPath;
  }
});

globalThis.addEventListener("unload", () => {
  Deno.removeSync(runs, { recursive: true });
  Deno.removeSync(outside, { recursive: true });
});
