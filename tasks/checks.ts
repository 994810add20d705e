import { exprErrorMessage } from "../spec/mod.ts";
import type { AnswerCheck, Call, Check, State, TaskSpec } from "../spec/types.ts";
import { checkActions } from "./actions.ts";
import { type CallStages, checkCalls } from "./calls/mod.ts";
import { unsaid } from "./communicate.ts";
import { explainFalse } from "./explain.ts";
import { gradeAssertions, type JudgeInput, type JudgeRecord } from "./judge.ts";
import { stateDiff } from "./state_diff.ts";

/** Outcome of one named check. */
export interface CheckOutcome {
  /** Which check (`answer.contains`, `state`, `calls`, …). */
  name: string;
  /** Whether it held. */
  passed: boolean;
  /** Why it failed, when it did. */
  detail?: string;
  /** A first-action `calls` check's RoTBench stages (tool selection, parameters, values). */
  stages?: CallStages;
  /** A `judge:` outcome's grade: the assertion, met or not, the reason and the judge's raw answer. */
  judge?: JudgeRecord;
  /** Not scored (a `judge:` check with no judge configured): it decides nothing. */
  skipped?: true;
  /** Graded and logged, but success does not depend on it (`judge: {advisory: true}`). */
  advisory?: true;
}

/** A task's outcome: success when every check passed (advisory ones aside). */
export interface TaskVerdict {
  /** Whether every check held, advisory ones aside. */
  passed: boolean;
  /** Each check's outcome, in order. */
  checks: CheckOutcome[];
}

/** What judging an episode needs besides its final answer and state. */
export interface CheckInput {
  /** The execution-phase calls that succeeded, in canonical names (`calls`, `actions`). */
  calls?: readonly Call[];
  /**
   * Every execution-phase call the agent tried, in order (null for one that reached no tool;
   * default: `calls`): what a `first_action_only` calls check reads.
   */
  attempted?: readonly (Call | null)[];
  /** What the agent wrote to the user in the execution phase, in order (`communicate`). */
  messages?: readonly string[];
  /**
   * The state the task's gold calls give from its initial state (`db: replay`), or why it could
   * not be computed.
   */
  expected?: { state: State } | { error: string };
  /** The simulated user's final `user_state` (`user_state`), in an episode whose env has one. */
  userState?: State;
  /** Who grades `judge:` checks and what they read; absent or without a grader: not scored. */
  judge?: JudgeInput;
}

/**
 * Judge an episode: the final answer (null if the agent never gave one), the final real state,
 * and what the other checks read — the successful execution-phase calls in canonical names
 * (`calls`, `actions`), every call it tried (null for one that reached no tool; default: the
 * succeeded ones), which a `first_action_only` calls check reads, the agent's messages to the user
 * (`communicate`), and the state the gold calls give (`db`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkTask } from "./checks.ts";
 * import { loadEnv } from "../spec/mod.ts";
 * const env = await loadEnv("envs/library");
 * const v = await checkTask(env.tasks[0], "no idea", env.state);
 * assert.ok(v.passed === false);
 * ```
 */
export async function checkTask(
  task: TaskSpec,
  answer: string | null,
  state: State,
  opts: CheckInput = {},
): Promise<TaskVerdict> {
  const checks: CheckOutcome[] = [];
  const ctx = { answer, state, input: opts };
  for (const kind of CHECK_KINDS) {
    const spec = task.check[kind.key];
    // deno-lint-ignore no-explicit-any
    if (spec !== undefined) checks.push(...await kind.judge(spec as any, ctx));
  }
  return { passed: checks.every((c) => c.passed || c.advisory), checks };
}

/** What every check kind reads of an episode. */
export interface CheckContext {
  /** The final answer, null if the agent never gave one. */
  answer: string | null;
  /** The final (real) state. */
  state: State;
  /** Calls, messages and the replayed state (see `checkTask`). */
  input: CheckInput;
}

/** A key under a task's `check:`. */
export type CheckKey = keyof Check;

/**
 * One kind of task check: the key it is written under in a task's `check:` and how it judges an
 * episode (one outcome, or one per part for `answer`). `CHECK_KINDS` lists them in the order
 * they run and are logged; a test holds it equal to the `check` keys of the env schema.
 */
