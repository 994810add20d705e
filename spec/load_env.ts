import { Ajv2020 } from "ajv/dist/2020.js";
import { dirname, join, relative } from "node:path";
import { closeNames, SpecError, type SpecIssue } from "./errors.ts";
import { compileExpr, compileTemplate, type Expr, ExprSyntaxError, type Template } from "./expr.ts";
import { parseCsv } from "./csv.ts";
import type {
  AnswerCheck,
  Call,
  CallsCheck,
  CallsMode,
  Check,
  EnvSpec,
  JsonSchema,
  PossibleCall,
  Row,
  SourceFile,
  TaskSpec,
  ToolSpec,
} from "./types.ts";
import { validateSpec } from "./validate.ts";
import { type Located, parseYaml, pointerSegment } from "./yaml.ts";
import { readSpecFile, sha256Hex } from "./files.ts";
import { checkVariantRefs, normalizeVariants, type RawVariants } from "./variants.ts";

/** Ajv for tool parameter schemas: lenient about unknown keywords, as real tool schemas carry many. */
export const toolAjv: Ajv2020 = new Ajv2020({
  allErrors: true,
  strict: false,
  validateFormats: false,
});

/** Raw YAML shapes (after schema validation). */
interface RawTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  errors?: { when: string; message: string }[];
  effect?: Record<string, string>;
  result?: string;
}
interface RawTask {
  id: string;
  query: string;
  split?: "seen" | "unseen";
  tags?: string[];
  gold?: { tool: string; args?: Record<string, unknown> }[];
  answer?: string | number | boolean;
  check: {
    answer?: Record<string, unknown>;
    state?: string;
    calls?: { mode?: CallsMode; answers: PossibleCall[]; names?: Record<string, string> };
  };
}
interface RawEnv {
  env: string;
  description?: string;
  state?: Record<string, Row[] | { file: string }>;
  tools: RawTool[];
  tasks?: RawTask[];
  variants?: RawVariants;
}

/**
 * Load, validate and normalize an environment spec (a folder holding env.yaml, or the YAML file).
 * Throws SpecError listing every located problem.
 *
 * @example
 * ```ts
 * import { loadEnv } from "./load_env.ts";
 * const env = await loadEnv("envs/library");
 * console.assert(env.tools.length > 0);
 * ```
 */
export async function loadEnv(path: string): Promise<EnvSpec> {
  const file = await resolveEnvFile(path);
  const text = await readSpecFile(file, { what: "environment spec" });
  return await envFromDoc(parseYaml(text, file), text);
}

