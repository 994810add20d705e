import assert from "node:assert/strict";
import { loadSuite } from "../spec/mod.ts";
import { sampleTasks } from "../spec/task_sample.ts";
import { runSuite } from "./run.ts";
import { auditTasks } from "./audit_tasks.ts";

// suites/full.yaml: every built-in environment and task under every variant of the default suite.
// Only the oracle runs every episode here (the default suite's test covers the other agents).
const full = await loadSuite("suites/full.yaml");
const fast = await loadSuite("suite.yaml");
const tasks = full.envs.flatMap((e) => e.tasks);

Deno.test("full suite: at least 8 environments, 60 tools and 400 tasks of every kind", () => {
  assert.ok(full.envs.length >= 8, `${full.envs.length} envs`);
  const tools = full.envs.reduce((n, e) => n + e.tools.length, 0);
  assert.ok(tools >= 60, `${tools} tools`);
  assert.ok(tasks.length >= 400, `${tasks.length} tasks`);
  for (const env of full.envs) {
    const split = new Set(env.tasks.map((t) => t.split));
    assert.deepEqual(
      [...split].sort(),
      ["seen", "unseen"],
      `${env.name} has seen and unseen tasks`,
    );
  }
  const kinds = {
    "single-step": tasks.filter((t) => t.gold.length === 1),
    "multi-step": tasks.filter((t) => t.gold.length >= 2),
    "multi-hop": tasks.filter((t) => t.tags.includes("multi-hop")),
    "write with a state check": tasks.filter((t) => t.tags.includes("write") && t.check.state),
    "no valid tool": tasks.filter((t) => t.gold.length === 0),
  };
  for (const [kind, ts] of Object.entries(kinds)) {
    assert.ok(ts.length >= 20, `${kind}: ${ts.length}`);
  }
  // A task no tool can do must be judged on a refusal, never pass on silence.
  for (const t of kinds["no valid tool"]) {
    assert.ok(t.check.answer?.regex, `${t.id} checks a refusal`);
  }
});

Deno.test("full suite: held-out environments and tool families are declared and matched", () => {
  assert.ok(full.heldout.envs.length >= 1 && full.heldout.tools.length >= 3);
  assert.deepEqual(full.heldout, fast.heldout);
  assert.deepEqual(full.variants.map((v) => v.name), fast.variants.map((v) => v.name));
});

Deno.test("default suite: the same environments, each a documented sample of its full task list", () => {
  assert.equal(fast.tasksPerEnv, 12);
  assert.deepEqual(fast.envs.map((e) => e.name), full.envs.map((e) => e.name));
  for (const [i, env] of fast.envs.entries()) {
    const expected = sampleTasks(full.envs[i].tasks, 12).map((t) => t.id);
    assert.deepEqual(env.tasks.map((t) => t.id), expected, env.name);
    assert.ok(env.tasks.some((t) => t.split === "unseen"), `${env.name} samples unseen tasks`);
  }
});

const oracle = await runSuite(full, { agents: ["oracle"], concurrency: 4 });

Deno.test("full suite: oracle solves every task under every variant and protocol, without errors", () => {
  assert.equal(oracle.length, tasks.length * (full.variants.length + 1) * full.protocols.length);
  const failed = oracle.filter((e) => !e.success);
  assert.deepEqual(failed.map((e) => `${e.id}: ${e.error ?? JSON.stringify(e.events.at(-1))}`), []);
  const bad = oracle.flatMap((e) =>
    e.events.filter((ev) =>
      ev.type === "tool" && !ev.observation.ok && ev.observation.error.kind !== "unavailable"
    ).map((ev) => `${e.id}: ${JSON.stringify(ev.type === "tool" && ev.observation)}`)
  );
  assert.deepEqual(bad, []);
});

// What `tooltrial validate` checks: every task replays under every variant, every value an answer
// check expects is in what the gold calls returned (or the query), and no task is ambiguous.
Deno.test("full suite: validate's task audit finds nothing", async () => {
  const audit = await auditTasks(full.envs, { suite: full });
  assert.deepEqual(audit.issues.map((i) => `${i.file}:${i.line}: ${i.message}`), []);
  assert.equal(audit.replayed, tasks.length * (full.variants.length + 1));
});

Deno.test("full suite: explorer solves every clean task under both protocols", async () => {
  const eps = await runSuite(full, { agents: ["explorer"], variants: ["clean"], concurrency: 4 });
  assert.equal(eps.length, tasks.length * full.protocols.length);
  assert.deepEqual(eps.filter((e) => !e.success).map((e) => e.id), []);
});
