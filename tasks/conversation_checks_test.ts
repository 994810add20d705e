// The conversational check kinds — actions, db: replay, communicate — each passing and failing,
// with the reason a failure gives.
import assert from "node:assert/strict";
import { loadEnv } from "../spec/mod.ts";
import type { State, TaskSpec } from "../spec/types.ts";
import { checkTask } from "./checks.ts";

const env = await loadEnv("envs/todo");
const task = (id: string): TaskSpec => env.tasks.find((t) => t.id === id)!;
const outcome = async (t: TaskSpec, opts: Parameters<typeof checkTask>[3], name: string) => {
  const v = await checkTask(t, "ok", env.state, opts);
  return v.checks.find((c) => c.name === name)!;
};

Deno.test("actions: every listed call among the successful ones passes, extra calls allowed", async () => {
  const calls = [
    { tool: "find_tasks", args: { query: "dentist" } },
    { tool: "delete_task", args: { id: "T2" } },
    { tool: "list_tasks", args: {} },
  ];
  assert.deepEqual(await outcome(task("todo-delete"), { calls }, "actions"), {
    name: "actions",
    passed: true,
    detail: undefined,
  });
});

Deno.test("actions: a missing call fails, naming it and the nearest call made", async () => {
  const c = await outcome(
    task("todo-delete"),
    { calls: [{ tool: "delete_task", args: { id: "T3" } }] },
    "actions",
  );
  assert.equal(c.passed, false);
  assert.equal(
    c.detail,
    'missing action: delete_task({"id":"T2"}); nearest: delete_task({"id":"T3"}) (id differs)',
  );
  const none = await outcome(task("todo-delete"), { calls: [] }, "actions");
  assert.match(none.detail!, /no successful call to delete_task$/);
});

Deno.test("actions: compare limits the comparison to the listed arguments; otherwise all count", async () => {
  const t = task("todo-add");
  const extra = { title: "Book the team offsite", list: "work", due: "2026-03-09" };
  assert.ok((await outcome(t, { calls: [{ tool: "add_task", args: extra }] }, "actions")).passed);
  const wrong = { title: "Book the team offsite", list: "home" };
  const c = await outcome(t, { calls: [{ tool: "add_task", args: wrong }] }, "actions");
  assert.match(c.detail!, /\(list differs\)$/);
  // Without compare, an argument the action does not list is a difference too.
  const strict: TaskSpec = {
    ...task("todo-delete"),
    check: { actions: [{ tool: "delete_task", args: { id: "T2" } }] },
  };
  const more = await outcome(strict, {
    calls: [{ tool: "delete_task", args: { id: "T2", force: true } }],
  }, "actions");
  assert.match(more.detail!, /\(force differs\)$/);
});

Deno.test("db: equal to the gold replay passes; the first differing table and row is named", async () => {
  const want: State = { ...env.state, todos: env.state.todos.filter((r) => r.id !== "T2") };
  const t = task("todo-delete");
  const same = await checkTask(t, "ok", want, { expected: { state: want } });
  assert.deepEqual(same.checks.find((c) => c.name === "db"), { name: "db", passed: true });
  const v = await checkTask(t, "ok", env.state, { expected: { state: want } });
  const db = v.checks.find((c) => c.name === "db")!;
  assert.equal(db.passed, false);
  assert.match(
    db.detail!,
    /^final state differs from the gold replay: table "todos" differs at row 1 \(expected 3 rows, got 4\): expected \{.*"id":"T3".*\}, got \{.*"id":"T2".*\}$/,
  );
  const broken = await checkTask(t, "ok", env.state, { expected: { error: "gold call 1 fails" } });
  assert.match(broken.checks.find((c) => c.name === "db")!.detail!, /did not replay: gold call 1/);
});

Deno.test("communicate: each value in some message to the user, case-insensitive", async () => {
  const t = task("todo-delete");
  const said = ["Which task?", 'I deleted "CALL THE DENTIST".'];
  assert.ok((await outcome(t, { messages: said }, "communicate")).passed);
  const c = await outcome(t, { messages: ["Done."] }, "communicate");
  assert.equal(c.passed, false);
  assert.equal(c.detail, 'no message to the user mentions "Call the dentist"');
});
