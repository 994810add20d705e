import { exprErrorMessage } from "../spec/mod.ts";
import type { AnswerCheck, Call, State, TaskSpec } from "../spec/types.ts";
import { checkActions } from "./actions.ts";
import { type CallStages, checkCalls } from "./calls/mod.ts";
import { unsaid } from "./communicate.ts";
import { explainFalse } from "./explain.ts";
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
}

/** A task's outcome: success when every check passed. */
export interface TaskVerdict {
  /** Whether every check held. */
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
  if (task.check.answer) checks.push(...await checkAnswer(task.check.answer, answer, state));
  if (task.check.calls) {
    const v = checkCalls(opts.calls ?? [], task.check.calls, { attempted: opts.attempted });
    checks.push({
      name: "calls",
      passed: v.valid,
      detail: v.valid ? undefined : `${v.error_type}: ${v.errors.join("; ")}`,
      ...(v.stages ? { stages: v.stages } : {}),
    });
  }
  if (task.check.actions) {
    const v = checkActions(task.check.actions, opts.calls ?? []);
    checks.push({ name: "actions", passed: v.passed, detail: v.detail });
  }
  if (task.check.state) {
    try {
      const v = await task.check.state.evaluate({ state });
      const why = v === true
        ? ""
        : await explainFalse(task.check.state.source, { state }, { now: task.check.state.now });
      checks.push({
        name: "state",
        passed: v === true,
        detail: v === true
          ? undefined
          : `state check gave ${JSON.stringify(v) ?? "nothing"}${why ? `: ${why}` : ""}`,
      });
    } catch (err) {
      checks.push({
        name: "state",
        passed: false,
        detail: `state check failed: ${exprErrorMessage(err)}`,
      });
    }
  }
  if (task.check.db) checks.push(dbCheck(state, opts.expected));
  if (task.check.communicate) {
    const missing = unsaid(task.check.communicate, opts.messages ?? []);
    checks.push({
      name: "communicate",
      passed: missing.length === 0,
      detail: missing.length === 0
        ? undefined
        : `no message to the user mentions ${missing.map((m) => JSON.stringify(m)).join(", ")}`,
    });
  }
  return { passed: checks.every((c) => c.passed), checks };
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
