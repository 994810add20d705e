import { Ajv2020 } from "ajv/dist/2020.js";
import { dirname, isAbsolute, join, normalize, relative } from "node:path";
import { closeNames, SpecError, type SpecIssue } from "./errors.ts";
import {
  compileExpr,
  compileTemplate,
  type Expr,
  ExprSyntaxError,
  FIXED_NOW,
  parseNow,
  type Template,
} from "./expr.ts";
import { parseCsv } from "./csv.ts";
import { actionsCheck, normalizeUser, type RawUser, taskTableIssues } from "./conversation.ts";
import type {
  AnswerCheck,
  Call,
  Check,
  EnvSpec,
  HistoryMessage,
  HttpRequestSpec,
  Row,
  ServerSpec,
  SourceFile,
  State,
  TaskSpec,
  ToolBackend,
  ToolSpec,
} from "./types.ts";
import { unknownKeywords } from "./strict_schema.ts";
import { callsCheck, type RawCallsCheck } from "./calls_check.ts";
import { envRefIssues, writtenColumns } from "./env_refs.ts";
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

const compiledTools = new Map<string, ReturnType<typeof toolAjv.compile>>();

/**
 * A tool parameter schema compiled with `toolAjv`, shared by every tool with the same schema: envs
 * generated or imported at scale repeat a few shapes thousands of times, and compiling is most of
 * what loading them costs. (A validator's `errors` are read right after its call, so sharing is safe.)
 *
 * @example
 * ```ts
 * import { compileToolSchema } from "./load_env.ts";
 * const v = compileToolSchema({ type: "object", required: ["id"] });
 * console.assert(v({ id: 1 }) && !v({}));
 * console.assert(compileToolSchema({ type: "object", required: ["id"] }) === v);
 * ```
 */
export function compileToolSchema(
  schema: Record<string, unknown>,
): ReturnType<typeof toolAjv.compile> {
  const key = JSON.stringify(schema);
  let v = compiledTools.get(key);
  if (!v) compiledTools.set(key, v = toolAjv.compile(schema));
  return v;
}

/** Raw YAML shapes (after schema validation). */
interface RawTool {
  name?: string;
  description?: string;
  parameters?: Record<string, unknown>;
  errors?: { when: string; message: string }[];
  effect?: Record<string, string>;
  result?: string;
  handler?: string;
  mcp?: { server: string; tool?: string };
  http?: {
    method: HttpRequestSpec["method"];
    path: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    body?: string;
  };
  timeout_ms?: number;
}
interface RawServer {
  npm: string;
  args?: string[];
  env?: Record<string, string>;
  files?: Record<string, string>;
  snapshot?: { tool: string; args?: Record<string, unknown>; tables: Record<string, string> };
  allow?: { read?: string[]; write?: string[]; env?: string[] };
  timeout_ms?: number;
}
interface RawTask {
  id: string;
  query: string;
  split?: "seen" | "unseen";
  tags?: string[];
  grounded?: boolean;
  tools?: string[];
  state?: RawTables;
  history?: HistoryMessage[];
  user?: RawUser;
  gold?: { tool: string; args?: Record<string, unknown> }[];
  answer?: string | number | boolean;
  check: {
    answer?: Record<string, unknown>;
    state?: string;
    calls?: RawCallsCheck;
    actions?: { tool: string; args?: Record<string, unknown>; compare?: string[] }[];
    db?: "replay";
    communicate?: (string | number)[];
  };
}
/** Named tables as written: inline rows, or a data file next to the spec. */
type RawTables = Record<string, Row[] | { file: string }>;
interface RawEnv {
  env: string;
  description?: string;
  policy?: string | { file: string };
  now?: string;
  state?: RawTables;
  tools: RawTool[];
  tasks?: RawTask[];
  variants?: RawVariants;
  sandbox?: { timeout_ms?: number; memory_mb?: number };
  servers?: Record<string, RawServer>;
  http?: { base_url: string; cassette?: string };
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
  const deferredGold: EnvSpec["deferredGold"] = [];

