// `judge:` checks through the CLI: a suite whose judge is an OpenAI-compatible endpoint served by
// a real loopback server, which grades each assertion from the request it gets.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli as cli } from "./testdata/cli.ts";
import { assertValidReport, reportFigures } from "./reports/mod.ts";
import { JUDGE_SYSTEM } from "./tasks/mod.ts";
import { callTools, say } from "./core/messages.ts";
import { loadSuite } from "./spec/mod.ts";
import { openAgent } from "./runners/agents/mod.ts";
import { createApp } from "./serve/app.ts";

interface ChatBody {
  model: string;
  seed?: number;
  tools?: unknown[];
  messages: { role: string; content: string }[];
}

/**
 * A judge on 127.0.0.1 that reads the TRANSCRIPT and ASSERTION of each request: an assertion
 * quoting a text is met when some `assistant:` line of the transcript holds it; one that says
 * UNREADABLE gets prose instead of JSON.
 */
function judgeServer() {
  const requests: ChatBody[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (req.method === "GET" && path === "/v1/models") return Response.json({ data: [] });
    const body = await req.json() as ChatBody;
    requests.push(body);
    const asked = body.messages[body.messages.length - 1].content;
    const [, transcript, assertion] = asked.match(/^TRANSCRIPT\n([\s\S]*)\n\nASSERTION\n(.*)$/)!;
    const quoted = assertion.match(/"([^"]+)"/)?.[1] ?? "";
    const said = transcript.split("\n").filter((l) => l.startsWith("assistant: "));
    const met = said.some((l) => l.includes(quoted));
    const content = assertion.includes("UNREADABLE")
      ? "I believe the assistant did fine here."
      : JSON.stringify({
        met,
        reason: met ? `the assistant says "${quoted}"` : `no assistant message says "${quoted}"`,
      });
    return Response.json({
      choices: [{ message: { role: "assistant", content } }],
      usage: { prompt_tokens: 50, completion_tokens: 12 },
    });
  });
  const url = `http://127.0.0.1:${server.addr.port}/v1`;
  return { url, requests, close: () => server.shutdown() };
}

const ENV = `tooltrial: 1
env: stock
description: One item and its stock.
state:
  items: [{ id: w1, name: red widget, stock: 4 }]
tools:
  - name: get_item
    description: Look up an item by its id.
    parameters: { type: object, properties: { id: { type: string } }, required: [id] }
    result: "state.items[id = $args.id]"
tasks:
  - id: told
    query: How many red widgets (w1) are in stock?
    gold: [{ tool: get_item, args: { id: w1 } }]
    answer: There are 4 units of w1 in stock.
    check:
      answer: { number: { value: 4 } }
      judge: ['The assistant tells the user "4 units".']
  - id: untold
    query: Is the red widget (w1) in stock at all?
    gold: [{ tool: get_item, args: { id: w1 } }]
    answer: Yes, w1 has 4 left.
    check:
      answer: { contains: ["4"] }
      judge:
        - The assistant says "Yes".
        - The assistant offers a "refund".
  - id: garbled
    query: What is the name of item w1?
    gold: [{ tool: get_item, args: { id: w1 } }]
    answer: Item w1 is the red widget.
    check:
      answer: { contains: [red widget] }
      judge: ["UNREADABLE: the judge cannot answer this one."]
  - id: advised
    query: Which item is w1?
    gold: [{ tool: get_item, args: { id: w1 } }]
    answer: w1 is the red widget.
    check:
      answer: { contains: [red widget] }
      judge: { assertions: ['The assistant thanks the user with "thank you".'], advisory: true }
`;

async function suiteWith(judge: string): Promise<{ dir: string; suite: string }> {
  const dir = await Deno.makeTempDir({ prefix: "tooltrial-judge-check-" });
  await Deno.writeTextFile(join(dir, "env.yaml"), ENV);
  const suite = join(dir, "suite.yaml");
  await Deno.writeTextFile(
    suite,
    `tooltrial: 1
suite: judged
envs: [env.yaml]
agents:
  memorizer: { scripted: memorizer }
protocols: { direct: {} }
${judge}`,
  );
  return { dir, suite };
}

