/**
 * An environment's tools: names, parameter schemas (compiled with ajv), errors, effects and
 * results, and each tool's backend (JSONata, a handler module, an MCP server or an HTTP request).
 * @module
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import { closeNames } from "../errors.ts";
import type { Expr } from "../expr.ts";
import { BACKEND_KINDS, type BackendParseContext } from "../backends/mod.ts";
import { unknownKeywords } from "../strict_schema.ts";
import { specsTrusted } from "../validate.ts";
import type { ServerSpec, ToolBackend, ToolSpec } from "../types.ts";
import type { ExprContext } from "./context.ts";
import type { RawEnv, RawTool } from "./raw.ts";
import { unknownServer } from "./servers.ts";

/** Ajv for tool parameter schemas: lenient about unknown keywords, as real tool schemas carry many. */
export const toolAjv: Ajv2020 = new Ajv2020({
  allErrors: true,
  strict: false,
  validateFormats: false,
});

/** One problem a tool's parameter schema finds in arguments (the fields of ajv's error we read). */
export interface ToolArgumentError {
  /** JSON pointer of the bad value inside the arguments ("" for the arguments object). */
  instancePath: string;
  /** The schema keyword that failed (required, type, additionalProperties, …). */
  keyword: string;
  /** Where that keyword is in the schema. */
  schemaPath: string;
  /** The keyword's parameters, e.g. `{additionalProperty: "x"}`. */
  params: Record<string, unknown>;
  /** ajv's message, e.g. "must have required property 'id'". */
  message?: string;
}

/** A compiled tool parameter schema: true when the arguments fit; else `errors` says why. */
export interface ToolValidator {
  /** Whether `args` fit the schema. */
  (args: unknown): boolean;
  /** What the last call found wrong (null or absent after a pass). */
  errors?: ToolArgumentError[] | null;
}

const compiledTools = new Map<string, ToolValidator>();

/**
 * A tool parameter schema compiled with `toolAjv`, shared by every tool with the same schema: envs
 * generated or imported at scale repeat a few shapes thousands of times, and compiling is most of
 * what loading them costs. (A validator's `errors` are read right after its call, so sharing is safe.)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileToolSchema } from "./tools.ts";
 * const v = compileToolSchema({ type: "object", required: ["id"] });
 * assert.ok(v({ id: 1 }) && !v({}));
 * assert.ok(compileToolSchema({ type: "object", required: ["id"] }) === v);
 * ```
 */
export function compileToolSchema(schema: Record<string, unknown>): ToolValidator {
  const key = JSON.stringify(schema);
  let v = compiledTools.get(key);
  if (!v) compiledTools.set(key, v = toolAjv.compile(schema));
  return v;
}

/** An env's tools, normalized, with what tasks are checked against. */
export interface LoadedTools {
  /** The tools, in file order (entries that import a server whole are not tools yet). */
  tools: ToolSpec[];
  /** Each tool's compiled parameter schema, by tool name. */
  validators: Map<string, ToolValidator>;
  /** Each tool's index in `tools:`, by name. */
  toolIndex: Map<string, number>;
  /** Handler module sources, by module path as written. */
  handlers: Record<string, string>;
}

/**
 * The `tools:` of an env, normalized. Effects must name state tables (`tables`); an `mcp:` entry
 * must name one of `servers` (one without `tool:` marks its server as imported whole); handler
 * modules are read and hashed into `ctx.files`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseYaml } from "../yaml.ts";
 * import { envContext, withExprs } from "./context.ts";
 * import { loadTools } from "./tools.ts";
 * const ctx = withExprs(envContext(parseYaml("tools: []\n", "e.yaml"), []), { now: 0 });
 * const raw = { env: "e", tools: [{ name: "get", parameters: { type: "object" }, result: "1" }] };
 * const { tools, validators } = await loadTools(raw, { tables: [], servers: [], ctx });
 * assert.ok(tools[0].backend.kind === "jsonata" && validators.has("get"));
 * ```
 */
export async function loadTools(
  raw: RawEnv,
  opts: {
    tables: readonly string[];
    servers: ServerSpec[];
    ctx: ExprContext;
    /** Which list of tools: the agent's `tools` (default) or the simulated user's `user_tools`. */
    list?: "tools" | "user_tools";
  },
): Promise<LoadedTools> {
  const { tables, servers, ctx } = opts;
  const list = opts.list ?? "tools";
  const { at, issues } = ctx;
  const tools: ToolSpec[] = [];
  const validators = new Map<string, ToolValidator>();
  const toolIndex = new Map<string, number>();
  const handlers: Record<string, string> = {};
  for (const [i, t] of (raw[list] ?? []).entries()) {
    const p = `/${list}/${i}`;
    const kinds = BACKEND_KINDS.map((b) => b.key).filter((k) => t[k] !== undefined);
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
      else issues.push(unknownServer(t.mcp.server, { pointer: `${p}/mcp/server`, servers, ctx }));
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
    const backend = await backendOf(t, { p, raw, servers, handlers, ctx });
    const name = t.name ?? t.mcp?.tool ?? "";
    ctx.unique(toolIndex, name, i, { pointer: `${p}/name`, what: "tool name", list: `/${list}` });
    if (t.parameters !== undefined) {
      for (const u of specsTrusted() ? [] : unknownKeywords(t.parameters)) {
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
      const when = ctx.expr(r.when, `${p}/errors/${j}/when`);
      const message = ctx.template(r.message, `${p}/errors/${j}/message`);
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
              : `declare it under ${list === "tools" ? "state" : "user_state"}: (tables: ${
                tables.join(", ") || "none"
              })`,
            true,
          ),
        );
      }
      const e = ctx.expr(src, `${p}/effect/${table}`);
      if (e) effect.push([table, e]);
    }
    const result = t.result === undefined ? undefined : ctx.expr(t.result, `${p}/result`);
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
      ...(kinds.length > 0 && kinds[0] !== "effect" ? { at: ctx.where(`${p}/${kinds[0]}`) } : {}),
      ...(fromServer ? { fromServer } : {}),
    });
  }
  return { tools, validators, toolIndex, handlers };
}

/** The tool's backend by the registry's kind for its key; undefined (and an issue) if bad. */
function backendOf(t: RawTool, c: BackendParseContext): Promise<ToolBackend | undefined> {
  const kind = BACKEND_KINDS.find((b) => t[b.key] !== undefined) ?? BACKEND_KINDS.at(-1)!;
  return kind.parse(t, c);
}
