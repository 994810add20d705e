import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../cli.ts";
import { viewer } from "./viewer.ts";

const runs = await Deno.makeTempDir();
const log = console.log, error = console.error;
console.log = console.error = () => {};
try {
  await main(["bench", "testdata/good/suite.yaml", "--out", join(runs, "mini"), "--quiet"]);
} finally {
  console.log = log;
  console.error = error;
}
const full = (await Deno.readTextFile(join(runs, "mini", "episodes.jsonl"))).split("\n");
await Deno.mkdir(join(runs, "partial"));
await Deno.writeTextFile(
  join(runs, "partial", "episodes.jsonl"),
  full.slice(0, 40).join("\n") + "\n",
);
const app = viewer({ runsDir: runs, pollMs: 20 });

Deno.test("viewer: the index lists runs with status and progress", async () => {
  const html = await (await app.request("/")).text();
  assert.match(html, /mini[\s\S]*finished/);
  assert.match(html, /partial[\s\S]*incomplete/);
  assert.match(html, /144\/144/);
  assert.doesNotMatch(html, /https?:\/\//);
});

Deno.test("viewer: serves a run's reports and log, nothing else, nothing outside", async () => {
  const ok: [string, RegExp][] = [
    ["/runs/mini/report.html", /text\/html/],
    ["/runs/mini/report.md", /text\/markdown/],
    ["/runs/mini/report.json", /application\/json/],
    ["/runs/mini/episodes.jsonl", /ndjson/],
  ];
  for (const [path, type] of ok) {
    const res = await app.request(path);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get("content-type") ?? "", type);
    await res.body?.cancel();
  }
  await Deno.symlink("/etc", join(runs, "escape"));
  for (
    const path of [
      "/runs/mini/deno.json",
      "/runs/..%2f..%2fetc/passwd",
      "/runs/%2e%2e/report.json",
      "/runs/../cli.ts",
      "/runs/escape/passwd",
      "/runs/escape/report.json",
      "/runs/nope/report.json",
    ]
  ) {
    const res = await app.request(path);
    assert.equal(res.status, 404, path);
    await res.body?.cancel();
  }
  const redirect = await app.request("/runs/mini/");
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get("location"), "report.html");
});

Deno.test("viewer: live progress over server-sent events until the report exists", async () => {
  const res = await app.request("/runs/partial/progress");
  assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("event: progress")) text += (await reader.read()).value ?? "";
  const first = JSON.parse(text.split("data: ")[1].split("\n")[0]);
  const expected = full.slice(0, 40).filter((l) => l.includes('"type":"result"')).length;
  assert.equal(first.done, expected);
  assert.equal(first.planned, 144);
  // The run finishes: the rest of the log, then the report.
  await Deno.writeTextFile(join(runs, "partial", "episodes.jsonl"), full.slice(40).join("\n"), {
    append: true,
  });
  await Deno.copyFile(join(runs, "mini", "report.json"), join(runs, "partial", "report.json"));
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  assert.match(text, /"done":144,"planned":144/);
  assert.match(text, /event: done/);
});