/** A logged check outcome, as the test reads it. */
interface Outcome {
  name: string;
  passed: boolean;
  detail?: string;
  skipped?: true;
  advisory?: true;
  judge?: { assertion: string; met: boolean | null; reason?: string; raw: string; error?: string };
}

const judged = (e: { checks: Outcome[] }) => e.checks.filter((c) => c.name === "judge");

const results = async (out: string): Promise<{ checks: Outcome[] }[]> =>
  (await Deno.readTextFile(join(out, "episodes.jsonl"))).trim().split("\n").map((l) =>
    JSON.parse(l)
  ).filter((e) => e.type === "result");

Deno.test("cli: bench grades judge: assertions with a suite's endpoint judge; met, not met and unreadable answers are logged; reproduce replays", async () => {
  const srv = judgeServer();
  const { dir, suite } = await suiteWith(
    `judge:\n  openai: { base_url: ${srv.url}, model: judge-model }\n`,
  );
  try {
    const out = join(dir, "run");
    const cache = join(dir, "cache");
    const l = await cli("list", suite);
    assert.match(
      l.out,
      /judge: openai judge-model @ http:\/\/127\.0\.0\.1:\d+\/v1 · tasks with judge: checks: 4/,
    );
    const r = await cli("bench", suite, "--out", out, "--cache-dir", cache);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.err,
      /judge: checks of 4 tasks \(5 assertions; 1 advisory\) graded by openai judge-model @/,
    );
    // One request per assertion, each with the grading instructions and the transcript.
    assert.equal(srv.requests.length, 5);
    for (const b of srv.requests) {
      assert.equal(b.model, "judge-model");
      assert.equal(b.tools, undefined, "the judge is offered no tools");
      assert.equal(b.messages[0].content, JUDGE_SYSTEM);
      assert.match(
        b.messages[1].content,
        /assistant calls get_item\(\{"id":"w1"\}\)\ntool get_item: /,
      );
    }
    const report = JSON.parse(await Deno.readTextFile(join(out, "report.json")));
    assertValidReport(report);
    const success = Object.fromEntries(
      report.episodes.map((e: { task: string; success: boolean }) => [e.task, e.success]),
    );
    // advised's one assertion is not met, but it is advisory: the episode succeeds.
    assert.deepEqual(success, { told: true, untold: false, garbled: false, advised: true });
    const [told, untold, garbled, advised] = await results(out);
    assert.deepEqual(judged(advised).map((c) => [c.passed, c.advisory, c.judge?.met]), [[
      false,
      true,
      false,
    ]]);
    assert.deepEqual(judged(told).map((c) => c.judge), [{
      assertion: 'The assistant tells the user "4 units".',
      met: true,
      reason: 'the assistant says "4 units"',
      raw: '{"met":true,"reason":"the assistant says \\"4 units\\""}',
    }]);
    assert.deepEqual(
      judged(untold).map((c) => [c.passed, c.judge?.met]),
      [[true, true], [false, false]],
    );
    const [bad] = judged(garbled);
    assert.equal(bad.passed, false, "an unreadable answer is not a pass");
    assert.equal(bad.judge?.met, null);
    assert.equal(bad.judge?.raw, "I believe the assistant did fine here.");
    assert.match(bad.judge?.error ?? "", /not one JSON object/);
    // The answer checks held: the judge alone failed those two episodes.
    assert.deepEqual(report.overall[0].failed_checks, { judge: 2 });
    assert.deepEqual(report.episodes.map((e: { failed_checks?: string[] }) => e.failed_checks), [
      undefined,
      ["judge"],
      ["judge"],
      undefined,
    ]);
    assert.equal(report.provenance.judge?.name, "judge");
    assert.equal(report.provenance.judge?.openai?.model, "judge-model");
    const md = await Deno.readTextFile(join(out, "report.md"));
    assert.match(md, /\| failed checks \|/);
    assert.match(md, /\| judge 2 \|/);
    assert.match(
      md,
      /- judge \(grades judge: checks\): openai judge-model @ http:\/\/127\.0\.0\.1/,
    );
    assert.doesNotMatch(md, /Not scored/);
    assert.match(md, /\*\*Judge errors: 1 assertion in 1 episode got no readable grade/);
    assert.deepEqual(
      report.episodes.map((e: { judge_errors?: number }) => e.judge_errors),
      [undefined, undefined, 1, undefined],
    );
    const html = await Deno.readTextFile(join(out, "report.html"));
    assert.match(html, /<h3>Failed checks by kind<\/h3>/);

    // In worker threads (each opens its own copy of the judge) the episodes grade the same; a
    // fresh cache makes each worker ask the server again.
    const pooled = join(dir, "pooled");
    const w = await cli(
      "bench",
      suite,
      "--out",
      pooled,
      "--workers",
      "2",
      "--cache-dir",
      join(dir, "cache2"),
    );
    assert.equal(w.code, 0, w.err);
    assert.match(w.err, /2 workers/);
    assert.equal(srv.requests.length, 10);
    const again2 = JSON.parse(await Deno.readTextFile(join(pooled, "report.json")));
    assert.equal(reportFigures(again2), reportFigures(report));

    // reproduce reruns the suite with the same judge; its replies come from the cache.
    const again = await cli("reproduce", join(out, "report.json"), "--cache-dir", cache);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out + again.err, /identical/);
    assert.equal(srv.requests.length, 10, "the rerun's judge replayed its cached replies");
  } finally {
    await srv.close();
  }
});

