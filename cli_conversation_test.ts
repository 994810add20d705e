// Conversational keys through `tooltrial validate`: each mistake is a located error (exit 2) with
// a hint, and a conversational check the gold calls or the reference answer do not satisfy is
// caught by the replay.
import assert from "node:assert/strict";
import { runCli as cli } from "./testdata/cli.ts";

/** Validate `path` and require exit 2 and every `[line:col at pointer, message]`. */
async function located(path: string, fast: boolean, want: [string, RegExp][]) {
  const r = await cli("validate", ...(fast ? ["--fast"] : []), path);
  assert.equal(r.code, 2, r.out + r.err);
  for (const [where, message] of want) {
    const line = r.err.split("\n").find((l) => l.startsWith(`${path}:${where}: `));
    assert.ok(line, `no error at ${where} in:\n${r.err}`);
    assert.match(line, message);
  }
  assert.equal(
    r.err.split("\n").filter((l) => l.startsWith(`${path}:`)).length,
    want.length,
    r.err,
  );
  assert.match(r.err, /\n {4}hint: /);
}

Deno.test("validate: bad shapes of now:, history:, user: and db: are located schema errors", async () => {
  await located("testdata/bad/conversation/schema.yaml", true, [
    ["4:6 at /now", /"tomorrow" does not match/],
    ["16:17 at /tasks/0/history/0/role", /"system" is not one of user, assistant/],
    ["18:7 at /tasks/0/user/known_infos", /unknown key "known_infos"/],
    ["23:11 at /tasks/0/check/db", /"again" is not one of replay/],
  ]);
  const r = await cli("validate", "--fast", "testdata/bad/conversation/schema.yaml");
  assert.match(r.err, /known_infos"\n {4}hint: did you mean "known_info"\?/);
});

Deno.test("validate: a missing policy file, a bad clock, task state and actions that do not fit the env are located errors", async () => {
  await located("testdata/bad/conversation/semantics.yaml", true, [
    ["4:6 at /now", /"2026-02-30T09:00:00Z" is not a date in the calendar/],
    ["5:17 at /policy/file", /policy file .*no_such_policy\.md not found/],
    ["24:22 at /tasks/0/state/extra/file", /data file .*no_such_table\.csv not found/],
    ["22:25 at /tasks/0/state/notes/0/txt", /table "notes" has no column "txt" in the environment/],
    [
      "22:48 at /tasks/0/state/notes/0/pinned",
      /column "pinned" of table "notes" holds boolean values in the environment, but here a string/,
    ],
    [
      "23:7 at /tasks/0/state/note",
      /adds table "note", one letter away from the environment's "notes"/,
    ],
    ["33:19 at /tasks/0/check/actions/0/tool", /the action names unknown tool "pin_notes"/],
    [
      "34:41 at /tasks/0/check/actions/1/args/id",
      /do not fit pin_note's parameters: \/id must be string/,
    ],
    [
      "35:74 at /tasks/0/check/actions/2/compare/1",
      /compare names "colour", which the action's args do not give/,
    ],
    ["35:45 at /tasks/0/check/actions/2/args/force", /pin_note has no parameter "force"/],
  ]);
  const r = await cli("validate", "--fast", "testdata/bad/conversation/semantics.yaml");
  assert.match(r.err, /"txt" in the environment\n {4}hint: did you mean "text"\?/);
  assert.match(r.err, /"pin_notes"\n {4}hint: did you mean "pin_note"/);
});

Deno.test("validate: the oracle's replay catches actions and communicate checks its gold calls and messages miss", async () => {
  await located("testdata/bad/tasks/conversation_checks.yaml", false, [
    [
      "30:9 at /tasks/0/check/actions",
      /task n-1: under clean and every variant .*: actions check fails after the gold calls: missing action: pin_note\(\{"id":"n2"\}\); nearest: pin_note\(\{"id":"n1"\}\) \(id differs\)/,
    ],
    [
      "32:20 at /tasks/0/check/communicate",
      /communicate check fails on the oracle's messages .*"Pinned your note\."\]: no message to the user mentions "Call mum"/,
    ],
  ]);
});

Deno.test("validate: the conversational example replays cleanly under every default variant", async () => {
  const r = await cli("validate", "envs/todo");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /ok {2}envs\/todo {2}\(env "todo": 6 tools, 4 tasks; 32 task replays\)/);
});
