/**
 * `judge:` checks: natural-language assertions about a conversation, each graded by a judge
 * agent (the suite's `judge:`) that must answer with one JSON object, `{"met": …, "reason": …}`.
 * The check itself is pure: the judge comes in as a {@linkcode Grader}, which the runner builds
 * from the suite's agent.
 * @module
 */
import type { Message } from "../core/messages.ts";
import type { JudgeCheck } from "../spec/types.ts";

/** What grades an assertion: the judge agent's raw reply to one request. */
export interface Grader {
  /** Send the grading messages; resolves to the judge's reply text, rejects when it gave none. */
  ask(messages: readonly Message[], opts: { seed: number }): Promise<string>;
}

/** What a `judge:` check reads besides the assertions: who grades, and what. */
export interface JudgeInput {
  /** The judge; absent: the suite configures none, and the check is skipped (not scored). */
  grader?: Grader;
  /** The execution phase's conversation: user and agent messages, tool calls and results. */
  transcript: readonly Message[];
  /** The episode's seed (sent with each request; endpoints that take one sample reproducibly). */
  seed: number;
}

/** One assertion's grade, as logged with its check outcome. */
export interface JudgeRecord {
  /** The assertion graded. */
  assertion: string;
  /** Whether the judge found it met; null when its answer could not be read or it gave none. */
  met: boolean | null;
  /** The judge's reason, when its answer could be read. */
  reason?: string;
  /** The judge's reply as it came (empty when it gave none). */
  raw: string;
  /** Why the reply does not count as a grade (unparseable, or the judge failed). */
  error?: string;
}

/** What the judge is told about its job and the answer's format. */
export const JUDGE_SYSTEM: string =
  "You grade one assertion about a conversation between an assistant and a user, including the " +
  "assistant's tool calls and their results. Decide from the transcript alone whether the " +
  "assertion holds. Answer with exactly one JSON object and nothing else: " +
  '{"met": true, "reason": "<one sentence>"} if it holds, {"met": false, "reason": "<one sentence>"} ' +
  "if it does not.";

/**
 * The conversation as the judge reads it, one line per message: `user: …`, `assistant: …`,
 * `assistant calls name({…})`, `tool name: …` (system messages left out).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { transcriptText } from "./judge.ts";
 * const t = transcriptText([
 *   { role: "user", content: "Borrow Dune" },
 *   { role: "assistant", content: null, tool_calls: [{ id: "c", type: "function", function: { name: "borrow", arguments: '{"id":"b42"}' } }] },
 *   { role: "tool", tool_call_id: "c", name: "borrow", content: '{"ok":true}' },
 *   { role: "assistant", content: "Done: b42" },
 * ]);
 * assert.equal(t, 'user: Borrow Dune\nassistant calls borrow({"id":"b42"})\ntool borrow: {"ok":true}\nassistant: Done: b42');
 * ```
 */
export function transcriptText(messages: readonly Message[]): string {
  const lines: string[] = [];
  for (const m of messages) {
    if (m.role === "system") continue;
    if (m.role === "tool") lines.push(`tool ${m.name}: ${m.content}`);
    else if (m.role === "user") lines.push(`user: ${m.content}`);
    else {
      if (m.content) lines.push(`assistant: ${m.content}`);
      for (const c of m.tool_calls ?? []) {
        lines.push(`assistant calls ${c.function.name}(${c.function.arguments})`);
      }
    }
  }
  return lines.join("\n");
}

/**
 * The messages that ask the judge about one assertion: the grading instructions, then the
 * transcript and the assertion under fixed headings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { judgeMessages } from "./judge.ts";
 * const m = judgeMessages("user: hi", "The assistant greets the user.");
 * assert.ok(m[1].content!.endsWith("ASSERTION\nThe assistant greets the user."));
 * ```
 */
export function judgeMessages(transcript: string, assertion: string): Message[] {
  return [
    { role: "system", content: JUDGE_SYSTEM },
    { role: "user", content: `TRANSCRIPT\n${transcript}\n\nASSERTION\n${assertion}` },
  ];
}