Deno.test("cli: without a judge, judge: checks are skipped and said to be not scored once, in validate, bench and the report", async () => {
  const { dir, suite } = await suiteWith("");
  const l = await cli("list", suite);
  assert.match(l.out, /judge: none \(not scored\) · tasks with judge: checks: 4/);
  const v = await cli("validate", suite);
  assert.equal(v.code, 0, v.err);
  assert.equal(v.out.match(/not scored/g)?.length, 1, v.out);
  assert.match(
    v.out,
    /judge: checks: 4 tasks, 5 assertions \(1 advisory\) — not scored \(the suite configures no judge\)/,
  );
  const out = join(dir, "run");
  const r = await cli("bench", suite, "--out", out);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err.match(/not scored/g)?.length, 1, r.err);
  const report = JSON.parse(await Deno.readTextFile(join(out, "report.json")));
  // Success rests on the answer checks, which the oracle's answers pass.
  assert.ok(report.episodes.every((e: { success: boolean }) => e.success));
  assert.ok(report.episodes.every((e: { not_scored?: string[] }) => e.not_scored?.[0] === "judge"));
  assert.equal(report.provenance.judge, undefined);
  for (const e of await results(out)) {
    const [skip] = e.checks.filter((c) => c.name === "judge");
    assert.equal(skip.skipped, true);
    assert.match(skip.detail ?? "", /^not scored: the suite configures no judge/);
  }
  const md = await Deno.readTextFile(join(out, "report.md"));
  assert.equal(md.match(/Not scored/g)?.length, 1);
  assert.match(md, /judge: checks of 4 episodes \(4 tasks\)/);
  assert.match(await Deno.readTextFile(join(out, "report.html")), /Not scored: the judge: checks/);
});

Deno.test("cli: a bad judge: entry is a located error (exit 2) before anything runs", async () => {
  const cases: [string, RegExp][] = [
    ["judge:\n  openai: { model: m }\n", /suite\.yaml:8:\d+.*\/judge\/openai.*base_url/s],
    ["judge:\n  scripted: oracle\n", /suite\.yaml:8:\d+.*\/judge.*scripted/s],
    [
      "judge:\n  onnx: no/such/model\n",
      /suite\.yaml:8:\d+.*\/judge\/onnx.*model folder .*no\/such\/model not found/s,
    ],
  ];
  for (const [judge, want] of cases) {
    const { dir, suite } = await suiteWith(judge);
    const r = await cli("bench", suite, "--out", join(dir, "run"));
    assert.equal(r.code, 2, `${judge}: ${r.err}`);
    assert.match(r.err, want);
    const entries = [];
    for await (const e of Deno.readDir(dir)) entries.push(e.name);
    assert.ok(!entries.includes("run"), "nothing ran");
  }
});

