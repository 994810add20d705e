import type { EnvSpec, Row } from "../spec/types.ts";
import { compileTools, dispatcher, fail, type Runner, toolDefs } from "./dispatch.ts";
import type { Env } from "./types.ts";

export {
  type ArgumentIssue,
  fail,
  invalidArguments,
  parseArguments,
  unknownTool,
} from "./dispatch.ts";

/**
 * Build a runnable Env from a declarative spec: ajv-validated arguments, JSONata errors/effect/result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadEnv } from "../spec/mod.ts";
 * import { declarativeEnv } from "./declarative.ts";
 * const env = declarativeEnv(await loadEnv("envs/library"));
 * const { observation } = await env.step(env.initialState, { id: "c1", name: "nope", arguments: "{}" });
 * assert.ok(!observation.ok);
 * ```
 */
export function declarativeEnv(spec: EnvSpec): Env {
  const tools = compileTools(spec.tools);
  return {
    name: spec.name,
    tools: toolDefs(spec.tools),
    initialState: spec.state,
    ...(spec.policy !== undefined ? { policy: spec.policy } : {}),
    ...(spec.userState !== undefined ? { user: userSideEnv(spec) } : {}),
    step: dispatcher(tools, (t) => t.backend.kind === "jsonata" ? jsonataRunner : notStarted),
  };
}

/**
 * The simulated user's side of an environment as an Env of its own: its `user_tools` (JSONata,
 * run by the same dispatcher as the agent's tools) over its `user_state`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadEnv } from "../spec/mod.ts";
 * import { userSideEnv } from "./declarative.ts";
 * const user = userSideEnv(await loadEnv("examples/phone"));
 * const { state } = await user.step(user.initialState, { id: "u1", name: "toggle_airplane_mode", arguments: "{}" });
 * assert.ok(state.phone[0].airplane_mode === false);
 * ```
 */
export function userSideEnv(spec: EnvSpec): Env {
  const tools = spec.userTools ?? [];
  return {
    name: spec.name,
    tools: toolDefs(tools),
    initialState: spec.userState ?? {},
    step: dispatcher(compileTools(tools), () => jsonataRunner),
  };
}

/** A handler, MCP or HTTP tool of an env built without its backends (see `Backends`). */
const notStarted: Runner = (state, _args, spec) =>
  Promise.resolve({
    state,
    observation: fail(
      "unavailable",
      `${spec.name} runs on the ${spec.backend.kind} backend, which this environment was built without`,
      { backend: spec.backend.kind, reason: "not_started" },
    ),
  });

/** The `jsonata` backend: the effect replaces tables, then `result` is evaluated on the new state. */
export const jsonataRunner: Runner = async (state, args, spec) => {
  const before = { state };
  const bindings = { args };
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
};

/** JSONata yields a bare row for one match and undefined for none; a table is always a list. */
function asTable(v: unknown): readonly Row[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]) as Row[];
}