export interface CheckKind<K extends CheckKey = CheckKey> {
  /** The key it is written under in a task's `check:`. */
  key: K;
  /** One line on what it checks. */
  summary: string;
  /** The JSON Schema of its key under `check:` (spec/schema/env.json is written from it). */
  schema: Readonly<Record<string, unknown>>;
  /** Where a failed outcome's spec sits under the task (`/check/state`, `/check/answer/regex`). */
  pointer(outcome: CheckOutcome): string;
  /** Judge an episode by this check's spec: its outcomes, in order. */
  judge(spec: NonNullable<Check[K]>, ctx: CheckContext): Promise<CheckOutcome[]>;
}

const whole = (key: CheckKey) => () => `/check/${key}`;

const answerKind: CheckKind<"answer"> = {
  key: "answer",
  schema: { $ref: "#/$defs/answerCheck" },
  summary: "the final answer: equals, contains, excludes, regex, number, jsonata",
  pointer: (o) => `/check/answer/${o.name}`,
  judge: (spec, ctx) => checkAnswer(spec, ctx.answer, ctx.state),
};

const callsKind: CheckKind<"calls"> = {
  key: "calls",
  schema: { $ref: "#/$defs/callsCheck" },
  summary: "the successful calls against BFCL-style possible answers",
  pointer: whole("calls"),
  judge: (spec, ctx) => {
    const v = checkCalls(ctx.input.calls ?? [], spec, { attempted: ctx.input.attempted });
    return Promise.resolve([{
      name: "calls",
      passed: v.valid,
      detail: v.valid ? undefined : `${v.error_type}: ${v.errors.join("; ")}`,
      ...(v.stages ? { stages: v.stages } : {}),
    }]);
  },
};

const actionsKind: CheckKind<"actions"> = {
  key: "actions",
  schema: {
    type: "array",
    minItems: 1,
    description:
      "Calls that must each appear among the execution phase's successful calls, in canonical names (extra calls allowed, any order; each expected call is matched by its own call).",
    items: {
      type: "object",
      required: ["tool"],
      additionalProperties: false,
      properties: {
        tool: { type: "string", description: "The tool's canonical name." },
        args: {
          type: "object",
          description:
            "The arguments the call must carry: all of them and no others, unless compare limits the comparison.",
        },
        compare: {
          type: "array",
          items: { type: "string" },
          description:
            "Compare only these arguments (each must be in args; [] compares the tool alone); other arguments of the call may be anything.",
        },
      },
    },
  },
  summary: "calls that must appear among the successful ones (extra calls allowed)",
  pointer: whole("actions"),
  judge: (spec, ctx) => {
    const v = checkActions(spec, ctx.input.calls ?? []);
    return Promise.resolve([{ name: "actions", passed: v.passed, detail: v.detail }]);
  },
};

const stateKind: CheckKind<"state"> = {
  key: "state",
  schema: {
    $ref: "#/$defs/expr",
    description: "JSONata over {state} (the final state); must be true.",
  },
  summary: "a JSONata expression over the final state that must be true",
  pointer: whole("state"),
  async judge(spec, { state }) {
    try {
      const v = await spec.evaluate({ state });
      const why = v === true ? "" : await explainFalse(spec.source, { state }, { now: spec.now });
      return [{
        name: "state",
        passed: v === true,
        detail: v === true
          ? undefined
          : `state check gave ${JSON.stringify(v) ?? "nothing"}${why ? `: ${why}` : ""}`,
      }];
    } catch (err) {
      return [{
        name: "state",
        passed: false,
        detail: `state check failed: ${exprErrorMessage(err)}`,
      }];
    }
  },
};

const dbKind: CheckKind<"db"> = {
  key: "db",
  schema: {
    enum: ["replay"],
    description:
      "replay: run the task's gold calls on the task's initial state; the agent's final state must equal the result, table by table (rows in order).",
  },
  summary: "the final state equals the one the gold calls give (replay)",
  pointer: whole("db"),
  judge: (_spec, ctx) => Promise.resolve([dbCheck(ctx.state, ctx.input.expected)]),
};