Deno.test("cli: a malformed judge: check is a located error with a hint (exit 2)", async () => {
  const { dir, suite } = await suiteWith("");
  const cases: [string, RegExp][] = [
    [
      "judge: { assertion: ['x'], advisory: true }",
      /env\.yaml:\d+:\d+ at \/tasks\/3\/check\/judge\/assertion: unknown key "assertion"\n\s+hint: did you mean "assertions"\?/,
    ],
    ["judge: The assistant says hi.", /at \/tasks\/3\/check\/judge: must be array, not the string/],
    ["judge: []", /at \/tasks\/3\/check\/judge: must NOT have fewer than 1 items/],
  ];
  for (const [bad, want] of cases) {
    await Deno.writeTextFile(
      join(dir, "env.yaml"),
      ENV.replace(
        "judge: { assertions: ['The assistant thanks the user with \"thank you\".'], advisory: true }",
        bad,
      ),
    );
    const r = await cli("validate", suite);
    assert.equal(r.code, 2, `${bad}: ${r.err}`);
    assert.match(r.err, want);
  }
});

Deno.test("serve: an episode driven over the HTTP API gets its judge: checks graded by the suite's judge", async () => {
  const srv = judgeServer();
  const { suite } = await suiteWith(
    `judge:\n  openai: { base_url: ${srv.url}, model: judge-model }\n`,
  );
  const spec = await loadSuite(suite);
  const judge = await openAgent(spec.judge!);
  try {
    const { app } = createApp({ suite: spec, judge });
    const post = async (path: string, body: unknown) =>
      await (await app.request(path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      })).json();
    const created = await post("/v1/sessions", { env: "stock", task: "untold" });
    const id = created.session as string;
    await post(`/v1/sessions/${id}/step`, {
      message: callTools([{ name: "get_item", args: { id: "w1" } }]),
    });
    const step = await post(`/v1/sessions/${id}/step`, { message: say("Yes, w1 has 4 left.") });
    assert.equal(step.done, true);
    const graded = (step.result.checks as Outcome[]).filter((c) => c.name === "judge");
    assert.deepEqual(graded.map((c) => c.judge?.met), [true, false]);
    assert.equal(step.result.success, false);
    assert.equal(srv.requests.length, 2);
  } finally {
    await judge.close?.();
    await srv.close();
  }
});

Deno.test("cli: an oracle failed by the judge alone is the judge's disagreement, not a broken task: bench says so and exits 0", async () => {
  const srv = judgeServer();
  const { dir, suite } = await suiteWith(
    `judge:\n  openai: { base_url: ${srv.url}, model: judge-model }\n`,
  );
  try {
    await Deno.writeTextFile(
      suite,
      (await Deno.readTextFile(suite)).replace(
        "memorizer: { scripted: memorizer }",
        "oracle: { scripted: oracle }",
      ),
    );
    const out = join(dir, "run");
    const r = await cli("bench", suite, "--out", out, "--cache-dir", join(dir, "cache"));
    // untold (a "refund" never offered) and garbled (no readable grade) fail on judge: alone.
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.err,
      /note: the judge failed the oracle in 2 episodes on judge: checks alone \(first: stock\/untold under clean\)/,
    );
    assert.doesNotMatch(r.err, /warning: the oracle failed/);
    const md = await Deno.readTextFile(join(out, "report.md"));
    assert.doesNotMatch(md, /## Broken tasks/);
  } finally {
    await srv.close();
    await Deno.remove(dir, { recursive: true });
  }
});
