import assert from "node:assert/strict";
import { loadEnv } from "../spec/mod.ts";
import { checkTask } from "./checks.ts";
import { gradeAssertions, parseJudgeAnswer } from "./judge.ts";

Deno.test("judge answers: one JSON object, alone or fenced; prose, arrays, wrong types and trailing text are errors", () => {
  assert.deepEqual(parseJudgeAnswer('  {"met": false, "reason": "no", "score": 0}\n'), {
    met: false,
    reason: "no",
  });
  assert.deepEqual(parseJudgeAnswer('```json\n{"met": true, "reason": "yes"}\n```'), {
    met: true,
    reason: "yes",
  });
  for (
    const bad of [
      "",
      "yes",
      '{"met": true, "reason": "yes"} I am sure.',
      '[{"met": true, "reason": "yes"}]',
      '{"met": 1, "reason": "yes"}',
      '{"met": true}',
      'Here: ```json\n{"met": true, "reason": "x"}\n```',
    ]
  ) {
    assert.ok("error" in parseJudgeAnswer(bad), bad);
  }
});

Deno.test("judge checks: one request per assertion, in order; a failing judge is an error, not a pass; advisory failures decide nothing", async () => {
  const asked: string[] = [];
  const grader = {
    ask(messages: readonly { content: string | null }[], opts: { seed: number }) {
      const text = messages[1].content!;
      asked.push(`${opts.seed}:${text.slice(text.lastIndexOf("\n") + 1)}`);
      if (text.endsWith("down")) return Promise.reject(new Error("503 overloaded"));
      return Promise.resolve(JSON.stringify({ met: text.endsWith("true"), reason: "r" }));
    },
  };
  const transcript = [{ role: "user" as const, content: "hi" }];
  const out = await gradeAssertions(
    { assertions: ["a true", "b false", "c down"], advisory: false },
    { grader, transcript, seed: 7 },
  );
  assert.deepEqual(asked, ["7:a true", "7:b false", "7:c down"]);
  assert.deepEqual(out.map((o) => [o.passed, o.judge?.met]), [[true, true], [false, false], [
    false,
    null,
  ]]);
  assert.match(out[2].judge!.error!, /^the judge failed: 503 overloaded/);

  const env = await loadEnv("envs/todo");
  const task = env.tasks[0];
  const judged = (advisory: boolean) => ({
    ...task,
    check: { judge: { assertions: ["b false"], advisory } },
  });
  const input = { judge: { grader, transcript, seed: 0 } };
  const strict = await checkTask(judged(false), "x", env.state, input);
  assert.equal(strict.passed, false);
  const advisory = await checkTask(judged(true), "x", env.state, input);
  assert.equal(advisory.passed, true, "an advisory check decides nothing");
  assert.equal(advisory.checks[0].passed, false);
  assert.equal(advisory.checks[0].advisory, true);
  // No judge: skipped, decides nothing, says so.
  const none = await checkTask(judged(false), "x", env.state, {});
  assert.equal(none.passed, true);
  assert.deepEqual(none.checks.map((c) => [c.name, c.skipped]), [["judge", true]]);
});
