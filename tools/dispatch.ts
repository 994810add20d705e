import {
  closeNames,
  compileToolSchema,
  exprErrorMessage,
  type ToolValidator,
} from "../spec/mod.ts";
import type { State, ToolSpec } from "../spec/types.ts";
import type { ErrorKind, Observation, StepResult, ToolCall, ToolDef } from "./types.ts";

/** What a backend gives back for one call with valid arguments. */
export interface ToolRun {
  state: State;
  observation: Observation;
}

/**
 * One backend's way of answering a call whose arguments already passed the tool's schema and
 * `errors` rules. A runner may return error observations; one that throws is answered as a crash.
 */
export type Runner = (
  state: State,
  args: Record<string, unknown>,
  tool: ToolSpec,
) => Promise<ToolRun>;

/** A tool with its compiled argument validator. */
export interface CompiledTool {
  spec: ToolSpec;
  validate: ToolValidator;
}

/** Compile every tool's parameter schema once. */
export function compileTools(specs: readonly ToolSpec[]): Map<string, CompiledTool> {
  return new Map(
    specs.map((t) => [t.name, { spec: t, validate: compileToolSchema(t.parameters) }]),
  );
}

/** The tools as the agent sees them. */
export function toolDefs(specs: readonly ToolSpec[]): ToolDef[] {
  return specs.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
}

/**
 * The step function every environment shares, whatever its tools' backends: unknown tool, JSON and
 * schema checks, the `errors` rules, then the tool's backend, then (for a handler, MCP or HTTP
 * tool) its `result` expression over the backend's answer bound to `$result`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadEnv } from "../spec/mod.ts";
 * import { compileTools, dispatcher } from "./dispatch.ts";
 * import { jsonataRunner } from "./declarative.ts";
 * const spec = await loadEnv("envs/library");
 * const step = dispatcher(compileTools(spec.tools), () => jsonataRunner);
 * const r = await step(spec.state, { id: "c1", name: "get_book", arguments: "{}" });
 * assert.ok(!r.observation.ok && r.observation.error.kind === "invalid_arguments");
 * ```
 */
export function dispatcher(
  tools: ReadonlyMap<string, CompiledTool>,
  runnerOf: (tool: ToolSpec) => Runner,
): (state: State, call: ToolCall) => Promise<StepResult> {
  return async (state, call) => {
    const tool = tools.get(call.name);
    if (!tool) return { state, observation: unknownTool(call.name, tools.keys()) };
    const parsed = parseArguments(call.arguments);
    if ("error" in parsed) return { state, observation: parsed.error };
    const args = parsed.args;
    const spec = tool.spec;
    if (!tool.validate(args)) {
      return {
        state,
        observation: invalidArguments(
          spec.name,
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
    const bindings = { args };
    try {
      for (const rule of spec.errors) {
        if (await rule.when.evaluate({ state }, bindings)) {
          return {
            state,
            observation: fail("tool_error", await rule.message.render({ state }, bindings)),
          };
        }
      }
    } catch (err) {
      return { state, observation: crashed(spec, err) };
    }
    let run: ToolRun;
    try {
      run = await runnerOf(spec)(state, args, spec);
    } catch (err) {
      return { state, observation: crashed(spec, err) };
    }
    if (spec.backend.kind === "jsonata" || !spec.result || !run.observation.ok) return run;
    try {
      const shaped = await spec.result.evaluate({ state: run.state }, {
        args,
        result: run.observation.result,
      });
      // Plain JSON, as the backend's own answer is (JSONata marks its sequences).
      const result = shaped === undefined ? null : JSON.parse(JSON.stringify(shaped));
      return { ...run, observation: { ok: true, result } };
    } catch (err) {
      return { state, observation: crashed(spec, err) };
    }
  };
}

function crashed(spec: ToolSpec, err: unknown): Observation {
  return fail("tool_crash", `${spec.name} failed inside the environment: ${exprErrorMessage(err)}`);
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
