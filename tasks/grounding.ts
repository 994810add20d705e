import type { TaskSpec } from "../spec/types.ts";
import { numbersIn } from "./checks.ts";

/**
 * What a correct agent has read by the time it answers: the query (and, in a conversation, the
 * earlier messages and what the user can tell) and the gold calls' results.
 */
export interface Evidence {
  /** Each gold call's tool and its result as the agent reads it (JSON text). */
  results: { tool: string; text: string }[];
}

/** A value an answer check expects that nothing the agent read contains. */
export interface Ungrounded {
  /** JSON pointer relative to the task: `/check/answer/contains`, … */
  pointer: string;
  /** The expected value, as written in the check. */
  value: string;
  /** What is missing, with what the gold calls returned. */
  message: string;
}

/** Tasks exempt from grounding: they say their answer is computed (`tags: [compute]`, `grounded: false`). */
export function needsGrounding(task: TaskSpec): boolean {
  return task.grounded !== false && !task.tags.includes("compute") && task.gold.length > 0;
}

/**
 * Values an answer check expects (`contains`, `equals`, `number`, a literal `regex`) that appear
 * in no result of the gold calls and not in the query (nor in the task's history or what its
 * simulated user can say): the reference answer cannot be read off
 * the tools, so either the check or the data is wrong — or the task needs a computation, which
 * it declares with `tags: [compute]` or `grounded: false` (then nothing is reported). Text is
 * matched case-insensitively as a substring; numbers as numbers (within the check's tolerance).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ungroundedValues } from "./grounding.ts";
 * import { loadEnv } from "../spec/mod.ts";
 * const env = await loadEnv("testdata/good/mini.yaml");
 * const task = env.tasks[0]; // expects the number 4
 * assert.ok(ungroundedValues(task, { results: [{ tool: "get_item", text: '{"stock":4}' }] }).length === 0);
 * assert.ok(ungroundedValues(task, { results: [{ tool: "get_item", text: '{"stock":3}' }] }).length === 1);
 * ```
 */
export function ungroundedValues(task: TaskSpec, evidence: Evidence): Ungrounded[] {
  const a = task.check.answer;
  if (!a || !needsGrounding(task)) return [];
  const told = [
    ...(task.history ?? []).map((m) => m.content),
    ...Object.values(task.user?.known_info ?? {}),
    ...(task.user?.turns ?? []),
  ];
  const texts = [task.query, ...told, ...evidence.results.map((r) => r.text)];
  const source = told.length ? "nor in what the user says" : "nor in the query";
  const text = texts.join("\n").toLowerCase();
  const numbers = texts.flatMap(numbersIn);
  const returned = () => {
    const shown = evidence.results.map((r) => {
      const t = r.text.length > 160 ? `${r.text.slice(0, 160)}…` : r.text;
      return `${r.tool} → ${t}`;
    });
    return shown.length ? `the gold calls returned ${shown.join("; ")}` : "no gold call returned";
  };
  const out: Ungrounded[] = [];
  const has = (v: string, tol = 0) => {
    const n = Number(v);
    // An amount may be listed signed (a payment of -12.5) and asked about unsigned.
    if (v.trim() !== "" && Number.isFinite(n)) {
      return numbers.some((x) => Math.abs(Math.abs(x) - Math.abs(n)) <= tol);
    }
    return text.includes(v.toLowerCase());
  };
  const miss = (pointer: string, value: string, what: string) =>
    out.push({
      pointer,
      value,
      message: `answer check ${what} ${
        JSON.stringify(value)
      }, which appears in no result of the gold calls ${source}: ${returned()}`,
    });
  for (const v of a.contains ?? []) if (!has(v)) miss("/check/answer/contains", v, "contains");
  if (a.equals !== undefined && !has(a.equals.trim())) {
    miss("/check/answer/equals", a.equals, "equals");
  }
  if (a.number && !has(String(a.number.value), a.number.tol)) {
    miss("/check/answer/number", String(a.number.value), "wants the number");
  }
  if (a.regex) {
    const alternatives = regexLiterals(a.regex.source);
    if (alternatives && !alternatives.some((v) => has(v))) {
      miss("/check/answer/regex", a.regex.source, "matches only");
    }
  }
  return out;
}

/** The alternatives of a regex made of plain text only (`a|b`, `^x$`), or undefined. */
function regexLiterals(source: string): string[] | undefined {
  const body = source.replace(/^\^/, "").replace(/\$$/, "");
  const parts = body.split("|").map((p) => p.replace(/\\([.\-+*?()[\]{}\\/ ])/g, "$1"));
  const literal = (p: string) =>
    p !== "" && !/\\[^.\-+*?()[\]{}\\/ ]/.test(p) &&
    !/[.+*?()[\]{}^$\\]/.test(p.replace(/\\./g, ""));
  if (!body.split("|").every(literal)) {
    return undefined;
  }
  return parts;
}