/**
 * Read a judge's reply: one JSON object with a boolean `met` and a string `reason` (other keys
 * ignored), alone or as the only content of one fenced code block. Anything else is an error,
 * never a pass.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseJudgeAnswer } from "./judge.ts";
 * assert.deepEqual(parseJudgeAnswer('{"met": true, "reason": "said b42"}'), { met: true, reason: "said b42" });
 * assert.ok("error" in parseJudgeAnswer("Yes, it holds."));
 * assert.ok("error" in parseJudgeAnswer('{"met": "yes", "reason": "x"}'));
 * ```
 */
export function parseJudgeAnswer(
  raw: string,
): { met: boolean; reason: string } | { error: string } {
  const text = raw.trim();
  const fenced = text.match(/^```[A-Za-z]*\s*\n([\s\S]*?)\n?```$/);
  const body = (fenced ? fenced[1] : text).trim();
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return {
      error: `the judge's answer is not one JSON object ({"met": true|false, "reason": "…"}): ${
        clip(text)
      }`,
    };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { error: `the judge's answer is JSON but not an object: ${clip(text)}` };
  }
  const { met, reason } = value as { met?: unknown; reason?: unknown };
  if (typeof met !== "boolean") {
    return { error: `the judge's answer has no boolean "met": ${clip(text)}` };
  }
  if (typeof reason !== "string") {
    return { error: `the judge's answer has no string "reason": ${clip(text)}` };
  }
  return { met, reason };
}

const clip = (s: string) => JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);

/** One `judge:` outcome (the shape of tasks/checks.ts's `CheckOutcome`, kept local). */
export interface JudgeOutcome {
  /** Always `judge`. */
  name: "judge";
  /** Whether the assertion was met (true for a skipped check: it decides nothing). */
  passed: boolean;
  /** Why it failed, or why it was skipped. */
  detail?: string;
  /** The grade, with the judge's raw answer. */
  judge?: JudgeRecord;
  /** Skipped: no judge configured; not scored. */
  skipped?: true;
  /** Graded and logged, but success does not depend on it. */
  advisory?: true;
}

/**
 * Grade each assertion of a `judge:` check, one request each, in order: an outcome per assertion
 * (met → passed; not met, an unreadable answer or a judge that failed → failed, the last two with
 * `error` in the record). With no judge, one skipped outcome that decides nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gradeAssertions } from "./judge.ts";
 * const grader = { ask: () => Promise.resolve('{"met": false, "reason": "never said"}') };
 * const [o] = await gradeAssertions({ assertions: ["says b42"], advisory: false }, { grader, transcript: [], seed: 0 });
 * assert.ok(!o.passed && o.judge?.met === false);
 * const [s] = await gradeAssertions({ assertions: ["says b42"], advisory: false }, { transcript: [], seed: 0 });
 * assert.ok(s.passed && s.skipped);
 * ```
 */
export async function gradeAssertions(
  spec: JudgeCheck,
  input: JudgeInput,
): Promise<JudgeOutcome[]> {
  const advisory = spec.advisory ? { advisory: true as const } : {};
  const n = spec.assertions.length;
  if (!input.grader) {
    return [{
      name: "judge",
      passed: true,
      skipped: true,
      ...advisory,
      detail: `not scored: the suite configures no judge (${n} assertion${n === 1 ? "" : "s"})`,
    }];
  }
  const text = transcriptText(input.transcript);
  const out: JudgeOutcome[] = [];
  for (const assertion of spec.assertions) {
    let raw: string;
    try {
      raw = await input.grader.ask(judgeMessages(text, assertion), { seed: input.seed });
    } catch (err) {
      const error = `the judge failed: ${err instanceof Error ? err.message : String(err)}`;
      out.push({
        name: "judge",
        passed: false,
        ...advisory,
        detail: `${JSON.stringify(assertion)}: ${error}`,
        judge: { assertion, met: null, raw: "", error },
      });
      continue;
    }
    const read = parseJudgeAnswer(raw);
    if ("error" in read) {
      out.push({
        name: "judge",
        passed: false,
        ...advisory,
        detail: `${JSON.stringify(assertion)}: ${read.error}`,
        judge: { assertion, met: null, raw, error: read.error },
      });
      continue;
    }
    out.push({
      name: "judge",
      passed: read.met,
      ...advisory,
      ...(read.met ? {} : { detail: `not met: ${JSON.stringify(assertion)}: ${read.reason}` }),
      judge: { assertion, met: read.met, reason: read.reason, raw },
    });
  }
  return out;
}
