import assert from "node:assert/strict";
import fc from "fast-check";
import { compileExpr } from "../spec/mod.ts";
import type { AnswerCheck } from "../spec/types.ts";
import { checkAnswer, numbersIn } from "./checks.ts";

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
