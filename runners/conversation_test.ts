// Conversational tasks end to end: the example suite through the CLI (scores, user turns in the
// log, the policy as each variant shows it), and the episode's rules — history, a task's own state,
// transfer_to_human, the turn limit, the user only in the execution phase, the env's clock.
import assert from "node:assert/strict";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { loadEnv } from "../spec/mod.ts";
import type { ProtocolSpec, TaskSpec } from "../spec/types.ts";
import { runCli as cli } from "../testdata/cli.ts";
import { declarativeEnv } from "../tools/mod.ts";
import { applyVariant } from "../variants/mod.ts";
import type { Agent } from "./agent.ts";
import { runEpisode } from "./episode.ts";
import type { EpisodeEvent } from "./events.ts";
import { callTools, say } from "../core/messages.ts";

const spec = await loadEnv("envs/todo");
const task = (id: string): TaskSpec => spec.tasks.find((t) => t.id === id)!;
const direct: ProtocolSpec = { name: "direct", kind: "direct", trialBudget: 0, maxTurns: 12 };
const trial: ProtocolSpec = { name: "trial", kind: "trial", trialBudget: 2, maxTurns: 12 };
const RENAMED = {
  name: "renamed",
  ops: [{ op: "rename_tools", options: { level: "medium", style: "reverse" } }],
};

type Line = EpisodeEvent & Record<string, unknown>;
const out = await Deno.makeTempDir();
const bench = await cli("bench", "envs/todo/suite.yaml", "--out", out, "--quiet");
const lines: Line[] = bench.code === 0
  ? (await Deno.readTextFile(join(out, "episodes.jsonl"))).trim().split("\n").map((l) =>
    JSON.parse(l)
  )
  : [];
const report = bench.code === 0 ? await Deno.readTextFile(join(out, "report.md")) : "";
await Deno.remove(out, { recursive: true });

/** The events of the bench episode with this id (env/variant/task/agent/protocol/seed.sample). */
const episode = (id: string) => lines.filter((l) => l.episode === id);
const messages = (id: string) =>
  episode(id).flatMap((l) => (l.type === "message" ? [{ ...l.message, user: l.user }] : []));

Deno.test("todo suite through the CLI: oracle 100%, memorizer collapses under renames, explorer recovers", () => {
  assert.equal(bench.code, 0, bench.err);
  for (const p of ["direct", "trial"]) {
    assert.match(
      report,
      new RegExp(`\\| oracle \\| ${p} \\| 100\\.0% \\| 100\\.0% \\(±0\\.0\\) \\|`),
    );
    assert.match(
      report,
      new RegExp(`\\| memorizer \\| ${p} \\| 100\\.0% \\| 0\\.0% \\(−100\\.0\\) \\|`),
    );
    assert.match(
      report,
      new RegExp(`\\| explorer \\| ${p} \\| 100\\.0% \\| 100\\.0% \\(±0\\.0\\) \\|`),
    );
  }
});

Deno.test("todo suite: user turns are message events with where they came from, and validate against the log schema", async () => {
  const schema = JSON.parse(await Deno.readTextFile("runners/schema/episode.v1.json"));
  const validate = new Ajv2020({ strict: false, allowUnionTypes: true }).compile(schema);
  for (const l of lines) assert.ok(validate(l), JSON.stringify(validate.errors?.slice(0, 2)));
  const said = messages("todo/clean/todo-delete/oracle/direct/0.0").slice(1);
  assert.deepEqual(said.map((m) => [m.role, m.content, m.user?.source]), [
    ["user", "Hi! Please delete one of my tasks.", undefined],
    ["assistant", "Before I start, could you tell me the task title?", undefined],
    ["user", "Call the dentist", "known_info"],
    ["assistant", null, undefined],
    ["assistant", null, undefined],
    ["assistant", 'I deleted "Call the dentist" (T2).', undefined],
    ["user", "###STOP###", "stop"],
  ]);
  assert.deepEqual(said[2].user, { source: "known_info", keys: ["task_title"] });
  // A scripted turn, then the stop.
  const turns = messages("todo/clean/todo-complete/oracle/direct/0.0").filter((m) => m.user);
  assert.deepEqual(turns.map((m) => m.user), [{ source: "turns", index: 0 }, { source: "stop" }]);
  // Under the trial protocol, the user takes part in the execution phase only.
  const trialUser = episode("todo/clean/todo-delete/explorer/trial/0.0")
    .filter((l) => l.type === "message" && l.user);
  assert.ok(trialUser.length > 0);
  assert.ok(trialUser.every((l) => l.type === "message" && l.phase === "execute"));
  // Failed checks say why, in the log.
  const failed = episode("todo/renamed/todo-delete/memorizer/direct/0.0").find((l) =>
    l.type === "result"
  )!;
  assert.ok(failed.type === "result" && !failed.success);
  assert.deepEqual(failed.checks.map((c) => [c.name, c.passed]), [
    ["actions", false],
    ["db", false],
    ["communicate", false],
  ]);
  assert.match(failed.checks[0].detail!, /missing action: delete_task\(\{"id":"T2"\}\)/);
  assert.match(failed.checks[1].detail!, /table "todos" differs at row 1/);
  assert.match(failed.checks[2].detail!, /no message to the user mentions "Call the dentist"/);
});

