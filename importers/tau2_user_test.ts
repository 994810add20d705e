import assert from "node:assert/strict";
import { argumentLeaves, firstPerson, knownInfo, mentions } from "./tau2_user.ts";

Deno.test("firstPerson: tau2's instructions to its user as the user's own words", () => {
  const cases: [string, string][] = [
    [
      "You are a team member who needs to create a task. Your goal is to track it.",
      "I am a team member who needs to create a task. My goal is to track it.",
    ],
    [
      "You want to cancel reservation EHGLP3. It is ok because you were out of town.",
      "I want to cancel reservation EHGLP3. It is ok because I was out of town.",
    ],
    [
      "If Agent tells you that it is not possible, you don't want it.",
      "If Agent tells me that it is not possible, I don't want it.",
    ],
    [
      "Continue. Now you want to mark the task as completed.",
      "Continue. Now I want to mark the task as completed.",
    ],
    ["You're sure it is yours; ask for yourself.", "I'm sure it is mine; ask for myself."],
    ["Request that task_1 be marked as completed.", "Request that task_1 be marked as completed."],
  ];
  for (const [from, to] of cases) assert.equal(firstPerson(from), to);
});

Deno.test("mentions: whole tokens, case-insensitive", () => {
  assert.ok(mentions("Create a task called 'Important Meeting' for user_1.", "important meeting"));
  assert.ok(mentions("for user_1.", "user_1"));
  assert.ok(!mentions("for user_10", "user_1"));
  assert.ok(!mentions("task_12", "task_1"));
  assert.ok(mentions("costs $12.50 in total", "12.50"));
  assert.ok(!mentions("anything", ""));
});

Deno.test("knownInfo: gold values only the scenario holds, keyed by argument, each once", () => {
  const leaves = argumentLeaves({
    user_id: "emma_kim_9957",
    reservation_id: "EHGLP3",
    passengers: [{ first_name: "Emma", last_name: "Kim" }, { first_name: "Ava", last_name: "Kim" }],
    amount: 2,
  });
  assert.deepEqual(leaves.map((l) => l.key), [
    "user_id",
    "reservation_id",
    "first_name",
    "last_name",
    "first_name",
    "last_name",
    "amount",
  ]);
  const facts = knownInfo(leaves, {
    scenario: "You are Emma Kim, travelling with Ava. Your user id is emma_kim_9957. 2 bags.",
    said: "I want to change reservation EHGLP3.",
  });
  // EHGLP3 was said already; "Kim" is told once; "2" is too short to be a fact.
  assert.deepEqual(facts, {
    user_id: "emma_kim_9957",
    first_name: "Emma",
    last_name: "Kim",
    "first_name 2": "Ava",
  });
});