const communicateKind: CheckKind<"communicate"> = {
  key: "communicate",
  schema: {
    type: "array",
    minItems: 1,
    items: {
      type: ["string", "number"],
    },
    description:
      "Values each of which must appear (case-insensitive) in some message the agent wrote to the user in the execution phase.",
  },
  summary: "values some message to the user must mention",
  pointer: whole("communicate"),
  judge: (spec, ctx) => {
    const missing = unsaid(spec, ctx.input.messages ?? []);
    return Promise.resolve([{
      name: "communicate",
      passed: missing.length === 0,
      detail: missing.length === 0
        ? undefined
        : `no message to the user mentions ${missing.map((m) => JSON.stringify(m)).join(", ")}`,
    }]);
  },
};

const userStateKind: CheckKind<"user_state"> = {
  key: "user_state",
  schema: {
    $ref: "#/$defs/expr",
    description:
      "JSONata over {state}, where state is the simulated user's final user_state (what its user tools changed); must be true.",
  },
  summary: "a JSONata expression over the user's final user_state that must be true",
  pointer: whole("user_state"),
  async judge(spec, { input }) {
    if (input.userState === undefined) {
      return [{ name: "user_state", passed: false, detail: "the episode had no user_state" }];
    }
    const [out] = await stateKind.judge(spec, { answer: null, state: input.userState, input });
    return [{
      ...out,
      name: "user_state",
      ...(out.detail ? { detail: out.detail.replace(/^state check/, "user_state check") } : {}),
    }];
  },
};

const judgeKind: CheckKind<"judge"> = {
  key: "judge",
  schema: {
    description:
      'Natural-language assertions about the conversation (user and agent messages, tool calls and results), each graded by the suite\'s judge agent, which must answer {"met": true|false, "reason": "…"}; an unreadable answer fails. Without a judge in the suite the check is skipped (not scored).',
    // A mapping is the long form; anything else is held to the list, whose errors read plainly.
    if: { type: "object" },
    then: {
      type: "object",
      required: ["assertions"],
      additionalProperties: false,
      properties: {
        assertions: { $ref: "#/$defs/judgeAssertions" },
        advisory: {
          type: "boolean",
          description:
            "Graded and logged, but success does not depend on it (default false): tau2's nl_assertions outside a task's reward_basis.",
        },
      },
    },
    else: { $ref: "#/$defs/judgeAssertions" },
  },
  summary: "natural-language assertions graded by the suite's judge agent",
  pointer: whole("judge"),
  judge: (spec, ctx) =>
    gradeAssertions(spec, ctx.input.judge ?? { transcript: [], seed: 0 }) as Promise<
      CheckOutcome[]
    >,
};

/** Every check kind, in the order they run (and appear in a verdict). */
export const CHECK_KINDS: readonly CheckKind[] = [
  answerKind,
  callsKind,
  actionsKind,
  stateKind,
  dbKind,
  communicateKind,
  userStateKind,
  judgeKind,
] as CheckKind[];

/** What a verdict's outcome is reported as: its check kind's key, or `answered` (no answer). */
export type CheckKindName = CheckKey | "answered";

/**
 * The check kind of a verdict's outcome (an `answer` part's name is `answer`; the runner's
 * `answered` outcome, no final answer, is its own).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkKindOf } from "./checks.ts";
 * assert.equal(checkKindOf("regex"), "answer");
 * assert.equal(checkKindOf("db"), "db");
 * ```
 */
export function checkKindOf(name: string): CheckKindName {
  if (name === "answered") return "answered";
  return CHECK_KINDS.find((k) => k.key === name)?.key ?? "answer";
}

/**
 * The check kinds that failed an episode, each once, in CHECK_KINDS order (`answered` first):
 * outcomes that failed and were not advisory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { failedCheckKinds } from "./checks.ts";
 * const checks = [{ name: "contains", passed: false }, { name: "db", passed: false },
 *   { name: "judge", passed: false, advisory: true as const }, { name: "regex", passed: false }];
 * assert.deepEqual(failedCheckKinds(checks), ["answer", "db"]);
 * ```
 */
export function failedCheckKinds(
  checks: readonly { name: string; passed: boolean; advisory?: boolean }[],
): CheckKindName[] {
  const failed = new Set(
    checks.filter((c) => !c.passed && !c.advisory).map((c) => checkKindOf(c.name)),
  );
  return (["answered", ...CHECK_KINDS.map((k) => k.key)] as CheckKindName[]).filter((k) =>
    failed.has(k)
  );
}