/** Validate and normalize an already-parsed env document (`text` is its source, for hashing). */
export async function envFromDoc(doc: Located, text: string): Promise<EnvSpec> {
  const file = doc.file;
  const schemaIssues = validateSpec(doc, "env");
  if (schemaIssues.length > 0) throw new SpecError(schemaIssues);
  const raw = doc.value as RawEnv;
  const issues: SpecIssue[] = [];
  const at = (pointer: string, message: string, hint?: string, key = false): SpecIssue => ({
    file,
    pointer,
    ...doc.locate(pointer, { key }),
    message,
    hint,
  });
  const files: SourceFile[] = [{ path: file, sha256: await sha256Hex(text) }];

  // State tables: inline rows or data files next to the spec.
  const state: Record<string, readonly Row[]> = {};
  for (const [table, def] of Object.entries(raw.state ?? {})) {
    if (Array.isArray(def)) {
      state[table] = deepFreeze(def);
      continue;
    }
    const dataPath = join(dirname(file), def.file);
    const ptr = `/state/${table}/file`;
    let data: string;
    try {
      data = await Deno.readTextFile(dataPath);
    } catch {
      issues.push(
        at(
          ptr,
          `data file ${dataPath} not found`,
          `create it, or fix the path (relative to ${file})`,
        ),
      );
      continue;
    }
    files.push({ path: dataPath, sha256: await sha256Hex(data) });
    try {
      state[table] = deepFreeze(parseDataFile(def.file, data));
    } catch (err) {
      const e = err as Error & { line?: number; col?: number };
      issues.push({
        file: dataPath,
        line: e.line ?? 1,
        col: e.col ?? 1,
        pointer: "",
        message: `cannot read table "${table}": ${e.message}`,
        hint: def.file.endsWith(".csv")
          ? 'fix the CSV there: one header row, the same number of cells in every row, fields with commas or quotes in "…" with inner quotes doubled'
          : "the file must hold a list of objects (JSON) or one object per line (JSONL)",
      });
    }
  }
  const tables = Object.keys(raw.state ?? {});

  const expr = (source: string, pointer: string): Expr | undefined => {
    try {
      return compileExpr(source);
    } catch (err) {
      issues.push(exprIssue(err, source, pointer));
      return undefined;
    }
  };
  const template = (source: string, pointer: string): Template | undefined => {
    try {
      return compileTemplate(source);
    } catch (err) {
      issues.push(exprIssue(err, source, pointer));
      return undefined;
    }
  };
  const exprIssue = (err: unknown, source: string, pointer: string): SpecIssue => {
    const e = err as ExprSyntaxError;
    const pos = e instanceof ExprSyntaxError ? e.position : 0;
    return at(
      pointer,
      `bad JSONata expression: ${e.message}`,
      `near character ${pos} of ${
        JSON.stringify(source.length > 60 ? source.slice(0, 60) + "…" : source)
      }; check brackets, quotes and $function names`,
    );
  };

  /** Record `key` at index `i`, or report it as a duplicate of the first one. */
  const unique = (
    index: Map<string, number>,
    key: string,
    i: number,
    o: { pointer: string; what: string; list: string },
  ) => {
    const first = index.get(key);
    if (first === undefined) index.set(key, i);
    else {issues.push(
        at(
          o.pointer,
          `duplicate ${o.what} "${key}" (also ${o.list}/${first})`,
          `each ${o.what} must be unique in an environment; rename one`,
        ),
      );}
  };

  // Tools.
  const tools: ToolSpec[] = [];
  const validators = new Map<string, ReturnType<typeof toolAjv.compile>>();
  const toolIndex = new Map<string, number>();
  raw.tools.forEach((t, i) => {
    const p = `/tools/${i}`;
    unique(toolIndex, t.name, i, { pointer: `${p}/name`, what: "tool name", list: "/tools" });
    try {
      validators.set(t.name, toolAjv.compile(t.parameters));
    } catch (err) {
      issues.push(
        at(
          `${p}/parameters`,
          `invalid JSON Schema: ${(err as Error).message}`,
          "parameters must be a valid JSON Schema object",
        ),
      );
    }
    const errors = (t.errors ?? []).flatMap((r, j) => {
      const when = expr(r.when, `${p}/errors/${j}/when`);
      const message = template(r.message, `${p}/errors/${j}/message`);
      return when && message ? [{ when, message }] : [];
    });
    const effect: [string, Expr][] = [];
    for (const [table, src] of Object.entries(t.effect ?? {})) {
      if (!tables.includes(table)) {
        const close = closeNames(table, tables, 1);
        issues.push(
          at(
            `${p}/effect/${table}`,
            `effect names unknown state table "${table}"`,
            close.length
              ? `did you mean "${close[0]}"?`
              : `declare it under state: (tables: ${tables.join(", ") || "none"})`,
            true,
          ),
        );
      }
      const e = expr(src, `${p}/effect/${table}`);
      if (e) effect.push([table, e]);
    }
    const result = t.result === undefined ? undefined : expr(t.result, `${p}/result`);
    tools.push({
      name: t.name,
      description: t.description,
      parameters: t.parameters,
      errors,
      effect,
      result,
    });
  });

  // Tasks.
  const tasks: TaskSpec[] = [];
  const taskIndex = new Map<string, number>();
  (raw.tasks ?? []).forEach((t, i) => {
    const p = `/tasks/${i}`;
    unique(taskIndex, t.id, i, { pointer: `${p}/id`, what: "task id", list: "/tasks" });
    const gold: Call[] = (t.gold ?? []).map((g, j) => {
      const args = g.args ?? {};
      const ti = toolIndex.get(g.tool);
      if (ti === undefined) {
        const close = closeNames(g.tool, toolIndex.keys(), 2);
        issues.push(
          at(
            `${p}/gold/${j}/tool`,
            `task refers to unknown tool "${g.tool}"`,
            close.length
              ? `did you mean ${close.map((c) => `"${c}"`).join(" or ")}?`
              : `tools here: ${[...toolIndex.keys()].join(", ")}`,
          ),
        );
      } else {
        const validate = validators.get(g.tool);
        if (validate && !validate(args)) {
          const e = validate.errors![0];
          issues.push(
            at(
              `${p}/gold/${j}/args${e.instancePath}`,
              `gold arguments do not fit ${g.tool}'s parameters: ${
                e.instancePath || "arguments"
              } ${e.message}`,
              `fix the gold call or the tool's parameters (schema path ${e.schemaPath})`,
            ),
          );
        }
      }
      return { tool: g.tool, args };
    });
    const check: Check = {};
    if (t.check.state !== undefined) check.state = expr(t.check.state, `${p}/check/state`);
    if (t.check.answer) check.answer = answerCheck(t.check.answer, `${p}/check/answer`);
    if (t.check.calls) check.calls = callsCheck(t.check.calls, `${p}/check/calls`);
    const answer = t.answer !== undefined ? String(t.answer) : defaultAnswer(check.answer);
    if (answer === undefined) {
      issues.push(
        at(
          `${p}/check/answer`,
          "no reference answer for this check",
          "add answer: with the text a correct agent would reply (needed when the check uses only regex, excludes or jsonata)",
        ),
      );
    }
    tasks.push({
      id: t.id,
      env: raw.env,
      query: t.query,
      split: t.split ?? "seen",
      tags: t.tags ?? [],
      gold,
      answer: answer ?? "",
      check,
    });
  });

  function answerCheck(a: Record<string, unknown>, p: string): AnswerCheck {
    const out: AnswerCheck = {};
    const list = (v: unknown) => (Array.isArray(v) ? v : [v]).map(String);
    if (a.equals !== undefined) out.equals = String(a.equals);
    if (a.contains !== undefined) out.contains = list(a.contains);
    if (a.excludes !== undefined) out.excludes = list(a.excludes);
    if (a.number !== undefined) {
      const n = a.number as { value: number; tol?: number };
      out.number = { value: n.value, tol: n.tol ?? 1e-6 };
    }
    if (a.regex !== undefined) {
      const r = typeof a.regex === "string"
        ? { pattern: a.regex, flags: "i" }
        : a.regex as { pattern: string; flags?: string };
      try {
        out.regex = new RegExp(r.pattern, r.flags ?? "");
      } catch (err) {
        issues.push(
          at(
            `${p}/regex`,
            `bad regular expression: ${(err as Error).message}`,
            "use JavaScript regex syntax; escape backslashes in double-quoted YAML",
          ),
        );
      }
    }
    if (a.jsonata !== undefined) out.jsonata = expr(String(a.jsonata), `${p}/jsonata`);
    return out;
  }

  /** A `calls` check: every answer must name a tool (directly or through `names`) it can match. */
  function callsCheck(c: NonNullable<RawTask["check"]["calls"]>, p: string): CallsCheck {
    const names = c.names ?? {};
    const toolOf = new Map<string, string>();
    for (const [tool, fn] of Object.entries(names)) {
      const ptr = `${p}/names/${pointerSegment(tool)}`;
      if (!toolIndex.has(tool)) {
        issues.push(at(
          ptr,
          `names: maps unknown tool "${tool}"`,
          didYouMeanTool(tool) ?? "its keys are tool names of this environment",
          true,
        ));
      }
      if (toolOf.has(fn)) {
        issues.push(
          at(ptr, `names: "${fn}" is the name of two tools`, "map each tool to its own name"),
        );
      }
      toolOf.set(fn, tool);
    }
    const functions: Record<string, JsonSchema> = {};
    c.answers.forEach((a, j) => {
      const [fn] = Object.keys(a);
      const tool = toolOf.get(fn) ?? fn;
      const ptr = `${p}/answers/${j}/${pointerSegment(fn)}`;
      const ti = toolIndex.get(tool);
      if (ti === undefined) {
        issues.push(at(
          ptr,
          `answer expects a call to unknown function "${fn}"`,
          didYouMeanTool(fn) ?? "use a tool name, or map a tool to this name under names:",
          true,
        ));
        return;
      }
      const params = raw.tools[ti].parameters;
      functions[fn] = params;
      const props = (params.properties ?? {}) as Record<string, unknown>;
      for (const [param, accepted] of Object.entries(a[fn])) {
        if (!Object.hasOwn(props, param) && !accepted.includes("")) {
          issues.push(at(
            `${ptr}/${pointerSegment(param)}`,
            `${tool} has no parameter "${param}", so no call can match this answer`,
            `remove it or fix its name (parameters: ${Object.keys(props).join(", ") || "none"})`,
            true,
          ));
        }
      }
      for (const r of (params.required ?? []) as string[]) {
        if (!Object.hasOwn(a[fn], r)) {
          issues.push(at(
            ptr,
            `${tool} requires "${r}", which the answer does not list, so no call can match`,
            `add ${r}: [accepted values]`,
          ));
        }
      }
    });
    return { mode: c.mode ?? "strict", answers: c.answers, names, functions };
  }

  function didYouMeanTool(name: string): string | undefined {
    const close = closeNames(name, toolIndex.keys(), 2);
    return close.length ? `did you mean ${close.map((c) => `"${c}"`).join(" or ")}?` : undefined;
  }

  const variants = normalizeVariants(raw.variants, doc);
  issues.push(...checkVariantRefs(variants, {
    envs: [raw.env],
    toolsOf: () => tools.map((t) => t.name),
    at,
  }));

  if (issues.length > 0) throw new SpecError(issues);
  // Paths relative to the spec, so the hash (and run ids) do not depend on where tooltrial runs from.
  const sha256 = await sha256Hex(
    files.map((f) => `${relative(dirname(file), f.path)}\0${f.sha256}`).join("\n"),
  );
  return {
    name: raw.env,
    description: raw.description ?? "",
    file,
    sha256,
    files,
    state,
    tools,
    tasks,
    variants,
  };
}

