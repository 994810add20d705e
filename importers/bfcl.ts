import { toolAjv } from "../spec/load_env.ts";
import { unknownKeywords } from "../spec/strict_schema.ts";
import { SpecError, type SpecIssue } from "../spec/errors.ts";
import type { CallsMode, JsonSchema, PossibleCall } from "../spec/types.ts";
import { goldFromAnswers } from "../tasks/calls/check_calls.ts";
import { jsonEqual } from "../tasks/ast.ts";
import { bfclSchema, type ConvertIssue } from "./bfcl_schema.ts";
import type { InputRecord } from "./input.ts";
import { envName, taskId, toolName } from "./names.ts";
import { type ImportResult, suiteYaml } from "./openai_tools.ts";
import { renderYaml } from "./render.ts";
import { sampleArgs } from "./sample_args.ts";

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * BFCL's category of an entry id: the id without its number (`simple_python_3` → simple_python,
 * `live_irrelevance_12-0-3` → live_irrelevance).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bfclCategory } from "./bfcl.ts";
 * assert.ok(bfclCategory("live_irrelevance_12-0-3") === "live_irrelevance");
 * ```
 */
export function bfclCategory(id: string): string {
  return id.replace(/_\d+(?:-\d+)*$/, "");
}

/** Categories whose right answer is no call at all: BFCL ships no possible answers for them. */
export const NO_CALL_CATEGORIES: ReadonlySet<string> = new Set([
  "irrelevance",
  "live_irrelevance",
]);

/** Categories where any call is right: BFCL ships no possible answers for them either. */
export const ANY_CALL_CATEGORIES: ReadonlySet<string> = new Set(["live_relevance"]);

/** The state check of an any-call task: every tool of such an env logs its calls in `calls`. */
const SOME_CALL = "$count(state.calls) > 0";

interface Tool {
  name: string;
  original: string;
  description: string;
  parameters: JsonSchema;
}

/** A BFCL entry's question as one query: its messages' text, system prompt first. */
function queryOf(rec: InputRecord, issues: SpecIssue[]): string | undefined {
  const q = (rec.value as Record<string, unknown>).question;
  if (typeof q === "string" && q.trim() !== "") return q;
  if (!Array.isArray(q) || q.length === 0) {
    issues.push(rec.issue(
      "/question",
      "question must be a list of turns, each a list of {role, content} messages",
      'BFCL writes [[{"role": "user", "content": "…"}]]',
    ));
    return undefined;
  }
  if (q.length > 1) {
    issues.push(rec.issue(
      "/question",
      `${q.length} turns: multi-turn BFCL entries are not supported`,
      "import single-turn categories (simple, multiple, parallel, parallel_multiple, irrelevance, live_*)",
    ));
    return undefined;
  }
  const turn = Array.isArray(q[0]) ? q[0] : [q[0]];
  const texts: string[] = [];
  turn.forEach((m, i) => {
    if (!isObject(m) || typeof m.content !== "string") {
      issues.push(
        rec.issue(`/question/0/${i}`, "a message must be {role, content} with text content"),
      );
      return;
    }
    if (m.role === "system") texts.unshift(m.content);
    else texts.push(m.content);
  });
  if (texts.length === 0 && turn.length === 0) {
    issues.push(
      rec.issue(
        "/question/0",
        "the question's turn has no messages",
        'BFCL writes [[{"role": "user", "content": "…"}]]',
      ),
    );
  }
  return texts.length ? texts.join("\n\n") : undefined;
}

/** BFCL possible answers: a list of single-key objects {function: {param: [values]}}. */
function answersOf(
  rec: InputRecord,
  value: unknown,
  pointer: string,
  issues: SpecIssue[],
): PossibleCall[] | undefined {
  const bad = (p: string, message: string) => {
    issues.push(rec.issue(
      p,
      message,
      'BFCL writes [{"function_name": {"param": [accepted values], …}}, …]',
    ));
    return undefined;
  };
  if (!Array.isArray(value)) return bad(pointer, "possible answer must be a list of calls");
  for (const [i, call] of value.entries()) {
    const p = `${pointer}/${i}`;
    if (!isObject(call) || Object.keys(call).length !== 1) {
      return bad(p, "each expected call must be an object with exactly one function name");
    }
    const [fn] = Object.keys(call);
    const params = call[fn];
    if (!isObject(params)) return bad(`${p}/${fn}`, "the parameters must be an object");
    for (const [k, v] of Object.entries(params)) {
      if (!Array.isArray(v) || v.length === 0) {
        return bad(`${p}/${fn}/${k}`, `parameter "${k}" must list its accepted values`);
      }
    }
  }
  return value as PossibleCall[];
}

/**
 * One env from BFCL data: the question+function records (`id`, `question`, `function`) and the
 * possible-answer records (`id`, `ground_truth`; or inline `possible_answer`/`ground_truth`).
 * Tools are the union of the functions, converted to JSON Schema and renamed to valid tool names
 * (a function with two different docs gets two tools); each returns an acknowledgement echoing
 * its arguments, and each task offers only its own entry's functions (`tools:`). Each entry becomes a task whose gold calls are its first possible answers and
 * whose `calls` check (mode `bfcl` by default) maps tool names back to BFCL's. Entries of the
 * irrelevance and live_irrelevance categories (told by their ids) need no answer: their check
 * expects no call. Entries of live_relevance need none either: their gold is a sample call of the
 * entry's first function, every tool logs its calls in the state's `calls` table, and a `state`
 * check asks for at least one. Throws SpecError with every located problem.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bfclEnv } from "./bfcl.ts";
 * const issue = (pointer: string, message: string) => ({ file: "q.json", line: 1, col: 1, pointer, message });
 * const q = { id: "simple_1", question: [[{ role: "user", content: "5!?" }]], function: [{ name: "math.factorial", description: "n!", parameters: { type: "dict", properties: { number: { type: "integer" } }, required: ["number"] } }] };
 * const a = { id: "simple_1", ground_truth: [{ "math.factorial": { number: [5] } }] };
 * const { files } = bfclEnv([{ value: q, issue }], [{ value: a, issue }], { file: "q.json" });
 * assert.ok(files["env.yaml"].includes("math_factorial: math.factorial"));
 * ```
 */
