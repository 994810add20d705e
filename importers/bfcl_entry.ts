/**
 * One BFCL entry read on its own, before any env is built: its question, its functions as tools
 * (JSON Schema, valid names) and its possible answers checked against them.
 * @module
 */
import { toolAjv } from "../spec/load_env.ts";
import { unknownKeywords } from "../spec/strict_schema.ts";
import type { SpecIssue } from "../spec/errors.ts";
import type { JsonSchema, PossibleCall } from "../spec/types.ts";
import { bfclLanguage, bfclSchema, type ConvertIssue, languageSchema } from "./bfcl_schema.ts";
import type { InputRecord } from "./input.ts";
import { toolName } from "./names.ts";

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** One of an entry's functions as a tool: the name it is offered under and BFCL's own name. */
export interface BfclFunction {
  /** The tool name (BFCL's, made valid: `math.factorial` → `math_factorial`). */
  name: string;
  /** BFCL's function name, verbatim. */
  original: string;
  description: string;
  parameters: JsonSchema;
  /** (original, description, parameters): functions with equal keys are one tool. */
  key: string;
}

/** A BFCL entry's question as one query: its messages' text, system prompt first. */
export function queryOf(rec: InputRecord, issues: SpecIssue[]): string | undefined {
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
export function answersOf(
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
 * An entry's functions as tools, BFCL name → tool. A function whose doc does not convert is
 * reported in `issues` and left out, its name put in `broken` (so an answer calling it is not
 * reported a second time). Two functions of one entry whose valid names collide get `_2`, ….
 */
export function functionsOf(
  rec: InputRecord,
  opts: { id: string; issues: SpecIssue[]; broken: Set<string> },
): Map<string, BfclFunction> | undefined {
  const { id, issues } = opts;
  const v = rec.value as Record<string, unknown>;
  const fdocs = Array.isArray(v.function)
    ? v.function
    : isObject(v.function)
    ? [v.function]
    : undefined;
  if (!fdocs) {
    issues.push(rec.issue(
      "/function",
      `entry ${id} has no "function" list`,
      "each entry lists the functions the model may call",
    ));
    return undefined;
  }
  const language = bfclLanguage(id.replace(/_\d+(?:-\d+)*$/, ""));
  const local = new Map<string, BfclFunction>();
  const taken = new Set<string>();
  fdocs.forEach((f, i) => {
    const p = Array.isArray(v.function) ? `/function/${i}` : "/function";
    if (!isObject(f) || typeof f.name !== "string" || f.name === "") {
      issues.push(rec.issue(
        p,
        "a function doc needs a name",
        'e.g. {"name": "math.factorial", "parameters": {…}}',
      ));
      return;
    }
    const conv: ConvertIssue[] = [];
    const doc = f.parameters ?? { type: "dict", properties: {} };
    const ctx = { pointer: `${p}/parameters`, issues: conv };
    const params = language === "python"
      ? bfclSchema(doc, ctx)
      : languageSchema(doc, { ...ctx, language });
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
    if (conv.length) {
      opts.broken.add(f.name);
      return;
    }
    const parameters = { ...params, additionalProperties: false };
    try {
      toolAjv.compile(parameters);
    } catch (err) {
      issues.push(rec.issue(
        `${p}/parameters`,
        `not a valid schema: ${(err as Error).message}`,
        "fix the function doc",
      ));
      opts.broken.add(f.name);
      return;
    }
    const description = (typeof f.description === "string" ? f.description : "") +
      (language === "java"
        ? " Note that the provided function is in Java 8 SDK syntax."
        : language === "javascript"
        ? " Note that the provided function is in JavaScript syntax."
        : "");
    if (local.has(f.name)) return;
    local.set(f.name, {
      name: toolName(f.name, taken),
      original: f.name,
      description,
      parameters,
      key: JSON.stringify([f.name, description, parameters]),
    });
  });
  return local;
}

/**
 * Check an entry's possible answers against its functions: each answer calls one of them, names
 * only documented parameters and lists every required one. Problems go to `issues`.
 */
export function answerProblems(
  possible: PossibleCall[],
  o: {
    local: Map<string, BfclFunction>;
    broken: Set<string>;
    id: string;
    at: (pointer: string, message: string, hint: string) => SpecIssue;
    pointer: string;
  },
): SpecIssue[] {
  const out: SpecIssue[] = [];
  possible.forEach((a, i) => {
    const [fn] = Object.keys(a);
    const tool = o.local.get(fn);
    if (!tool) {
      // A function whose doc was refused has its own issue already.
      if (!o.broken.has(fn)) {
        out.push(o.at(
          `${o.pointer}/${i}/${fn}`,
          `the answer calls ${fn}, which entry ${o.id} does not define`,
          `its functions: ${[...o.local.keys()].join(", ") || "none"}`,
        ));
      }
      return;
    }
    const props = (tool.parameters.properties ?? {}) as Record<string, unknown>;
    for (const [param, accepted] of Object.entries(a[fn])) {
      if (!Object.hasOwn(props, param) && !accepted.includes("")) {
        out.push(o.at(
          `${o.pointer}/${i}/${fn}/${param}`,
          `the answer needs parameter "${param}", which ${fn} does not document, so no call can match`,
          "fix the function doc or the answer",
        ));
      }
    }
    for (const r of (tool.parameters.required ?? []) as string[]) {
      if (!Object.hasOwn(a[fn], r)) {
        out.push(o.at(
          `${o.pointer}/${i}/${fn}`,
          `${fn} requires "${r}", which the answer does not list, so no call can match`,
          "fix the function doc or the answer",
        ));
      }
    }
  });
  return out;
}