function defaultAnswer(a: AnswerCheck | undefined): string | undefined {
  if (!a) return "Done.";
  if (a.equals !== undefined) return a.equals;
  if (a.contains !== undefined) return a.contains.join(", ");
  if (a.number !== undefined) return String(a.number.value);
  return undefined;
}

/** A folder means its env.yaml; anything else is taken as the file itself. */
export async function resolveEnvFile(path: string): Promise<string> {
  try {
    const st = await Deno.stat(path);
    if (st.isDirectory) return join(path, "env.yaml");
  } catch { /* readSpecFile reports the missing file */ }
  return path;
}

/** Parse a data file by its extension. */
export function parseDataFile(name: string, text: string): Row[] {
  if (name.endsWith(".csv")) return parseCsv(text);
  if (name.endsWith(".jsonl")) {
    return text.split("\n").flatMap((line, i) => {
      if (line.trim() === "") return [];
      try {
        const v = JSON.parse(line);
        if (typeof v !== "object" || v === null || Array.isArray(v)) {
          throw new Error("each line must be a JSON object");
        }
        return [v as Row];
      } catch (err) {
        throw Object.assign(new Error((err as Error).message), { line: i + 1, col: 1 });
      }
    });
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new Error(`invalid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(v) || v.some((r) => typeof r !== "object" || r === null || Array.isArray(r))) {
    throw new Error("a JSON table must be a list of objects");
  }
  return v as Row[];
}

/** Freeze a value and everything in it, so no tool can change the shared initial state. */
export function deepFreeze<T>(v: T): T {
  if (v && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}
