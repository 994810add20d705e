import assert from "node:assert/strict";
import fc from "fast-check";
import { compileExpr } from "../spec/mod.ts";
import type { AnswerCheck } from "../spec/types.ts";
import { CHECK_KINDS, checkAnswer, checkPointer, checkTask, numbersIn } from "./checks.ts";
import { loadEnv } from "../spec/mod.ts";

const passes = async (c: AnswerCheck, answer: string | null) =>
  (await checkAnswer(c, answer, {})).every((o) => o.passed);

Deno.test("equals: trimmed, case-insensitive, whole answer", async () => {
  assert.ok(await passes({ equals: "Dune" }, "  dune "));
  assert.ok(!(await passes({ equals: "Dune" }, "Dune Messiah")));
});

Deno.test("contains and excludes: every listed piece", async () => {
  assert.ok(await passes({ contains: ["b42", "due"] }, "Book B42 is due on Friday"));
  assert.ok(!(await passes({ contains: ["b42", "due"] }, "b42")));
  assert.ok(!(await passes({ contains: ["b42"], excludes: ["b43"] }, "b42 and b43")));
});

Deno.test("regex and number with tolerance", async () => {
  assert.ok(await passes({ regex: /can'?not|unable/i }, "I am unable to do that."));
  assert.ok(await passes({ number: { value: 1234.5, tol: 0.01 } }, "The total is 1,234.50 EUR"));
  assert.ok(!(await passes({ number: { value: 10, tol: 0.5 } }, "about 11")));
});

Deno.test("jsonata over answer and state", async () => {
  const c: AnswerCheck = { jsonata: compileExpr("$contains(answer, state.books[0].id)") };
  assert.ok((await checkAnswer(c, "it is b1", { books: [{ id: "b1" }] })).every((o) => o.passed));
});

Deno.test("no final answer fails every answer check", async () => {
  assert.ok(!(await passes({ excludes: ["x"] }, null)));
  assert.ok(!(await passes({ regex: /.*/ }, null)));
});

Deno.test("numbersIn: ids with hyphens are not negative numbers", () => {
  assert.deepEqual(numbersIn("ORD-10433 costs -5 or 1,299.99"), [10433, -5, 1299.99]);
});

Deno.test("property: numbersIn finds every integer written in text", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -1e6, max: 1e6 }), { maxLength: 6 }), (xs) => {
      const text = xs.map((x) => `item ${x};`).join(" ");
      assert.deepEqual(numbersIn(text), xs);
    }),
    { seed: 3, numRuns: 200 },
  );
});

Deno.test("check kinds: the registry is the env schema's check keys, and each judges through checkTask", async () => {
  const schema = JSON.parse(await Deno.readTextFile("spec/schema/env.json"));
  const keys = Object.keys(schema.$defs.task.properties.check.properties);
  assert.deepEqual(CHECK_KINDS.map((k) => k.key).sort(), [...keys].sort());
  for (const k of CHECK_KINDS) assert.ok(k.summary.length > 10, k.key);
  // A task that uses every kind: each runs, in registry order, and its failures point at its spec.
  const env = await loadEnv("envs/todo");
  const task = env.tasks.find((t) => t.check.actions && t.check.communicate)!;
  const full = {
    ...task,
    check: {
      ...task.check,
      answer: { contains: ["never said"] },
      state: compileExpr("false"),
      calls: {
        answers: [{ nope: {} }],
        mode: "strict" as const,
        names: {},
        functions: {},
      },
      db: "replay" as const,
      user_state: compileExpr("$count(state.phone) = 2"),
      judge: { assertions: ["The assistant says hello."], advisory: false },
    },
  };
  const grader = { ask: () => Promise.resolve('{"met": false, "reason": "no"}') };
  const v = await checkTask(full as typeof task, "hello", env.state, {
    calls: [],
    messages: [],
    userState: { phone: [{ airplane_mode: true }] },
    judge: { grader, transcript: [], seed: 0 },
  });
  const ran = [
    ...new Set(v.checks.map((c) => CHECK_KINDS.find((k) => k.key === c.name)?.key ?? "answer")),
  ];
  assert.deepEqual(ran, CHECK_KINDS.map((k) => k.key));
  assert.ok(v.checks.every((c) => !c.passed), JSON.stringify(v.checks));
  assert.deepEqual(v.checks.map(checkPointer), [
    "/check/answer/contains",
    "/check/calls",
    "/check/actions",
    "/check/state",
    "/check/db",
    "/check/communicate",
    "/check/user_state",
    "/check/judge",
  ]);
});
