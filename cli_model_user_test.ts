// A model playing the user (a suite's `user:`) and the user's own tools (`user_tools:` over
// `user_state:`), through `tooltrial bench` on examples/phone: an OpenAI-compatible server on
// loopback plays the user from its system prompt, the tiny ONNX model plays it badly, the scripted
// user makes its task's calls; bad configurations are located errors (exit 2).
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { runCli as cli } from "./testdata/cli.ts";
import { userServer } from "./testdata/user_server.ts";
import { assertValidReport } from "./reports/mod.ts";

const tmp = await Deno.makeTempDir({ prefix: "tooltrial-model-user-" });
globalThis.addEventListener("unload", () => Deno.removeSync(tmp, { recursive: true }));
const phone = resolve("examples/phone");

type Event = Record<string, unknown> & { type: string; episode?: string };
const events = async (out: string): Promise<Event[]> =>
  (await Deno.readTextFile(join(out, "episodes.jsonl"))).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
const of = (evs: Event[], episode: string) => evs.filter((e) => e.episode === episode);

async function suiteFile(name: string, body: string): Promise<string> {
  const file = join(tmp, `${name}.yaml`);
  await Deno.writeTextFile(file, `tooltrial: 1\nsuite: ${name}\n${body}`);
  return file;
}

Deno.test("bench: an OpenAI-compatible server plays the user from its prompt, calls the user's tools, stops with ###STOP###; reproduce replays it", async () => {
  const srv = userServer();
  try {
    const suite = await suiteFile(
      "served-user",
      `envs: [${phone}]
agents:
  oracle: { scripted: oracle }
  random: { scripted: random, max_random_calls: 1 }
user:
  agent: { openai: { base_url: ${srv.url}, model: user-model } }
  max_turns: 6
protocols:
  direct: {}
  trial: { trial_budget: 1 }
`,
    );
    const out = join(tmp, "served");
    const cache = join(tmp, "cache");
    const r = await cli("bench", suite, "--out", out, "--cache-dir", cache);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(
      r.out + r.err,
      /user \(playing the user\): \d+ turns — \d+ requests to the endpoint/,
    );
    const report = JSON.parse(await Deno.readTextFile(join(out, "report.json")));
    assertValidReport(report);
    // The provenance records who played the user, so that reproduce reruns it.
    const user = report.provenance.user!;
    assert.equal(user.name, "user");
    assert.equal(user.openai!.base_url, srv.url);
    assert.equal(user.openai!.model, "user-model");
    assert.equal(user.max_turns, 6);
    const html = await Deno.readTextFile(join(out, "report.html"));
    assert.ok(html.includes(`played by openai user-model @ ${srv.url}, at most 6 replies`));
    const listed = await cli("list", suite);
    assert.match(
      listed.out,
      new RegExp(`^user: played by openai user-model @ ${srv.url}, at most 6 replies`, "m"),
    );
    const md = await Deno.readTextFile(join(out, "report.md"));
    assert.ok(
      md.includes(`- the user played by openai user-model @ ${srv.url}, at most 6 replies`),
      md,
    );

    const evs = await events(out);
    // Every line fits the episode log's schema, the user's events included.
    const { Ajv2020 } = await import("ajv/dist/2020.js");
    const schema = JSON.parse(await Deno.readTextFile("runners/schema/episode.v1.json"));
    const valid = new Ajv2020({ strict: false, allowUnionTypes: true }).compile(schema);
    for (const e of evs.filter((e) => e.type !== "run" && e.type !== "variant")) {
      assert.ok(valid(e), `${JSON.stringify(e).slice(0, 160)}: ${JSON.stringify(valid.errors)}`);
    }
    assert.ok(evs.some((e) => e.type === "user_tool"));
    const ok = of(evs, "phone/clean/no-data/oracle/direct/0.0");
    const replies = ok.filter((e) => e.type === "message" && e.user);
    // The oracle asks for the phone number: the user model reads it from its prompt's known facts;
    // told to toggle airplane mode, it calls its tool, says what happened, then stops.
    assert.deepEqual(replies.map((e) => [(e.message as { content: string }).content, e.user]), [
      ["555-0101", { source: "model" }],
      ['Done. My phone says: {"airplane_mode":false}', { source: "model" }],
      ["Thanks, that is all. ###STOP###", { source: "model", stop: "###STOP###" }],
    ]);
    const tools = ok.filter((e) => e.type === "user_tool");
    assert.equal(tools.length, 1);
    assert.equal(tools[0].source, "model");
    assert.deepEqual(tools[0].call, {
      id: "call_toggle_airplane_mode",
      name: "toggle_airplane_mode",
      arguments: {},
    });
    // The user's tool calls and reply come before its message in the log.
    assert.ok(ok.indexOf(tools[0]) < ok.indexOf(replies[1]));
    const result = ok.find((e) => e.type === "result")!;
    assert.equal(result.success, true, JSON.stringify(result.checks));
    assert.deepEqual(
      (result.checks as { name: string; passed: boolean }[]).map((c) => [c.name, c.passed]),
      [["actions", true], ["communicate", true], ["user_state", true]],
    );
    assert.equal((result.metrics as { user_turns: number }).user_turns, 3);
    // Under the trial protocol the user takes part in the execution phase only, the same way.
    const trial = of(evs, "phone/clean/no-data/oracle/trial/0.0");
    assert.equal(trial.find((e) => e.type === "result")!.success, true);
    assert.ok(
      trial.filter((e) => e.type === "message" && e.user).every((e) => e.phase === "execute"),
    );
    // The random agent never asks the user to toggle anything: the phone stays in airplane mode.
    const bad = of(evs, "phone/clean/no-data/random/direct/0.0").find((e) => e.type === "result")!;
    const check = (bad.checks as { name: string; passed: boolean; detail?: string }[])
      .find((c) => c.name === "user_state")!;
    assert.equal(check.passed, false);
    assert.match(check.detail!, /^user_state check gave false/);

    // What the model saw: the user-side prompt, its own first message as the assistant's, the
    // agent's messages as the user's, the user's tools (the agent's are never shown to it).
    const first = srv.requests.find((b) => b.messages.length === 4)!;
    const system = first.messages[0].content!;
    assert.match(system, /You are playing the role of a user/);
    assert.match(system, /## Your instructions\nYour phone shows no mobile data\./);
    assert.match(system, /## Who you are\nA commuter in a hurry/);
    assert.match(system, /- phone number: 555-0101/);
    assert.match(system, /###STOP###[^]*###TRANSFER###[^]*###OUT-OF-SCOPE###/);
    assert.deepEqual(first.messages.slice(1).map((m) => [m.role, m.content]), [
      ["user", "Hi! How can I help you today?"],
      ["assistant", "My phone has no mobile data. Can you help?"],
      ["user", "Before I start, could you tell me the phone number?"],
    ]);
    assert.deepEqual(first.tools!.map((t) => t.function.name).sort(), [
      "check_status_bar",
      "toggle_airplane_mode",
    ]);

    // reproduce: the same suite and user, replayed from the cache, gives the same figures.
    const again = await cli("reproduce", join(out, "report.json"), "--cache-dir", cache);
    assert.equal(again.code, 0, again.out + again.err);
    assert.match(again.out, /every figure identical/);
  } finally {
    await srv.close();
  }
});

Deno.test("bench: the tiny random ONNX model plays the user without crashing; the user's turn limit ends each episode", async () => {
  const suite = await suiteFile(
    "onnx-user",
    `envs: [${phone}]
agents:
  oracle: { scripted: oracle }
user:
  agent: { onnx: ${resolve("models/tiny-random")}, device: [cpu], max_new_tokens: 6 }
  max_turns: 2
protocols:
  direct: {}
`,
  );
  const out = join(tmp, "onnx");
  const r = await cli("bench", suite, "--out", out, "--allow-broken-tasks");
  assert.equal(r.code, 0, r.out + r.err);
  const report = JSON.parse(await Deno.readTextFile(join(out, "report.json")));
  assertValidReport(report);
  const onnx = report.provenance.user!.onnx!;
  assert.match(onnx.path, /models\/tiny-random$/);
  assert.match(onnx.model_hash, /^[0-9a-f]{64}$/);
  const evs = await events(out);
  const results = evs.filter((e) => e.type === "result");
  assert.equal(results.length, 2);
  for (const res of results) {
    assert.equal(res.error, "the conversation reached the user's turn limit (2 replies)");
    const replies = of(evs, res.episode!).filter((e) => e.type === "message" && e.user);
    assert.equal(replies.length, 2);
    assert.ok(replies.every((e) => (e.user as { source: string }).source === "model"));
  }
});

Deno.test("bench: the scripted user makes its task's user tool calls; a user_state check passes on them and fails without", async () => {
  const env = (await Deno.readTextFile(join(phone, "env.yaml")))
    .replace("env: phone", "env: phone-calls")
    // A third task: the user holds the same phone but is scripted to do nothing on it.
    .concat(`
  - id: no-data-idle
    query: My phone has no mobile data. Can you help?
    user: { known_info: { phone_number: "555-0101" } }
    gold: [{ tool: get_line, args: { number: "555-0101" } }]
    answer: Your line 555-0101 is active. Please toggle airplane mode off on your phone.
    check:
      user_state: "state.phone[0].airplane_mode = false"
`);
  const dir = join(tmp, "calls");
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(join(dir, "env.yaml"), env);
  const suite = await suiteFile(
    "scripted-calls",
    `envs: [${dir}]\nagents:\n  oracle: { scripted: oracle }\nprotocols:\n  direct: {}\n`,
  );
  const out = join(tmp, "calls-run");
  const r = await cli("bench", suite, "--out", out);
  assert.equal(r.code, 1, "the oracle fails no-data-idle: a broken task");
  const evs = await events(out);
  const verdict = (task: string) =>
    of(evs, `phone-calls/clean/${task}/oracle/direct/0.0`).find((e) => e.type === "result")!;
  assert.equal(verdict("no-data").success, true);
  assert.equal(verdict("suspended").success, true);
  const idle = verdict("no-data-idle");
  assert.equal(idle.success, false);
  assert.deepEqual(idle.checks, [{
    name: "user_state",
    passed: false,
    detail: "user_state check gave false: state.phone[0].airplane_mode is true (wanted = false)",
  }]);
  const calls = of(evs, "phone-calls/clean/no-data/oracle/direct/0.0")
    .filter((e) => e.type === "user_tool");
  assert.deepEqual(calls.map((e) => [e.source, (e.call as { name: string }).name]), [
    ["calls", "toggle_airplane_mode"],
  ]);
  assert.equal(
    of(evs, "phone-calls/clean/no-data-idle/oracle/direct/0.0")
      .filter((e) => e.type === "user_tool").length,
    0,
  );
  // A transcript shows what the user did on its side, before its reply.
  const shown = await cli("show", out, "--task", "no-data");
  assert.equal(shown.code, 0, shown.err);
  assert.match(shown.out, /user ⚙ +toggle_airplane_mode \{\} → \{"airplane_mode":false\}/);
  // validate's replay runs the scripted user's calls too: it finds the idle task's check false.
  const v = await cli("validate", dir);
  assert.equal(v.code, 2);
  assert.match(
    v.err,
    /at \/tasks\/2\/check\/user_state: task no-data-idle: .*user_state check fails after the scripted user's calls \(user: calls:\): user_state check gave false/,
  );
});

Deno.test("bench: a user: that names no agent, a scripted one, a missing model or only: is a located error (exit 2)", async () => {
  const cases: [string, RegExp][] = [
    ["agent: gtp", /at \/user\/agent: no agent "gtp" in agents:\n {4}hint: did you mean "gpt"\?/],
    ["agent: oracle", /at \/user\/agent: a scripted agent cannot play the user/],
    [
      "agent: { onnx: no/such/model }",
      /at \/user\/agent\/onnx: model folder .*no\/such\/model not found/,
    ],
    [
      "agent: { openai: { base_url: http://127.0.0.1:9/v1, model: m }, only: { protocols: [direct] } }",
      /at \/user\/agent\/only: only: does not apply to the user/,
    ],
    ["agent: gpt\n  max_turn: 3", /at \/user\/max_turn: unknown key "max_turn"/],
  ];
  for (const [i, [user, want]] of cases.entries()) {
    const suite = await suiteFile(
      `bad-user-${i}`,
      `envs: [${phone}]
agents:
  oracle: { scripted: oracle }
  gpt: { openai: { base_url: http://127.0.0.1:9/v1, model: m } }
user:
  ${user}
`,
    );
    const r = await cli("validate", suite);
    assert.equal(r.code, 2, `${user}: ${r.out}${r.err}`);
    assert.match(r.err, new RegExp(`${suite.replaceAll(/[.]/g, "\\.")}:\\d+:\\d+ `));
    assert.match(r.err, want);
  }
});

Deno.test("validate: user tools without a user_state, on a handler, over unknown tables, and a task's user side without one are located errors", async () => {
  const expect = async (file: string, want: RegExp[]) => {
    const r = await cli("validate", "--fast", file);
    assert.equal(r.code, 2, r.out + r.err);
    for (const w of want) assert.match(r.err, w);
  };
  await expect("testdata/bad/user/no_user_state.yaml", [
    /no_user_state\.yaml:7:1 at \/user_tools: user_tools: act on a user_state:, which this environment does not declare/,
    /at \/user_tools\/0\/effect\/phone: effect names unknown state table "phone"\n {4}hint: declare it under user_state:/,
    /at \/user_tools\/1\/handler: a user tool runs on JSONata only, but this one has handler:/,
    /at \/tasks\/0\/user\/calls\/0\/tool: the user calls unknown user tool "toggel"\n {4}hint: did you mean "toggle"\?/,
  ]);
  await expect("testdata/bad/user/no_user_side.yaml", [
    /at \/tasks\/0\/user\/state: the task sets the user's state, but the environment declares no user_state:/,
    /at \/tasks\/0\/user\/calls: the task's user makes tool calls, but/,
    /at \/tasks\/0\/check\/user_state: the task checks the user's state, but/,
  ]);
  await expect("testdata/bad/user/user_state_refs.yaml", [
    /at \/user_tools\/0\/result: expression reads unknown state table "items"\n {4}hint: tables: phone/,
    /at \/tasks\/0\/user\/state\/phone\/0\/airplane_mod: table "phone" has no column "airplane_mod"/,
    /at \/tasks\/0\/user\/calls\/0\/args\/on: the user's call does not fit toggle_airplane_mode's parameters: \/on must be boolean/,
    /at \/tasks\/0\/check\/user_state: expression reads unknown state table "phones"\n {4}hint: did you mean "phone"\?/,
  ]);
});

Deno.test("user: every agent kind of the registry either plays the user or is refused with a located error", async () => {
  const { agentKinds } = await import("./runners/agents/registry.ts");
  const plays: string[] = [];
  for (const entry of Object.values(agentKinds)) {
    const example: Record<string, unknown> = structuredClone(entry.example);
    // Example paths are relative to the repository; the suite sits elsewhere.
    for (const k of ["onnx", "recorded"]) {
      if (typeof example[k] === "string") example[k] = resolve(example[k] as string);
    }
    const suite = await suiteFile(
      `kind-${entry.kind}`,
      `envs: [${phone}]\nagents:\n  oracle: { scripted: oracle }\nuser:\n  agent: ${
        JSON.stringify(example)
      }\n`,
    );
    const r = await cli("validate", suite);
    if (r.code === 0) plays.push(entry.kind);
    else {
      assert.equal(r.code, 2, r.out + r.err);
      assert.match(r.err, new RegExp(`at /user/agent: a ${entry.kind} agent cannot play the user`));
    }
  }
  assert.deepEqual(plays.sort(), ["anthropic", "onnx", "openai"]);
});