export function bfclEnv(
  questions: InputRecord[],
  answers: InputRecord[] | undefined,
  opts: { file: string; name?: string; mode?: CallsMode; skipBad?: boolean },
): ImportResult {
  const issues: SpecIssue[] = [];
  const skipped: SpecIssue[] = [];
  const answerById = new Map<string, { rec: InputRecord; value: unknown; pointer: string }>();
  for (const rec of answers ?? []) {
    const v = rec.value;
    if (!isObject(v) || typeof v.id !== "string" || !("ground_truth" in v)) {
      // With skipBad the record is listed and dropped; its entry then has no answer and is skipped.
      (opts.skipBad ? skipped : issues).push(rec.issue(
        "",
        'a possible-answer record needs "id" and "ground_truth"',
        "give BFCL's possible_answer file for the same category",
      ));
      continue;
    }
    answerById.set(v.id, { rec, value: v.ground_truth, pointer: "/ground_truth" });
  }
  const tools: Tool[] = [];
  const taken = new Set<string>();
  const byOriginal = new Map<string, Tool[]>();
  const taskIds = new Set<string>();
  const tasks: Record<string, unknown>[] = [];
  let anyCall = false;
  for (const rec of questions) {
    const before = issues.length;
    const toolsBefore = tools.length;
    entry(rec);
    // With skipBad, an entry's problems are reported but do not stop the import, and nothing of
    // the entry is kept: no task, and none of the tools it alone brought in.
    if (opts.skipBad && issues.length > before) {
      skipped.push(...issues.splice(before));
      for (const t of tools.splice(toolsBefore)) {
        taken.delete(t.name);
        const left = byOriginal.get(t.original)!.filter((x) => x !== t);
        if (left.length) byOriginal.set(t.original, left);
        else byOriginal.delete(t.original);
      }
    }
  }
  function entry(rec: InputRecord): void {
    const start = issues.length;
    const v = rec.value;
    if (!isObject(v) || typeof v.id !== "string") {
      issues.push(
        rec.issue(
          "",
          'a BFCL entry needs a string "id"',
          'e.g. {"id": "simple_python_0", "question": …, "function": […]}',
        ),
      );
      return;
    }
    const id = v.id;
    const query = queryOf(rec, issues);
    const fdocs = Array.isArray(v.function)
      ? v.function
      : isObject(v.function)
      ? [v.function]
      : undefined;
    if (!fdocs) {
      issues.push(
        rec.issue(
          "/function",
          `entry ${id} has no "function" list`,
          "each entry lists the functions the model may call",
        ),
      );
      return;
    }
    // This entry's functions: original name → tool.
    const local = new Map<string, Tool>();
    fdocs.forEach((f, i) => {
      const p = Array.isArray(v.function) ? `/function/${i}` : "/function";
      if (!isObject(f) || typeof f.name !== "string" || f.name === "") {
        issues.push(
          rec.issue(
            p,
            "a function doc needs a name",
            'e.g. {"name": "math.factorial", "parameters": {…}}',
          ),
        );
        return;
      }
      const conv: ConvertIssue[] = [];
      const params = bfclSchema(f.parameters ?? { type: "dict", properties: {} }, {
        pointer: `${p}/parameters`,
        issues: conv,
      });
      if (params.type !== "object") {
        conv.push({
          pointer: `${p}/parameters/type`,
          message: `${f.name}'s parameters must be of type dict`,
          hint: 'BFCL writes "parameters": {"type": "dict", "properties": {…}, "required": […]}',
        });
      }
      for (const u of unknownKeywords(params)) {
        conv.push({ pointer: `${p}/parameters${u.pointer}`, message: u.message, hint: u.hint });
      }
      for (const c of conv) issues.push(rec.issue(c.pointer, c.message, c.hint));
      if (conv.length) return;
      const parameters = { ...params, additionalProperties: false };
      try {
        toolAjv.compile(parameters);
      } catch (err) {
        issues.push(
          rec.issue(
            `${p}/parameters`,
            `not a valid schema: ${(err as Error).message}`,
            "fix the function doc",
          ),
        );
        return;
      }
      const description = typeof f.description === "string" ? f.description : "";
      const same = (byOriginal.get(f.name) ?? []).find((t) =>
        t.description === description && jsonEqual(t.parameters, parameters)
      );
      const tool = same ??
        { name: toolName(f.name, taken), original: f.name, description, parameters };
      if (!same) {
        tools.push(tool);
        byOriginal.set(f.name, [...(byOriginal.get(f.name) ?? []), tool]);
      }
      local.set(f.name, tool);
    });
    const found = answerById.get(id) ??
      ("ground_truth" in v
        ? { rec, value: v.ground_truth, pointer: "/ground_truth" }
        : "possible_answer" in v
        ? { rec, value: v.possible_answer, pointer: "/possible_answer" }
        : NO_CALL_CATEGORIES.has(bfclCategory(id))
        // No answer, and none is needed: the check expects an empty list of calls.
        ? { rec, value: [], pointer: "/id" }
        : undefined);
    if (!found && ANY_CALL_CATEGORIES.has(bfclCategory(id))) {
      if (query === undefined || issues.length > start) return;
      // The oracle's call: a sample call of the entry's first function (any call is right).
      const first = [...local.values()][0];
      const args = first ? sampleArgs(first.parameters) : {};
      if (!first || !toolAjv.compile(first.parameters)(args)) {
        issues.push(rec.issue(
          "/function",
          first
            ? `no sample call fits ${first.original}'s parameters, so the oracle has no call to make`
            : `entry ${id} has no function to call`,
          "give the first function's required parameters a default, an enum or a plain type",
        ));
        return;
      }
      anyCall = true;
      pushTask(id, query, offered(local), [{ tool: first.name, args }], { state: SOME_CALL });
      return;
    }
    if (!found) {
      issues.push(rec.issue(
        "/id",
        `no possible answer for ${id}`,
        answers
          ? "the answers file has no record with this id"
          : "pass --answers with BFCL's possible_answer file (only irrelevance entries need none)",
      ));
      return;
    }
    const possible = answersOf(found.rec, found.value, found.pointer, issues);
    if (!possible || query === undefined) return;
    const names: Record<string, string> = {};
    let ok = true;
    possible.forEach((a, i) => {
      const [fn] = Object.keys(a);
      const tool = local.get(fn);
      if (!tool) {
        issues.push(found.rec.issue(
          `${found.pointer}/${i}/${fn}`,
          `the answer calls ${fn}, which entry ${id} does not define`,
          `its functions: ${[...local.keys()].join(", ") || "none"}`,
        ));
        ok = false;
        return;
      }
      if (tool.name !== fn) names[tool.name] = fn;
      const props = (tool.parameters.properties ?? {}) as Record<string, unknown>;
      for (const [param, accepted] of Object.entries(a[fn])) {
        if (!Object.hasOwn(props, param) && !accepted.includes("")) {
          issues.push(found.rec.issue(
            `${found.pointer}/${i}/${fn}/${param}`,
            `the answer needs parameter "${param}", which ${fn} does not document, so no call can match`,
            "fix the function doc or the answer",
          ));
          ok = false;
        }
      }
      for (const r of (tool.parameters.required ?? []) as string[]) {
        if (!Object.hasOwn(a[fn], r)) {
          issues.push(found.rec.issue(
            `${found.pointer}/${i}/${fn}`,
            `${fn} requires "${r}", which the answer does not list, so no call can match`,
            "fix the function doc or the answer",
          ));
          ok = false;
        }
      }
    });
    if (!ok) return;
    const gold = goldFromAnswers(possible, names);
    gold.forEach((g, i) => {
      const tool = tools.find((t) => t.name === g.tool)!;
      const validate = toolAjv.compile(tool.parameters);
      if (!validate(g.args)) {
        const e = validate.errors![0];
        issues.push(found.rec.issue(
          `${found.pointer}/${i}`,
          `the first possible answer does not fit ${tool.original}'s parameters: ${
            e.instancePath || "arguments"
          } ${e.message}`,
          "the gold call is each parameter's first accepted value; put a value of the documented type first",
        ));
      }
    });
    // Any problem above refuses the whole entry: a task is written only for a clean one.
    if (issues.length > start) return;
    pushTask(id, query, offered(local), gold, {
      calls: {
        mode: opts.mode ?? "bfcl",
        answers: possible,
        ...(Object.keys(names).length ? { names } : {}),
      },
    });
  }
  function pushTask(
    id: string,
    query: string,
    offers: string[],
    gold: unknown[],
    check: Record<string, unknown>,
  ) {
    let tid = taskId(id);
    for (let k = 2; taskIds.has(tid); k++) tid = `${taskId(id)}-${k}`;
    taskIds.add(tid);
    tasks.push({ id: tid, query, tags: ["bfcl", bfclCategory(id)], tools: offers, gold, check });
  }
  /** The tools an entry offers: its own functions, as BFCL shows them — never another entry's. */
  function offered(local: Map<string, Tool>): string[] {
    return [...new Set([...local.values()].map((t) => t.name))];
  }
  if (issues.length === 0 && tasks.length === 0) {
    issues.push(
      skipped.length
        ? questions[0].issue("", "every entry was skipped", "fix the problems listed above")
        : questions[0].issue("", "no BFCL entries found", "give BFCL's question+function file"),
    );
  }
  // When nothing is left, what was skipped is the explanation: report it all.
  if (issues.length > 0) throw new SpecError(tasks.length ? issues : [...skipped, ...issues]);
  const env = envName(opts.name ?? opts.file);
  const header = [
    `Generated by \`tooltrial import bfcl ${opts.file}\` from BFCL data (Apache-2.0).`,
    `${tasks.length} tasks; ${tools.length} tools: the union of the entries' functions. Each task`,
    "offers only its own entry's functions (`tools:`), as BFCL does.",
    "Each tool answers with an acknowledgement echoing its arguments; each task's `calls` check",
    `(mode ${opts.mode ?? "bfcl"}) judges the calls against BFCL's possible answers, mapping tool`,
    "names back to BFCL's function names through `names` (e.g. math_factorial → math.factorial).",
    ...(tasks.some((t) => NO_CALL_CATEGORIES.has((t.tags as string[])[1]))
      ? [
        "Irrelevance entries have no possible answer: their check (`answers: []`) expects no call.",
      ]
      : []),
    ...(anyCall
      ? [
        "Relevance entries have no possible answer: any call is right. Every tool logs its calls in",
        `the state's \`calls\` table and their check is \`state: ${SOME_CALL}\`.`,
      ]
      : []),
  ];
  const doc = {
    tooltrial: 1,
    env,
    description: `BFCL entries imported from ${opts.file.replace(/^.*[\\/]/, "")}.`,
    ...(anyCall ? { state: { calls: [] } } : {}),
    tools: tools.map((t) => ({
      name: t.name,
      description: t.description,
      parameters: t.parameters,
      // JSONata strings take JSON's escapes; single quotes read better in YAML when possible.
      result: t.original.includes("'")
        ? `{"acknowledged": ${JSON.stringify(t.original)}, "arguments": $args}`
        : `{'acknowledged': '${JSON.stringify(t.original).slice(1, -1)}', 'arguments': $args}`,
      ...(anyCall ? { effect: { calls: `$append(state.calls, [{'tool': '${t.name}'}])` } } : {}),
    })),
    tasks,
  };
  return {
    files: {
      "env.yaml": renderYaml(doc, {
        header,
        flow: [
          "tasks/*/gold/*",
          "tasks/*/check/calls/answers/*",
          "tasks/*/check/calls/names",
          "tasks/*/tags",
          "tasks/*/tools",
        ],
      }),
      "suite.yaml": suiteYaml(env, "Bench the imported BFCL entries (oracle and random only)."),
    },
    skipped,
  };
}