Deno.test("policy: in the system prompt of both protocols, with the tool names a rename variant shows", () => {
  for (const p of ["direct", "trial"]) {
    const clean = messages(`todo/clean/todo-delete/oracle/${p}/0.0`)[0];
    assert.equal(clean.role, "system");
    assert.match(clean.content!, /\n\n## Policy\n[^]*Never call `delete_task` before/);
    const renamed = messages(`todo/renamed/todo-delete/oracle/${p}/0.0`)[0].content!;
    assert.match(renamed, /Never call `ksat_eteled` before[^]*call `namuh_ot_refsnart`/);
    assert.doesNotMatch(renamed, /delete_task|find_tasks|transfer_to_human/);
  }
  const env = applyVariant(declarativeEnv(spec), RENAMED, { seed: 0 });
  assert.equal(
    env.policy,
    spec.policy!.replaceAll("delete_task", "ksat_eteled")
      .replaceAll("find_tasks", "sksat_dnif").replaceAll("complete_task", "ksat_etelpmoc")
      .replaceAll("transfer_to_human", "namuh_ot_refsnart"),
  );
});

Deno.test("history: after the system prompt and before the query; a task's own state is where it starts", () => {
  const said = messages("todo/clean/todo-complete/oracle/direct/0.0");
  assert.deepEqual(said.slice(1, 4).map((m) => [m.role, m.content]), [
    ["user", "I bought the milk this morning."],
    ["assistant", 'Great! Shall I mark "Buy milk" as done?'],
    ["user", "Yes, please mark it done."],
  ]);
  // todo-add starts from its own two-task list: the new task is T3, not T5.
  const added = episode("todo/clean/todo-add/oracle/direct/0.0").find((l) => l.type === "tool");
  assert.ok(added && added.type === "tool" && added.observation.ok);
  assert.deepEqual(added.observation.result, { id: "T3" });
});

Deno.test("transfer_to_human ends the conversation; the agent's last plain message is its answer", () => {
  const events = episode("todo/clean/todo-transfer/explorer/direct/0.0");
  const last = events.at(-2)!;
  assert.ok(last.type === "tool" && last.canonical?.tool === "transfer_to_human");
  const result = events.at(-1)!;
  assert.ok(result.type === "result" && result.success && result.error === null);
  assert.equal(result.answer, "");
});

/** An agent that says `text` every turn (after calling `first`, if given). */
function chatter(text: string, first?: { name: string; args: Record<string, unknown> }): Agent {
  return {
    name: "chatter",
    start: () => {
      let n = 0;
      return {
        act: () => Promise.resolve(n++ === 0 && first ? callTools([first]) : say(`${text} ${n}`)),
      };
    },
  };
}

Deno.test("the turn limit ends a conversation: an error, and the last plain message as the answer", async () => {
  const t: TaskSpec = {
    ...task("todo-complete"),
    user: { ...task("todo-complete").user!, turns: ["a", "b", "c", "d"] },
  };
  const rec = await runEpisode(declarativeEnv(spec), t, {
    agent: chatter("Anything else?"),
    protocol: { ...direct, maxTurns: 3 },
    episode: { id: "e", seed: 0, sample: 0 },
  });
  assert.equal(rec.error, "the conversation reached the turn limit (3 turns)");
  assert.equal(rec.answer, "Anything else? 3");
  const users = rec.events.filter((e) => e.type === "message" && e.user);
  assert.equal(users.length, 2, "no reply after the last turn");
});

Deno.test("trial protocol: the trial notes get no user reply; the user answers in the execution phase", async () => {
  const rec = await runEpisode(declarativeEnv(spec), task("todo-complete"), {
    agent: chatter("Thanks.", { name: "list_tasks", args: {} }),
    protocol: trial,
    episode: { id: "e", seed: 0, sample: 0 },
  });
  const phases = rec.events.flatMap((e) =>
    e.type === "message" ? [[e.phase, e.message.role, e.user?.source ?? null]] : []
  );
  assert.deepEqual(phases.slice(-6), [
    ["trial", "assistant", null], // the notes end the trial phase
    ["execute", "user", null], // the execution notice holds the user's first message
    ["execute", "assistant", null],
    ["execute", "user", "turns"],
    ["execute", "assistant", null],
    ["execute", "user", "stop"],
  ]);
  assert.equal(rec.error, null);
});

Deno.test("now: $now() gives the env's time (a fixed default otherwise), never the wall clock", async () => {
  const env = declarativeEnv(spec);
  const r = await env.step(env.initialState, {
    id: "c",
    name: "add_task",
    arguments: { title: "Pay rent", list: "home" },
  });
  assert.ok(r.observation.ok);
  assert.equal(r.state.todos.at(-1)!.due, "2026-03-02");
  assert.equal(spec.now, "2026-03-02T09:00:00.000Z");
  const dir = await Deno.makeTempDir();
  try {
    const text = await Deno.readTextFile("envs/todo/env.yaml");
    await Deno.writeTextFile(join(dir, "env.yaml"), text.replace(/^now: .*\n/m, ""));
    await Deno.writeTextFile(join(dir, "policy.md"), "Be kind.");
    const plain = declarativeEnv(await loadEnv(join(dir, "env.yaml")));
    const s = await plain.step(plain.initialState, {
      id: "c",
      name: "add_task",
      arguments: { title: "Pay rent", list: "home" },
    });
    assert.equal(s.state.todos.at(-1)!.due, "2026-01-15");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