  /** Named tables (the env's or a task's): inline rows, or data files next to the spec. */
  async function loadTables(
    defs: RawTables,
    base: string,
  ): Promise<Record<string, readonly Row[]>> {
    const out: Record<string, readonly Row[]> = {};
    for (const [table, def] of Object.entries(defs)) {
      if (Array.isArray(def)) {
        out[table] = deepFreeze(def);
        continue;
      }
      const dataPath = join(dirname(file), def.file);
      const ptr = `${base}/${pointerSegment(table)}/file`;
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
        out[table] = deepFreeze(parseDataFile(def.file, data));
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
    return out;
  }

  // State tables: inline rows or data files next to the spec.
  const state = await loadTables(raw.state ?? {}, "/state");
  const tables = Object.keys(raw.state ?? {});

  /** The policy's text: as written, or read from its file (hashed with the spec). */
  async function policyText(def: RawEnv["policy"]): Promise<string | undefined> {
    if (def === undefined || typeof def === "string") return def?.trim();
    const path = join(dirname(file), def.file);
    try {
      const text = await Deno.readTextFile(path);
      files.push({ path, sha256: await sha256Hex(text) });
      if (text.trim() === "") {
        issues.push(at("/policy/file", `policy file ${path} is empty`, "write the policy in it"));
      }
      return text.trim();
    } catch {
      issues.push(at(
        "/policy/file",
        `policy file ${path} not found`,
        `create it, or fix the path (relative to ${file})`,
      ));
      return undefined;
    }
  }

  const now = raw.now === undefined ? FIXED_NOW : parseNow(raw.now);
  if (now === null) {
    issues.push(at(
      "/now",
      `now: ${JSON.stringify(raw.now)} is not a date in the calendar`,
      "write an ISO 8601 time such as 2026-03-02T09:00:00Z (a time without a zone is UTC)",
    ));
  }
  const clock = { now: now ?? FIXED_NOW };
  const policy = await policyText(raw.policy);

  const expr = (source: string, pointer: string): Expr | undefined => {
    try {
      return compileExpr(source, clock);
    } catch (err) {
      issues.push(exprIssue(err, source, pointer));
      return undefined;
    }
  };
  const template = (source: string, pointer: string): Template | undefined => {
    try {
      return compileTemplate(source, clock);
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

  // Servers (MCP): checked here, started only when an episode runs.
  const servers: ServerSpec[] = [];
  for (const [name, sv] of Object.entries(raw.servers ?? {})) {
    const p = `/servers/${name}`;
    const seeds: ServerSpec["files"] = [];
    for (const [to, from] of Object.entries(sv.files ?? {})) {
      const path = join(dirname(file), from);
      const bad = isAbsolute(to) || normalize(to).startsWith("..");
      if (bad) {
        issues.push(
          at(
            `${p}/files/${to}`,
            `"${to}" is outside the server's folder`,
            "use a plain name",
            true,
          ),
        );
        continue;
      }
      try {
        // Seed files go into the spec hash like data files do.
        const bytes = await Deno.readFile(path);
        files.push({ path, sha256: await sha256Hex(bytes) });
        seeds.push({ from: path, to });
      } catch {
        issues.push(
          at(`${p}/files/${to}`, `file ${path} not found`, `fix the path (relative to ${file})`),
        );
      }
    }
    let snapshot: ServerSpec["snapshot"];
    if (sv.snapshot) {
      const tables: [string, Expr][] = [];
      for (const [table, src] of Object.entries(sv.snapshot.tables)) {
        const e = expr(src, `${p}/snapshot/tables/${table}`);
        if (e) tables.push([table, e]);
      }
      snapshot = { tool: sv.snapshot.tool, args: sv.snapshot.args ?? {}, tables };
    }
    servers.push({
      name,
      npm: sv.npm,
      args: sv.args ?? [],
      env: sv.env ?? {},
      files: seeds,
      snapshot,
      importAll: false,
      allow: { read: sv.allow?.read ?? [], write: sv.allow?.write ?? [], env: sv.allow?.env ?? [] },
      timeoutMs: sv.timeout_ms ?? 10_000,
    });
  }
  for (const sv of servers) {
    for (const [table] of sv.snapshot?.tables ?? []) {
      if (tables.includes(table)) {
        issues.push(
          at(
            `/servers/${sv.name}/snapshot/tables/${table}`,
            `snapshot table "${table}" is also a state table`,
            "the server's snapshot replaces it after every call: give it its own name",
            true,
          ),
        );
      }
    }
  }

  // Tools.
  const tools: ToolSpec[] = [];
  const validators = new Map<string, ReturnType<typeof toolAjv.compile>>();
  const toolIndex = new Map<string, number>();
  const handlers: Record<string, string> = {};
  for (const [i, t] of raw.tools.entries()) {
    const p = `/tools/${i}`;
    const kinds = (["handler", "mcp", "http", "effect"] as const).filter((k) => t[k] !== undefined);
    if (kinds.length > 1) {
      issues.push(
        at(
          `${p}/${kinds[1]}`,
          `a tool has one backend, but this one has ${kinds.join(" and ")}`,
          "split it into two tools, or drop one",
          true,
        ),
      );
    }
    if (t.mcp && t.mcp.tool === undefined) {
      const sv = servers.find((x) => x.name === t.mcp!.server);
      if (sv) sv.importAll = true;
      else issues.push(unknownServer(t.mcp.server, `${p}/mcp/server`));
      if (t.name !== undefined || t.parameters !== undefined) {
        issues.push(
          at(
            `${p}/mcp`,
            "an entry that imports every tool of a server cannot set name or parameters",
            `add tool: to pick one of ${t.mcp.server}'s tools, or drop name/parameters`,
          ),
        );
      }
      continue;
    }
    const backend = await backendOf(t, p);
    const name = t.name ?? t.mcp?.tool ?? "";
    unique(toolIndex, name, i, { pointer: `${p}/name`, what: "tool name", list: "/tools" });
    if (t.parameters !== undefined) {
      for (const u of unknownKeywords(t.parameters)) {
        issues.push(at(`${p}/parameters${u.pointer}`, u.message, u.hint, true));
      }
      try {
        validators.set(name, compileToolSchema(t.parameters));
      } catch (err) {
        issues.push(
          at(
            `${p}/parameters`,
            `invalid JSON Schema: ${(err as Error).message}`,
            "parameters must be a valid JSON Schema object",
          ),
        );
      }
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
    const fromServer = t.mcp
      ? {
        name: t.name === undefined,
        description: t.description === undefined,
        parameters: t.parameters === undefined,
      }
      : undefined;
    tools.push({
      name,
      description: t.description ?? "",
      parameters: t.parameters ?? { type: "object" },
      errors,
      effect,
      result,
      backend: backend ?? { kind: "jsonata" },
      ...(t.timeout_ms !== undefined ? { timeoutMs: t.timeout_ms } : {}),
      ...(kinds.length > 0 && kinds[0] !== "effect"
        ? { at: { file, pointer: `${p}/${kinds[0]}`, ...doc.locate(`${p}/${kinds[0]}`) } }
        : {}),
      ...(fromServer ? { fromServer } : {}),
    });
  }

  function unknownServer(name: string, pointer: string): SpecIssue {
    const names = servers.map((x) => x.name);
    const close = closeNames(name, names, 1);
    return at(
      pointer,
      `no server named "${name}"`,
      close.length
        ? `did you mean "${close[0]}"?`
        : `declare it under servers: (servers: ${names.join(", ") || "none"})`,
    );
  }

  /** The tool's backend, its handler source read and hashed; undefined (and an issue) if bad. */
  async function backendOf(t: RawTool, p: string): Promise<ToolBackend | undefined> {
    if (t.handler !== undefined) {
      const [module, fn] = t.handler.split("#");
      const path = join(dirname(file), module);
      if (!(module in handlers)) {
        let source: string;
        try {
          source = await Deno.readTextFile(path);
        } catch {
          issues.push(
            at(
              `${p}/handler`,
              `handler file ${path} not found`,
              `create it, or fix the path (relative to ${file})`,
            ),
          );
          return undefined;
        }
        handlers[module] = source;
        files.push({ path, sha256: await sha256Hex(source) });
      }
      return { kind: "handler", module, fn };
    }
    if (t.mcp !== undefined) {
      if (!servers.some((x) => x.name === t.mcp!.server)) {
        issues.push(unknownServer(t.mcp.server, `${p}/mcp/server`));
        return undefined;
      }
      return { kind: "mcp", server: t.mcp.server, tool: t.mcp.tool! };
    }
    if (t.http !== undefined) {
      if (!raw.http) {
        issues.push(
          at(
            `${p}/http`,
            "an HTTP tool needs the environment's http: base_url",
            "add http: { base_url: https://… } at the top level",
          ),
        );
      }
      const h = t.http;
      const path = template(h.path, `${p}/http/path`);
      const parts = (o: Record<string, string> | undefined, key: string) =>
        Object.entries(o ?? {}).flatMap(([k, v]): [string, Template][] => {
          const tp = template(v, `${p}/http/${key}/${k}`);
          return tp ? [[k, tp]] : [];
        });
      const body = h.body === undefined ? undefined : expr(h.body, `${p}/http/body`);
      if (!path) return undefined;
      return {
        kind: "http",
        request: {
          method: h.method,
          path,
          query: parts(h.query, "query"),
          headers: parts(h.headers, "headers"),
          ...(body ? { body } : {}),
        },
      };
    }
    return { kind: "jsonata" };
  }

  // Tasks.
  const tasks: TaskSpec[] = [];
  const taskIndex = new Map<string, number>();
  const columns = writtenColumns(raw);
  for (const [i, t] of (raw.tasks ?? []).entries()) {
    const p = `/tasks/${i}`;
    unique(taskIndex, t.id, i, { pointer: `${p}/id`, what: "task id", list: "/tasks" });
    const gold: Call[] = (t.gold ?? []).map((g, j) => {
      const args = g.args ?? {};
      const ti = toolIndex.get(g.tool);
      const importing = servers.some((x) => x.importAll);
      if (ti === undefined && importing) {
        deferredGold.push({
          task: t.id,
          tool: g.tool,
          args,
          at: { file, pointer: `${p}/gold/${j}/tool`, ...doc.locate(`${p}/gold/${j}/tool`) },
        });
      } else if (ti === undefined) {
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
      } else if (tools[ti]?.fromServer?.parameters) {
        deferredGold.push({
          task: t.id,
          tool: g.tool,
          args,
          at: { file, pointer: `${p}/gold/${j}/args`, ...doc.locate(`${p}/gold/${j}/args`) },
        });
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
    const offered = t.tools === undefined ? undefined : taskTools(t.tools, gold, p);
    const own = t.state === undefined ? undefined : await taskState(t.state, `${p}/state`);
    const check: Check = {};
    if (t.check.state !== undefined) check.state = expr(t.check.state, `${p}/check/state`);
    if (t.check.answer) check.answer = answerCheck(t.check.answer, `${p}/check/answer`);
    if (t.check.calls) {
      check.calls = callsCheck(t.check.calls, `${p}/check/calls`, {
        parametersOf: (tool) => {
          const ti = toolIndex.get(tool);
          return ti === undefined ? undefined : raw.tools[ti].parameters ?? { type: "object" };
        },
        at,
        didYouMean: didYouMeanTool,
        issues,
      });
    }
    if (t.check.actions) {
      check.actions = actionsCheck(t.check.actions, `${p}/check/actions`, {
        tools: new Map(
          tools.map((x) => [x.name, x.fromServer?.parameters ? undefined : x.parameters]),
        ),
        validate: (tool, args) => {
          const v = validators.get(tool);
          if (!v || v(args)) return null;
          const e = v.errors![0];
          return [e.instancePath, `${e.instancePath || "arguments"} ${e.message}`];
        },
        offered,
        importing: servers.some((x) => x.importAll),
        at,
        issues,
      });
    }
    if (t.check.db !== undefined) check.db = t.check.db;
    if (t.check.communicate) check.communicate = t.check.communicate.map(String);
    const answer = t.answer !== undefined
      ? String(t.answer)
      : defaultAnswer(check.answer, check.communicate);
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
      ...(t.grounded === false ? { grounded: false } : {}),
      ...(offered ? { tools: offered } : {}),
      ...(own ? { state: own } : {}),
      ...(t.history
        ? { history: t.history.map((m) => ({ role: m.role, content: m.content })) }
        : {}),
      ...(t.user ? { user: normalizeUser(t.user) } : {}),
      gold,
      answer: answer ?? "",
      check,
    });
  }

  /** A task's own tables, loaded like the env's and checked against the env's tables. */
  async function taskState(defs: RawTables, p: string): Promise<State> {
    const own = await loadTables(defs, p);
    for (const [table, rows] of Object.entries(own)) {
      issues.push(...taskTableIssues(table, rows, {
        env: state,
        columns,
        pointer: `${p}/${pointerSegment(table)}`,
        at,
      }));
    }
    return deepFreeze(own);
  }

  /** A task's `tools:` subset: names of this env's tools, each once, holding every gold tool. */
  function taskTools(names: string[], gold: Call[], p: string): string[] {
    const importing = servers.some((x) => x.importAll);
    const seen = new Set<string>();
    names.forEach((n, k) => {
      if (seen.has(n)) {
        issues.push(at(`${p}/tools/${k}`, `"${n}" is listed twice`, "list each tool once"));
      } else if (!toolIndex.has(n) && !importing) {
        const close = closeNames(n, toolIndex.keys(), 2);
        issues.push(
          at(
            `${p}/tools/${k}`,
            `the task offers unknown tool "${n}"`,
            close.length
              ? `did you mean ${close.map((c) => `"${c}"`).join(" or ")}?`
              : `tools here: ${[...toolIndex.keys()].join(", ")}`,
          ),
        );
      }
      seen.add(n);
    });
    gold.forEach((g, j) => {
      if (!seen.has(g.tool)) {
        issues.push(
          at(
            `${p}/gold/${j}/tool`,
            `the gold call uses "${g.tool}", which the task's tools: do not offer`,
            `add "${g.tool}" to the task's tools: (or fix the gold call)`,
          ),
        );
      }
    });
    return [...seen];
  }

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

  issues.push(...envRefIssues(raw, {
    state,
    declared: tables,
    extraTables: servers.flatMap((sv) => (sv.snapshot?.tables ?? []).map(([t]) => t)),
    at,
  }));

  // Recorded HTTP answers decide what replayed HTTP tools return: they are part of the spec.
  if (raw.http) {
    const path = join(dirname(file), raw.http.cassette ?? "cassette.jsonl");
    const bytes = await Deno.readFile(path).catch(() => undefined);
    if (bytes) files.push({ path, sha256: await sha256Hex(bytes) });
  }
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
    ...(policy !== undefined ? { policy } : {}),
    ...(raw.now !== undefined && now !== null ? { now: new Date(now).toISOString() } : {}),
    handlers,
    sandbox: {
      timeoutMs: raw.sandbox?.timeout_ms ?? 1000,
      memoryMb: raw.sandbox?.memory_mb ?? 128,
    },
    servers,
    ...(raw.http
      ? {
        http: {
          baseUrl: raw.http.base_url.replace(/\/+$/, ""),
          cassette: join(dirname(file), raw.http.cassette ?? "cassette.jsonl"),
        },
      }
      : {}),
    deferredGold,
  };
}

function defaultAnswer(
  a: AnswerCheck | undefined,
  communicate: string[] | undefined,
): string | undefined {
  if (!a) return communicate ? communicate.join(", ") : "Done.";
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
