// tooltrial import tau2 through the CLI: the mock domain's data → envs/tau2-mock (kept in sync),
// validated and benched; the tools answer as tau2's; what each task field becomes; tasks left out
// with their reasons; bad input located, exit 2, nothing written.
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { parse } from "yaml";
import { loadEnv } from "../spec/mod.ts";
import { runCli } from "../testdata/cli.ts";
import { validateAndBench } from "../testdata/imported_suite.ts";
import { declarativeEnv } from "../tools/mod.ts";

const MOCK = "testdata/tau2/mock";
const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

async function filesUnder(dir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(join(dir, rel))) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await filesUnder(dir, p));
    else out.push(p);
  }
  return out.sort();
}

Deno.test("import tau2 mock: envs/tau2-mock as committed; it validates; oracle 100%, memorizer collapses under renames, explorer recovers", async () => {
  const tmp = await Deno.makeTempDir();
  const out = join(tmp, "mock");
  const r = await runCli("import", "tau2", MOCK, "--out", out);
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.out,
    /wrote .*env\.yaml \(env "tau2-mock": 4 tools, 6 tasks; 4 problems skipped\)/,
  );
  assert.match(
    r.out,
    /note: judge: 6 nl_assertions of 4 tasks \(create_task_1, .*\), all advisory \(outside the reward_basis\): graded only when the suite configures a judge/,
  );
  const skipped = r.err.split("\n").filter((l) => l.startsWith("skipped: "));
  assert.deepEqual(skipped.map((l) => l.match(/task (\S+) left out/)?.[1]), [
    "create_task_1_with_env_assertions",
    "create_task_1_nl_eval",
    "update_task_with_initialization_actions",
    "update_task_with_user_tools",
  ]);
  assert.match(skipped[1], /tasks\.json:76:28 at \/2\/evaluation_criteria: .*reward 1 whatever/);
  assert.match(skipped[3], /at \/8\/initial_state\/initialization_actions\/0: .*user's side/);
  // The committed env is this import's output, byte for byte — but for the first line of each
  // spec, which points editors at the schema from where the file lies.
  const files = await filesUnder(out);
  assert.deepEqual(files, await filesUnder("envs/tau2-mock"));
  const body = async (path: string) => {
    const text = await Deno.readTextFile(path);
    if (!text.startsWith("# yaml-language-server: $schema=")) return text;
    const schema = text.slice(text.indexOf("=") + 1, text.indexOf("\n"));
    assert.ok((await Deno.stat(resolve(dirname(path), schema))).isFile, `${path}: ${schema}`);
    return text.slice(text.indexOf("\n") + 1);
  };
  for (const f of files) {
    assert.equal(
      await body(join(out, f)),
      await body(join("envs/tau2-mock", f)),
      `envs/tau2-mock/${f} differs from a fresh import: rm -r envs/tau2-mock && tooltrial import tau2 ${MOCK} --out envs/tau2-mock`,
    );
  }
  for (const f of ["db.json", "policy.md"]) {
    const from = await Deno.readTextFile(join(MOCK, f));
    if (f === "policy.md") assert.equal(await Deno.readTextFile(join(out, f)), from);
    else {
      const db = JSON.parse(from);
      for (const t of ["tasks", "users"]) {
        const rows = JSON.parse(await Deno.readTextFile(join(out, `db/${t}.json`)));
        assert.deepEqual(rows, Object.values(db[t]));
      }
    }
  }
  assert.match(
    await Deno.readTextFile(join(out, "LICENSE")),
    /MIT License\n\nCopyright \(c\) 2025 Sierra Research/,
  );
  const rate = await validateAndBench(out, join(tmp, "run"), /6 tasks; 48 task replays/);
  assert.deepEqual(rate("oracle", "clean"), [1, 1]); // direct, trial
  assert.deepEqual(rate("oracle", "renamed"), [1, 1]);
  assert.deepEqual(rate("memorizer", "clean"), [1, 1]);
  assert.deepEqual(rate("memorizer", "renamed"), [0, 0]);
  assert.deepEqual(rate("explorer", "renamed"), [1, 1]);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("tau2-mock tools answer as tau2's tools.py: results, errors, state", async () => {
  const env = declarativeEnv(await loadEnv("envs/tau2-mock"));
  let state = env.initialState;
  const call = async (name: string, args: Record<string, unknown>) => {
    const r = await env.step(state, { id: "c", name, arguments: args });
    state = r.state;
    return JSON.parse(JSON.stringify(r.observation));
  };
  assert.deepEqual(
    await call("create_task", {
      user_id: "user_1",
      title: "New task",
      description: "A new test task",
    }),
    {
      ok: true,
      result: {
        task_id: "task_2",
        title: "New task",
        description: "A new test task",
        status: "pending",
      },
    },
  );
  assert.deepEqual(await call("create_task", { user_id: "user_1", title: "Bare" }), {
    ok: true,
    result: { task_id: "task_3", title: "Bare", description: null, status: "pending" },
  });
  assert.deepEqual(JSON.parse(JSON.stringify(state.users)), [
    { user_id: "user_1", name: "Test User", tasks: ["task_1", "task_2", "task_3"] },
  ]);
  assert.deepEqual(await call("create_task", { user_id: "nonexistent", title: "x" }), {
    ok: false,
    error: { kind: "tool_error", message: "User nonexistent not found" },
  });
  assert.deepEqual(await call("update_task_status", { task_id: "task_1", status: "completed" }), {
    ok: true,
    result: {
      task_id: "task_1",
      title: "Test task",
      description: "A test task",
      status: "completed",
    },
  });
  assert.deepEqual(
    await call("update_task_status", { task_id: "nonexistent", status: "pending" }),
    {
      ok: false,
      error: { kind: "tool_error", message: "Task nonexistent not found" },
    },
  );
  const bad = await call("update_task_status", { task_id: "task_1", status: "done" });
  assert.equal(!bad.ok && bad.error.kind, "invalid_arguments");
  assert.deepEqual((await call("get_users", {})).result[0].tasks, ["task_1", "task_2", "task_3"]);
  assert.deepEqual(await call("transfer_to_human_agents", { summary: "x" }), {
    ok: true,
    result: "Transfer successful",
  });
});

/** A tau2 domain folder named mock holding these tasks (and the mock db and policy). */
async function domainWith(tasks: unknown[]): Promise<string> {
  const dir = join(await Deno.makeTempDir(), "mock");
  await Deno.mkdir(dir);
  for (const f of ["db.json", "policy.md"]) await Deno.copyFile(join(MOCK, f), join(dir, f));
  await Deno.writeTextFile(join(dir, "tasks.json"), JSON.stringify(tasks, null, 2));
  return dir;
}

const scenario = {
  persona: null,
  instructions: {
    domain: "mock",
    reason_for_call: "You want a task for the offsite, and your manager told you to ask.",
    known_info: "You are Test User.\nYour user id is user_1.",
    unknown_info: null,
    task_instructions: "If the agent asks for a title, say 'Book the offsite'.",
  },
};

Deno.test("import tau2: the scenario becomes a scripted user, the reward basis the checks", async () => {
  const dir = await domainWith([
    {
      id: "t1",
      user_scenario: scenario,
      initial_state: {
        initialization_data: {
          agent_data: { tasks: { task_1: { status: "completed" } } },
        },
        message_history: [{ role: "user", content: "Hello." }, {
          role: "assistant",
          content: "Hi! How can I help?",
        }],
      },
      evaluation_criteria: {
        actions: [
          { action_id: "a", name: "get_users", arguments: {} },
          {
            action_id: "b",
            name: "create_task",
            arguments: { user_id: "user_1", title: "Book the offsite", description: "Q3" },
            compare_args: ["title"],
          },
        ],
        env_assertions: [
          {
            env_type: "assistant",
            func_name: "assert_number_of_tasks",
            arguments: { user_id: "user_1", expected_number: 2 },
          },
          {
            env_type: "assistant",
            func_name: "assert_task_status",
            arguments: { task_id: "task_2", expected_status: "completed" },
            assert_value: false,
          },
        ],
        communicate_info: ["task_2"],
        nl_assertions: ["The agent is polite."],
        reward_basis: ["DB", "ENV_ASSERTION", "ACTION", "COMMUNICATE"],
      },
    },
  ]);
  const out = join(dir, "out");
  const r = await runCli("import", "tau2", dir, "--out", out, "--name", "offsite");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /note: judge: 1 nl_assertions of 1 task \(t1\), all advisory/);
  const text = await Deno.readTextFile(join(out, "env.yaml"));
  assert.match(
    text,
    /# tau2 task t1\n {2}# reward_basis: DB, ENV_ASSERTION, ACTION, COMMUNICATE\n {2}# nl_assertions → judge: advisory \(not in reward_basis: /,
  );
  const [task] = parse(text).tasks;
  // Outside the reward_basis, as tau2's all_with_nl_assertions grades them: deciding nothing.
  assert.deepEqual(task.check.judge, { assertions: ["The agent is polite."], advisory: true });
  assert.equal(task.query, "I want a task for the offsite, and my manager told me to ask.");
  assert.deepEqual(task.history, [
    { role: "user", content: "Hello." },
    { role: "assistant", content: "Hi! How can I help?" },
  ]);
  assert.deepEqual(task.state, {
    tasks: [{
      task_id: "task_1",
      title: "Test task",
      description: "A test task",
      status: "completed",
    }],
  });
  // Values the reference actions need that only the scenario holds: the user tells them.
  assert.deepEqual(task.user.known_info, { user_id: "user_1", title: "Book the offsite" });
  assert.match(
    task.user.instructions,
    /^Reason for call: You want .*\nKnown info: You are Test User\./,
  );
  assert.deepEqual(task.gold.map((g: { tool: string }) => g.tool), ["get_users", "create_task"]);
  assert.deepEqual(task.check, {
    db: "replay",
    state: '($count(state.users[user_id = "user_1"].tasks) = 2) and ' +
      '$not(state.tasks[task_id = "task_2"].status = "completed")',
    communicate: ["task_2"],
    actions: [
      { tool: "get_users", args: {} },
      {
        tool: "create_task",
        args: { user_id: "user_1", title: "Book the offsite", description: "Q3" },
        compare: ["title"],
      },
    ],
    judge: { assertions: ["The agent is polite."], advisory: true },
  });
  const v = await runCli("validate", out);
  assert.equal(v.code, 0, v.err);
  const b = await runCli("bench", join(out, "suite.yaml"), "--out", join(dir, "run"), "--quiet");
  assert.equal(b.code, 0, b.err);
  const report = JSON.parse(await Deno.readTextFile(join(dir, "run", "report.json")));
  for (const o of report.overall.filter((o: { agent: string }) => o.agent === "oracle")) {
    assert.equal(o.success_rate, 1, JSON.stringify(o));
  }
  await Deno.remove(join(dir, ".."), { recursive: true });
});

Deno.test("import tau2: tasks tooltrial cannot score as tau2 does are listed with the reason and left out", async () => {
  const task = (id: string, extra: Record<string, unknown>) => ({
    id,
    user_scenario: { instructions: `Mark task_1 completed (${id}).` },
    evaluation_criteria: {
      actions: [{
        name: "update_task_status",
        arguments: { task_id: "task_1", status: "completed" },
      }],
    },
    ...extra,
  });
  const crit = (c: Record<string, unknown>) => ({
    evaluation_criteria: {
      actions: [{
        name: "update_task_status",
        arguments: { task_id: "task_1", status: "completed" },
      }],
      ...c,
    },
  });
  const dir = await domainWith([
    task("ok", {}),
    task("judge", crit({ nl_assertions: ["x"], reward_basis: ["DB", "NL_ASSERTION"] })),
    task("user-action", {
      evaluation_criteria: {
        actions: [{ name: "dismiss_notification", requestor: "user", arguments: {} }],
      },
    }),
    task("user-data", { initial_state: { initialization_data: { user_data: { a: {} } } } }),
    task(
      "unknown-assertion",
      crit({
        env_assertions: [{ env_type: "assistant", func_name: "assert_magic", arguments: {} }],
        reward_basis: ["ENV_ASSERTION"],
      }),
    ),
    task("failing-gold", {
      evaluation_criteria: {
        actions: [{
          name: "update_task_status",
          arguments: { task_id: "task_9", status: "completed" },
        }],
      },
    }),
    task("unknown-tool", {
      evaluation_criteria: { actions: [{ name: "delete_task", arguments: { task_id: "task_1" } }] },
    }),
    task("history-differs", {
      initial_state: {
        message_history: [
          { role: "user", content: "Add one." },
          {
            role: "assistant",
            tool_calls: [{
              id: "c1",
              name: "create_task",
              arguments: { user_id: "user_1", title: "A" },
            }],
          },
          { role: "tool", id: "c1", content: '{"task_id": "task_7"}' },
        ],
      },
    }),
    task("vacuous", { evaluation_criteria: { nl_assertions: ["x"] } }),
  ]);
  const out = join(dir, "out");
  const r = await runCli("import", "tau2", dir, "--out", out);
  assert.equal(r.code, 0, r.err);
  const why = Object.fromEntries(
    r.err.split("\n").filter((l) => l.startsWith("skipped: ")).map((l) => [
      l.match(/task (\S+) left out/)![1],
      l.replace(/^skipped: \S+ at /, ""),
    ]),
  );
  assert.deepEqual(Object.keys(why).sort(), [
    "failing-gold",
    "history-differs",
    "unknown-assertion",
    "unknown-tool",
    "user-action",
    "user-data",
    "vacuous",
  ]);
  assert.match(
    why["user-action"],
    /^\/2\/evaluation_criteria\/actions\/0: .*user calls dismiss_notification/,
  );
  assert.match(why["user-data"], /^\/3\/initial_state\/initialization_data\/user_data: /);
  assert.match(
    why["unknown-assertion"],
    /func_name: .*assert_magic is not an assertion tooltrial knows/,
  );
  assert.match(why["failing-gold"], /update_task_status fails here: Task task_9 not found/);
  assert.match(why["unknown-tool"], /delete_task is not one of the mock tools/);
  assert.match(
    why["history-differs"],
    /message_history\/1\/tool_calls\/0: .*returns \{"task_id":"task_2".* where tau2 recorded \{"task_id": "task_7"\}/,
  );
  assert.match(why.vacuous, /nothing its reward_basis \(DB, COMMUNICATE\) scores can fail/);
  assert.match(r.out, /2 tasks; 7 problems skipped/);
  // NL_ASSERTION in the reward_basis: its nl_assertions are a judge: check that decides success.
  const judged = parse(await Deno.readTextFile(join(out, "env.yaml"))).tasks
    .find((t: { id: string }) => t.id === "judge");
  assert.deepEqual(judged.check, { db: "replay", judge: ["x"] });
  assert.match(
    await Deno.readTextFile(join(out, "README.md")),
    /The `nl_assertions` of `judge` are `judge:` checks/,
  );
  await Deno.remove(join(dir, ".."), { recursive: true });
});

Deno.test("import tau2: bad input is a located error, exit 2, and nothing is written", async () => {
  const cases: [string, string | undefined, RegExp][] = [
    ["tasks.json", "[{]", /tasks\.json:1:3: not JSON/],
    ["tasks.json", '[{"id": "a"}]', /tasks\.json:1:2 at \/0: missing required key "user_scenario"/],
    [
      "tasks.json",
      '[{"id": "a", "user_scenario": {"instructions": "x"},\n "evaluation_criteria": {"reward_basis": ["DB", "DBB"]}}]',
      /tasks\.json:2:49 at \/0\/evaluation_criteria\/reward_basis\/1: "DBB" is not one of DB, .*\n\s+hint: did you mean "DB"\?/,
    ],
    [
      "tasks.json",
      '[{"id": "a", "user_scenario": {"instructions": "Mark task_1 done."}, "evaluation_criteria": {"actions": []}},\n{"id": "a", "user_scenario": {"instructions": "y"}}]',
      /tasks\.json:2:8 at \/1\/id: task id "a" is also task 0's/,
    ],
    ["tasks.json", '{"tasks": []}', /tasks\.json:1:1: must be array, not a mapping/],
    ["tasks.json", "[]", /tasks\.json:1:1: no task could be imported/],
    [
      "db.json",
      '{"tasks": {}, "users": {}, "notes": {}}',
      /db\.json:1:\d+ at \/notes: the mock domain has no table "notes"/,
    ],
    [
      "db.json",
      '{"tasks": {"t1": {"task_id": "t2"}}, "users": {}}',
      /db\.json:1:\d+ at \/tasks\/t1: row "t1" of "tasks" must be an object whose task_id is "t1"/,
    ],
    ["policy.md", "  \n", /policy\.md:1:1: the policy is empty/],
    ["policy.md", undefined, /tau2 policy .*policy\.md: not found/],
  ];
  for (const [file, text, message] of cases) {
    const dir = await domainWith([{
      id: "ok",
      user_scenario: { instructions: "Mark task_1 completed." },
      evaluation_criteria: {
        actions: [{
          name: "update_task_status",
          arguments: { task_id: "task_1", status: "completed" },
        }],
      },
    }]);
    if (text === undefined) await Deno.remove(join(dir, file));
    else await Deno.writeTextFile(join(dir, file), text);
    const out = join(dir, "out");
    const r = await runCli("import", "tau2", dir, "--out", out);
    assert.equal(r.code, 2, `${file} ${text}: ${r.out}${r.err}`);
    assert.match(r.err, message);
    assert.ok(!(await exists(out)), "nothing written");
    await Deno.remove(join(dir, ".."), { recursive: true });
  }
  // A folder of a domain tooltrial has no tools for; --domain names one.
  const dir = join(await Deno.makeTempDir(), "retail");
  await Deno.mkdir(dir);
  const r = await runCli("import", "tau2", dir, "--out", join(dir, "out"));
  assert.equal(r.code, 2);
  assert.match(
    r.err,
    /retail:1:1: tooltrial has no tools for a tau2 domain "retail" \(the folder's name\)\n\s+hint: domains it can import: mock, airline/,
  );
  for (const f of ["tasks.json", "db.json", "policy.md"]) {
    await Deno.copyFile(join(MOCK, f), join(dir, f));
  }
  const ok = await runCli("import", "tau2", dir, "--domain", "mock", "--out", join(dir, "out"));
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /env "tau2-mock"/);
  await Deno.remove(join(dir, ".."), { recursive: true });
});

Deno.test("import tau2 --skip-bad: a malformed task is listed and left out", async () => {
  const dir = await domainWith([
    { id: "bad", user_scenario: {} },
    {
      id: "ok",
      user_scenario: { instructions: "Mark task_1 completed." },
      evaluation_criteria: {
        actions: [{
          name: "update_task_status",
          arguments: { task_id: "task_1", status: "completed" },
        }],
      },
    },
  ]);
  const r = await runCli("import", "tau2", dir, "--out", join(dir, "out"), "--skip-bad");
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.err,
    /skipped: .*tasks\.json:\d+:\d+ at \/0\/user_scenario: missing required key "instructions"/,
  );
  assert.match(r.out, /1 task; 1 problem skipped/);
  await Deno.remove(join(dir, ".."), { recursive: true });
});
