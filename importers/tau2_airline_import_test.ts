// tooltrial import tau2 on an airline domain folder, through the CLI: five of tau2's airline tasks
// (testdata/tau2/airline-mini, over the rows of db.json they touch) become a suite that validates
// and that the oracle passes under clean and renamed tools, where the memorizer fails and the
// explorer recovers. envs/tau2-airline is the same import of the whole domain.
import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "yaml";
import { runCli } from "../testdata/cli.ts";
import { validateAndBench } from "../testdata/imported_suite.ts";

const MINI = "testdata/tau2/airline-mini";

Deno.test("import tau2 airline: tasks become conversations over the airline tools; oracle 100%, memorizer collapses under renames, explorer recovers", async () => {
  const tmp = await Deno.makeTempDir();
  const out = join(tmp, "airline");
  const r = await runCli("import", "tau2", MINI, "--domain", "airline", "--out", out);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /wrote .*env\.yaml \(env "tau2-airline": 14 tools, 5 tasks\)/);
  assert.doesNotMatch(r.err, /skipped:/);
  assert.match(r.out, /note: judge: 16 nl_assertions of 5 tasks \(.*\), all advisory/);

  // The database as state tables, rows in db.json's order.
  const db = JSON.parse(await Deno.readTextFile(join(MINI, "db.json")));
  for (const t of ["flights", "users", "reservations"]) {
    const rows = JSON.parse(await Deno.readTextFile(join(out, `db/${t}.json`)));
    assert.deepEqual(rows, Object.values(db[t]), t);
  }
  const env = parse(await Deno.readTextFile(join(out, "env.yaml")));
  assert.deepEqual(env.state.users, { file: "db/users.json" });
  const task = env.tasks.find((t: { id: string }) => t.id === "14");
  // Task 14: cancel one reservation, book another with a certificate, a gift card and a card.
  assert.deepEqual(task.gold.map((g: { tool: string }) => g.tool), [
    "cancel_reservation",
    "book_reservation",
  ]);
  assert.deepEqual(task.gold[1].args.payment_methods, [
    { payment_id: "certificate_3765853", amount: 500 },
    { payment_id: "gift_card_8020792", amount: 198 },
    { payment_id: "gift_card_6136092", amount: 129 },
    { payment_id: "credit_card_2198526", amount: 1786 },
  ]);
  const { judge, ...scored } = task.check;
  assert.deepEqual(scored, { db: "replay", communicate: ["327", "1000", "1786"] });
  // Its five nl_assertions are outside its reward_basis (DB, COMMUNICATE): advisory.
  assert.equal(judge.advisory, true);
  assert.equal(judge.assertions.length, 5);
  assert.match(judge.assertions[2], /cancel reservation K1NW8N/);
  assert.match(task.query, /^I /);
  assert.deepEqual(Object.keys(task.user.known_info), [
    "user_id",
    "cabin",
    "first_name",
    "last_name",
  ]);
  // At most five gold calls a task: the protocols' default turn limit (12) is enough. The whole
  // domain's longest task (19 calls) gets a limit of its own, the same under both protocols.
  const suite = parse(await Deno.readTextFile(join(out, "suite.yaml")));
  assert.deepEqual(suite.protocols, { direct: {}, trial: { trial_budget: 6 } });
  const full = parse(await Deno.readTextFile("envs/tau2-airline/env.yaml"));
  const longest = Math.max(...full.tasks.map((t: { gold?: unknown[] }) => t.gold?.length ?? 0));
  const fullSuite = parse(await Deno.readTextFile("envs/tau2-airline/suite.yaml"));
  assert.equal(fullSuite.protocols.direct.max_turns, longest + 10);
  assert.equal(fullSuite.protocols.trial.max_turns, longest + 10);

  const rate = await validateAndBench(out, join(tmp, "run"), /5 tasks; 40 task replays/);
  assert.deepEqual(rate("oracle", "clean"), [1, 1]); // direct, trial
  assert.deepEqual(rate("oracle", "renamed"), [1, 1]);
  assert.deepEqual(rate("memorizer", "clean"), [1, 1]);
  assert.deepEqual(rate("memorizer", "renamed"), [0, 0]);
  assert.deepEqual(rate("explorer", "renamed"), [1, 1]);
  await Deno.remove(tmp, { recursive: true });
});
