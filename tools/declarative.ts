import type { ValidateFunction } from "ajv";
import { closeNames, exprErrorMessage, toolAjv } from "../spec/mod.ts";
import type { EnvSpec, Row, State, ToolSpec } from "../spec/types.ts";
import type { Env, ErrorKind, Observation, StepResult, ToolCall, ToolDef } from "./types.ts";

interface CompiledTool {
  spec: ToolSpec;
  validate: ValidateFunction;
}

/**
 * Build a runnable Env from a declarative spec: ajv-validated arguments, JSONata errors/effect/result.
 *
 * @example
 * ```ts
 * import { loadEnv } from "../spec/mod.ts";
 * import { declarativeEnv } from "./declarative.ts";
 * const env = declarativeEnv(await loadEnv("envs/library"));
 * const { observation } = await env.step(env.initialState, { id: "c1", name: "nope", arguments: "{}" });
 * console.assert(!observation.ok);
 * ```
 */
export function declarativeEnv(spec: EnvSpec): Env {
  const tools = new Map<string, CompiledTool>();
  for (const t of spec.tools) {
    tools.set(t.name, { spec: t, validate: toolAjv.compile(t.parameters) });
  }
  const defs: ToolDef[] = spec.tools.map((t) => ({
    name: t.name,
    description: t.description,
    parameters: t.parameters,
  }));
  return {
    name: spec.name,
    tools: defs,
    initialState: spec.state,
    step(state, call) {
      const tool = tools.get(call.name);
      if (!tool) {
        return Promise.resolve({ state, observation: unknownTool(call.name, tools.keys()) });
      }
      return runTool(tool, state, call);
    },
  };
}

/** An error observation. */
export function fail(kind: ErrorKind, message: string, details?: unknown): Observation {
  return details === undefined
    ? { ok: false, error: { kind, message } }
    : { ok: false, error: { kind, message, details } };
}

/** The error observation for a call to a tool that does not exist, naming close ones. */
export function unknownTool(name: string, names: Iterable<string>): Observation {
  const all = [...names];
  const close = closeNames(name, all, 3);
  const hint = close.length > 0
    ? ` Did you mean ${close.join(", ")}?`
    : ` Available tools: ${all.join(", ")}.`;
  return fail("unknown_tool", `No tool named "${name}".${hint}`);
}

/** One argument problem: where (a JSON pointer into the arguments) and what. */
export interface ArgumentIssue {
  path: string;
  message: string;
  schema_path?: string;
}

/**
 * The `invalid_arguments` observation, in the one format every layer uses (variant wrappers report
 * their own argument problems the same way, so agents read one shape).
 */
export function invalidArguments(tool: string, issues: ArgumentIssue[]): Observation {
  const summary = issues.map((e) => `${e.path} ${e.message}`).join("; ");
  return fail("invalid_arguments", `Invalid arguments for ${tool}: ${summary}`, issues);
}

/** Parse JSON-text arguments; an object passes through. */
export function parseArguments(
  raw: ToolCall["arguments"],
): { args: Record<string, unknown> } | { error: Observation } {
  if (typeof raw !== "string") return { args: raw };
  let v: unknown;
  try {
    v = raw.trim() === "" ? {} : JSON.parse(raw);
  } catch (err) {
    return {
      error: fail("invalid_json", `Arguments are not valid JSON: ${(err as Error).message}`),
    };
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    return { error: fail("invalid_json", "Arguments must be a JSON object.") };
  }
  return { args: v as Record<string, unknown> };
}

async function runTool(tool: CompiledTool, state: State, call: ToolCall): Promise<StepResult> {
  const parsed = parseArguments(call.arguments);
  if ("error" in parsed) return { state, observation: parsed.error };
  const args = parsed.args;
  if (!tool.validate(args)) {
    return {
      state,
      observation: invalidArguments(
        tool.spec.name,
        tool.validate.errors!.map((e) => ({
          path: e.instancePath || "/",
          message: e.keyword === "additionalProperties"
            ? `unknown parameter "${
              (e.params as { additionalProperty: string }).additionalProperty
            }"`
            : e.message ?? e.keyword,
          schema_path: e.schemaPath,
        })),
      ),
    };
  }
  const spec = tool.spec;
  const before = { state };
  const bindings = { args };
  try {
    for (const rule of spec.errors) {
      if (await rule.when.evaluate(before, bindings)) {
        return {
          state,
          observation: fail("tool_error", await rule.message.render(before, bindings)),
        };
      }
    }
    let next = state;
    if (spec.effect.length > 0) {
      const updated: Record<string, readonly Row[]> = { ...state };
      for (const [table, expr] of spec.effect) {
        updated[table] = asTable(await expr.evaluate(before, bindings));
      }
      next = updated;
    }
    const result = spec.result
      ? await spec.result.evaluate(next === state ? before : { state: next }, bindings)
      : null;
    return { state: next, observation: { ok: true, result: result === undefined ? null : result } };
  } catch (err) {
    return {
      state,
      observation: fail(
        "tool_crash",
        `${spec.name} failed inside the environment: ${exprErrorMessage(err)}`,
      ),
    };
  }
}

/** JSONata yields a bare row for one match and undefined for none; a table is always a list. */
function asTable(v: unknown): readonly Row[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]) as Row[];
}