/**
 * Where the spec of a verdict's outcome sits under its task: the kind whose key is the outcome's
 * name, else a part of `answer`.
 */
export function checkPointer(outcome: CheckOutcome): string {
  const kind = CHECK_KINDS.find((k) => k.key === outcome.name) ?? answerKind;
  return kind.pointer(outcome);
}

/** `db: replay`: the final state must equal the state the gold calls give. */
function dbCheck(state: State, expected: CheckInput["expected"]): CheckOutcome {
  if (expected === undefined) {
    return { name: "db", passed: false, detail: "no replayed state to compare with" };
  }
  if ("error" in expected) {
    return {
      name: "db",
      passed: false,
      detail: `the gold calls did not replay: ${expected.error}`,
    };
  }
  const diff = stateDiff(expected.state, state);
  return diff === null
    ? { name: "db", passed: true }
    : { name: "db", passed: false, detail: `final state differs from the gold replay: ${diff}` };
}

/** Numbers written in text: "1,234.5", "-3", "2e3". A hyphen after a letter ("ORD-104") is not a sign. */
export function numbersIn(text: string): number[] {
  const out: number[] = [];
  const re =
    /(?:(?<![\p{L}\p{N}_])-)?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/gu;
  for (const m of text.matchAll(re)) {
    const n = Number(m[0].replaceAll(",", ""));
    if (Number.isFinite(n)) out.push(n);
  }
  return out;
}

/** Apply every present answer check; a missing answer fails them all. */
export async function checkAnswer(
  c: AnswerCheck,
  answer: string | null,
  state: State,
): Promise<CheckOutcome[]> {
  const out: CheckOutcome[] = [];
  const text = answer ?? "";
  const lower = text.toLowerCase();
  const none = answer === null ? "no final answer" : undefined;
  if (c.equals !== undefined) {
    const ok = answer !== null && text.trim().toLowerCase() === c.equals.trim().toLowerCase();
    out.push({
      name: "equals",
      passed: ok,
      detail: ok ? undefined : none ?? `expected exactly ${JSON.stringify(c.equals)}`,
    });
  }
  if (c.contains) {
    const missing = c.contains.filter((s) => !lower.includes(s.toLowerCase()));
    out.push({
      name: "contains",
      passed: answer !== null && missing.length === 0,
      detail: missing.length
        ? none ?? `missing ${missing.map((m) => JSON.stringify(m)).join(", ")}`
        : none,
    });
  }
  if (c.excludes) {
    const present = c.excludes.filter((s) => lower.includes(s.toLowerCase()));
    out.push({
      name: "excludes",
      passed: answer !== null && present.length === 0,
      detail: present.length
        ? `must not mention ${present.map((m) => JSON.stringify(m)).join(", ")}`
        : none,
    });
  }
  if (c.regex) {
    c.regex.lastIndex = 0;
    const ok = answer !== null && c.regex.test(text);
    out.push({
      name: "regex",
      passed: ok,
      detail: ok ? undefined : none ?? `does not match ${c.regex}`,
    });
  }
  if (c.number) {
    const { value, tol } = c.number;
    const ok = numbersIn(text).some((n) => Math.abs(n - value) <= tol);
    out.push({
      name: "number",
      passed: answer !== null && ok,
      detail: ok ? undefined : none ?? `no number within ${tol} of ${value}`,
    });
  }
  if (c.jsonata) {
    try {
      const v = await c.jsonata.evaluate({ answer: text, state });
      const why = v === true
        ? ""
        : await explainFalse(c.jsonata.source, { answer: text, state }, { now: c.jsonata.now });
      out.push({
        name: "jsonata",
        passed: answer !== null && v === true,
        detail: v === true
          ? none
          : `answer check gave ${JSON.stringify(v) ?? "nothing"}${why ? `: ${why}` : ""}`,
      });
    } catch (err) {
      out.push({
        name: "jsonata",
        passed: false,
        detail: `answer check failed: ${exprErrorMessage(err)}`,
      });
    }
  }
  return out;
}
