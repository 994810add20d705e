import { compileToolSchema } from "../spec/load_env.ts";
import { unknownKeywords } from "../spec/strict_schema.ts";
import type { SpecIssue } from "../spec/errors.ts";
import type { JsonSchema, PossibleCall } from "../spec/types.ts";
import type { InputRecord } from "./input.ts";

/** RoTBench's value for "any value is right" (its evaluate.py drops such keys before comparing). */
export const ROTBENCH_WILDCARD = "None";

/** A tool as a RoTBench case's system prompt lists it. */
export interface RotbenchTool {
  /** The (possibly noisy) name the case shows. */
  name: string;
  /** Its description. */
  description: string;
  /** Its parameters, with `additionalProperties: false` added. */
  parameters: JsonSchema;
}

/** One RoTBench case, read: what the agent is shown and the first actions it accepts. */
export interface RotbenchCase {
  /** Position in the file (0-based). */
  index: number;
  /** The user's request, without RoTBench's trailing "Begin!". */
  query: string;
  /** RoTBench's scenario code (TG, RS, DU, PL, AM, IR, FT), when given. */
  scenario?: string;
  /** The case's tools except the last, the final-answer tool (which becomes the final answer). */
  tools: RotbenchTool[];
  /** Accepted first actions: a call each, or `[]` for the final answer. */
  alternatives: PossibleCall[][];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

const FORMAT_HINT =
  'RoTBench writes {"conversations": [{"from": "system", …}, {"from": "user", …}, {"from": "assistant", "value": ["Thought: …\\nAction: tool\\nAction Input: {…}", …]}]}';

/** The tool list in a system prompt: the JSON array after "the following tools:". */
function toolsOf(
  system: string,
  issue: (message: string, hint?: string) => void,
): unknown[] | undefined {
  const start = system.indexOf("[");
  const end = system.lastIndexOf("]");
  if (start === -1 || end < start) {
    issue("the system prompt lists no tools", "RoTBench's system prompt ends with a JSON list");
    return undefined;
  }
  try {
    const list = JSON.parse(system.slice(start, end + 1));
    if (Array.isArray(list)) return list;
  } catch (err) {
    issue(
      `the system prompt's tool list is not JSON: ${(err as Error).message}`,
      "fix the list",
    );
    return undefined;
  }
  issue("the system prompt's tool list is not a JSON list", "fix the list");
  return undefined;
}

/** One tool of the list, converted; problems go to `issue`. */
function toolOf(
  t: unknown,
  k: number,
  issue: (message: string, hint?: string) => void,
): RotbenchTool | undefined {
  if (!isObject(t) || typeof t.name !== "string" || t.name === "") {
    issue(`tool ${k} has no name`, 'each tool is {"name", "description", "parameters"}');
    return undefined;
  }
  const raw = t.parameters ?? { type: "object", properties: {} };
  if (!isObject(raw) || (raw.type !== undefined && raw.type !== "object")) {
    issue(`${t.name}'s parameters are not a JSON Schema of type "object"`, "fix the tool doc");
    return undefined;
  }
  const parameters: JsonSchema = { ...raw, type: "object", additionalProperties: false };
  const unknown = unknownKeywords(parameters);
  if (unknown.length) {
    issue(`${t.name}'s parameters: ${unknown[0].message}`, unknown[0].hint);
    return undefined;
  }
  try {
    compileToolSchema(parameters);
  } catch (err) {
    issue(`${t.name}'s parameters are not a valid schema: ${(err as Error).message}`, "fix them");
    return undefined;
  }
  const description = typeof t.description === "string" ? t.description : "";
  return { name: t.name, description, parameters };
}

/** "Thought: …\nAction: NAME\nAction Input: {…}" → [NAME, arguments], as evaluate.py reads it. */
function actionOf(text: string): [string, unknown] | string {
  const a = text.indexOf("Action:");
  const i = text.indexOf("Action Input:");
  if (a === -1 || i === -1 || i < a) return 'no "Action:" followed by "Action Input:"';
  const name = text.slice(a + "Action:".length, i).trim();
  try {
    return [name, JSON.parse(text.slice(i + "Action Input:".length))];
  } catch (err) {
    return `the Action Input is not JSON: ${(err as Error).message}`;
  }
}

/**
 * Read one RoTBench First_Turn case (the record `rec`, at `pointer` inside it): its tool list
 * (from the system prompt), its query, and its accepted first actions. The last tool is RoTBench's
 * final-answer tool ("finish", renamed in some noisy cases): it is left out, and an accepted call
 * to it becomes `[]` (answer straight away). An accepted call to the tool before it (RoTBench's
 * ask_to_user slot), or to any tool named ask_to_user or finish, accepts any values, as
 * evaluate.py does not compare them. Every problem goes to `issues`, located; the case is
 * undefined when there was one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readRotbenchCase } from "./rotbench_case.ts";
 * const tools = [{ name: "get_time", description: "Now.", parameters: { type: "object", properties: { tz: { type: "string" } }, required: ["tz"] } },
 *   { name: "ask_to_user", description: "Ask.", parameters: { type: "object", properties: { question: { type: "string" } } } },
 *   { name: "finish", description: "Finish the task and give your answer.", parameters: { type: "object", properties: { answer: { type: "string" } } } }];
 * const value = { conversations: [
 *   { from: "system", value: `You have these tools:\n${JSON.stringify(tools)}\n\nLet's Begin!` },
 *   { from: "user", value: "What time is it in Paris?\nBegin!\n" },
 *   { from: "assistant", value: ['Thought:\nAction: get_time\nAction Input: {"tz": "Europe/Paris"}'] },
 * ] };
 * const rec = { value: [value], issue: (pointer: string, message: string) => ({ file: "f.json", line: 1, col: 1, pointer, message }) };
 * const c = readRotbenchCase(rec, { index: 0, pointer: "/0", issues: [] })!;
 * assert.ok(c.query === "What time is it in Paris?" && c.tools.length === 2);
 * assert.ok(JSON.stringify(c.alternatives) === '[[{"get_time":{"tz":["Europe/Paris"]}}]]');
 * ```
 */
export function readRotbenchCase(
  rec: InputRecord,
  opts: { index: number; pointer: string; issues: SpecIssue[] },
): RotbenchCase | undefined {
  const { pointer: p, issues } = opts;
  const start = issues.length;
  const bad = (at: string, message: string, hint = FORMAT_HINT) => {
    issues.push(rec.issue(at, `case ${opts.index}: ${message}`, hint));
  };
  const v = p === "" ? rec.value : (rec.value as unknown[])[opts.index];
  const turns = isObject(v) ? v.conversations : undefined;
  if (!Array.isArray(turns) || turns.length !== 3 || !turns.every(isObject)) {
    bad(
      isObject(v) && "conversations" in v ? `${p}/conversations` : p,
      "a First_Turn case has three turns: system, user, assistant",
      "import RoTBench's Data/First_Turn files (Third_Turn's earlier turns are not supported)",
    );
    return undefined;
  }
  const [system, user, assistant] = turns as Record<string, unknown>[];
  const text = (t: Record<string, unknown>, k: number, from: string) => {
    if (t.from === from && typeof t.value === "string") return t.value;
    bad(`${p}/conversations/${k}`, `turn ${k} must be {"from": "${from}", "value": text}`);
    return undefined;
  };
  const sys = text(system, 0, "system");
  const query = text(user, 1, "user")?.replace(/\s*Begin!\s*$/, "").trim();
  if (sys === undefined || query === undefined) return undefined;
  const sysAt = `${p}/conversations/0/value`;
  const list = toolsOf(sys, (m, h) => bad(sysAt, m, h));
  if (!list) return undefined;
  if (list.length < 2) {
    bad(sysAt, "the tool list needs at least ask_to_user and finish, RoTBench's last two tools");
    return undefined;
  }
  const all = list.map((t, k) => toolOf(t, k, (m, h) => bad(sysAt, m, h)));
  if (issues.length > start) return undefined;
  const tools = all as RotbenchTool[];
  const seen = new Map<string, number>();
  tools.forEach((t, k) => {
    if (seen.has(t.name)) {
      bad(
        sysAt,
        `tools ${
          seen.get(t.name)
        } and ${k} are both named "${t.name}": no call can tell them apart`,
        "a data bug in RoTBench: rename one, or leave the case out with --skip-bad",
      );
    }
    seen.set(t.name, k);
  });
  if (issues.length > start) return undefined;
  const finish = tools[tools.length - 1].name, ask = tools[tools.length - 2].name;
  const answers = Array.isArray(assistant.value) ? assistant.value : [assistant.value];
  const alternatives: PossibleCall[][] = [];
  answers.forEach((a, j) => {
    const at = Array.isArray(assistant.value)
      ? `${p}/conversations/2/value/${j}`
      : `${p}/conversations/2/value`;
    const action = typeof a === "string" ? actionOf(a) : "an accepted action must be text";
    if (typeof action === "string") return bad(at, action);
    const [name, args] = action;
    const k = seen.get(name);
    if (k === undefined) {
      return bad(at, `the accepted action calls "${name}", which the case does not list`, "fix it");
    }
    if (!isObject(args)) return bad(at, `the Action Input of ${name} is not a JSON object`);
    if (name === finish) return void alternatives.push([]);
    const props = (tools[k].parameters.properties ?? {}) as Record<string, unknown>;
    for (const param of Object.keys(args)) {
      if (!Object.hasOwn(props, param)) {
        bad(
          at,
          `the accepted call passes "${param}", which ${name} does not document, so no call can match`,
          `a data bug in RoTBench (its parameters: ${
            Object.keys(props).join(", ") || "none"
          }): leave the case out with --skip-bad`,
        );
      }
    }
    for (const [param, value] of Object.entries(args)) {
      if (value === "") {
        bad(
          at,
          `the accepted call gives "${param}" an empty string, which a calls check reads as "may be left out"`,
          "leave the case out with --skip-bad",
        );
      }
    }
    for (const r of (tools[k].parameters.required ?? []) as string[]) {
      if (!Object.hasOwn(args, r)) {
        bad(
          at,
          `${name} requires "${r}", which the accepted call does not give`,
          "fix the tool doc or the call, or leave the case out with --skip-bad",
        );
      }
    }
    // evaluate.py does not compare the values of a call to the ask_to_user slot, nor of any tool
    // literally named ask_to_user or finish (heavy noise gives those names to other tools).
    const free = name === ask || name === "ask_to_user" || name === "finish";
    const accepted = Object.entries(args).map((
      [param, value],
    ): [string, unknown[]] => [param, [free ? ROTBENCH_WILDCARD : value]]);
    alternatives.push([{ [name]: Object.fromEntries(accepted) }]);
  });
  if (answers.length === 0) bad(`${p}/conversations/2/value`, "the case accepts no action");
  if (issues.length > start) return undefined;
  const scenario = isObject(v) && typeof v.scenario === "string" ? v.scenario : undefined;
  return {
    index: opts.index,
    query,
    ...(scenario ? { scenario } : {}),
    tools: tools.slice(0, -1),
    alternatives,
  };
}
