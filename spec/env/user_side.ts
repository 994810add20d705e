/**
 * The simulated user's side of an environment (tau2's user tools): `user_state:` tables the user
 * holds and `user_tools:` over them, written like the agent's JSONata tools; and each task's part
 * of it — its own user-state tables, the scripted user's tool calls, a `user_state` check.
 * @module
 */
import { closeNames } from "../errors.ts";
import { exprRefIssues } from "../expr_refs.ts";
import { BACKEND_KINDS } from "../backends/mod.ts";
import type { Expr } from "../expr.ts";
import type { Call, State } from "../types.ts";
import type { ExprContext } from "./context.ts";
import type { RawEnv, RawTask } from "./raw.ts";
import { envRefIssues, writtenColumns } from "./refs.ts";
import { deepFreeze, loadTables, taskState } from "./state.ts";
import { type LoadedTools, loadTools } from "./tools.ts";

/** The user's side of an environment: its initial state and its tools. */
export interface UserSide extends LoadedTools {
  /** The user's initial state (`user_state:`). */
  state: State;
}

/**
 * The environment's `user_state:` and `user_tools:`, loaded and checked: user tools need a
 * user_state, run on JSONata only (no handler, server or HTTP on the user's side), and their
 * expressions may only name user_state tables. Undefined when the environment declares neither.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseYaml } from "../yaml.ts";
 * import { envContext, withExprs } from "./context.ts";
 * import { loadUserSide } from "./user_side.ts";
 * const ctx = withExprs(envContext(parseYaml("tools: []\n", "e.yaml"), []), { now: 0 });
 * const raw = {
 *   env: "e", tools: [], user_state: { phone: [{ airplane_mode: true }] },
 *   user_tools: [{ name: "toggle", description: "", parameters: { type: "object" },
 *     effect: { phone: "state.phone ~> |$|{'airplane_mode': $not(airplane_mode)}|" } }],
 * };
 * const side = await loadUserSide(raw, ctx);
 * assert.ok(side?.tools[0].name === "toggle" && side.state.phone.length === 1);
 * ```
 */
export async function loadUserSide(
  raw: RawEnv,
  ctx: ExprContext,
): Promise<UserSide | undefined> {
  if (raw.user_state === undefined && raw.user_tools === undefined) return undefined;
  const { at, issues } = ctx;
  if (raw.user_state === undefined) {
    issues.push(at(
      "/user_tools",
      "user_tools: act on a user_state:, which this environment does not declare",
      "add user_state: with the tables the user holds, e.g. user_state: { phone: [{ airplane_mode: true }] }",
      true,
    ));
  }
  const state = await loadTables(raw.user_state ?? {}, { base: "/user_state", ctx });
  const tables = Object.keys(raw.user_state ?? {});
  const loaded = await loadTools(raw, { tables, servers: [], ctx, list: "user_tools" });
  (raw.user_tools ?? []).forEach((t, i) => {
    const key = BACKEND_KINDS.map((b) => b.key).find((k) => k !== "effect" && t[k] !== undefined);
    if (key) {
      issues.push(at(
        `/user_tools/${i}/${key}`,
        `a user tool runs on JSONata only, but this one has ${key}:`,
        "write it with errors:, effect: and result: over the user's state (the user's side has no handlers, servers or HTTP)",
        true,
      ));
    }
  });
  issues.push(...envRefIssues({ tools: raw.user_tools ?? [] }, {
    state,
    declared: tables,
    extraTables: [],
    at,
    list: "/user_tools",
  }));
  return { ...loaded, state: deepFreeze(state) };
}

/** A task's part of the user's side, normalized. */
export interface TaskUserSide {
  /** The task's own user-state tables (`user: state:`). */
  state?: State;
  /** The scripted user's tool calls (`user: calls:`). */
  calls?: Call[];
  /** The `user_state` check, compiled. */
  check?: Expr;
}

/**
 * A task's `user: state:`, `user: calls:` and `check: user_state:`, checked against the
 * environment's user side (`side`; undefined when the environment has none, which makes each of
 * them a problem): own tables fit the user_state's, calls name user tools with fitting arguments,
 * the check names user_state tables (or the task's own).
 */
export async function taskUserSide(
  t: RawTask,
  opts: { p: string; side: UserSide | undefined; raw: RawEnv; ctx: ExprContext },
): Promise<TaskUserSide> {
  const { p, side, ctx } = opts;
  const { at, issues } = ctx;
  const out: TaskUserSide = {};
  const missing = (pointer: string, what: string) =>
    issues.push(at(
      pointer,
      `${what}, but the environment declares no user_state:`,
      "declare user_state: (and user_tools: to change it) at the top of the environment",
      true,
    ));
  if (t.user?.state !== undefined) {
    if (!side) missing(`${p}/user/state`, "the task sets the user's state");
    else {
      out.state = await taskState(t.user.state, {
        p: `${p}/user/state`,
        state: side.state,
        columns: writtenColumns({ tools: opts.raw.user_tools ?? [] }),
        ctx,
      });
    }
  }
  if (t.user?.calls !== undefined) {
    if (!side) missing(`${p}/user/calls`, "the task's user makes tool calls");
    out.calls = t.user.calls.map((c, j) => {
      const args = c.args ?? {};
      if (side && !side.toolIndex.has(c.tool)) {
        const close = closeNames(c.tool, side.toolIndex.keys(), 2);
        issues.push(at(
          `${p}/user/calls/${j}/tool`,
          `the user calls unknown user tool "${c.tool}"`,
          close.length
            ? `did you mean ${close.map((x) => `"${x}"`).join(" or ")}?`
            : `user tools here: ${[...side.toolIndex.keys()].join(", ") || "none"}`,
        ));
      } else if (side) {
        const v = side.validators.get(c.tool);
        if (v && !v(args)) {
          const e = v.errors![0];
          issues.push(at(
            `${p}/user/calls/${j}/args${e.instancePath}`,
            `the user's call does not fit ${c.tool}'s parameters: ${
              e.instancePath || "arguments"
            } ${e.message}`,
            "fix the call or the user tool's parameters",
          ));
        }
      }
      return { tool: c.tool, args };
    });
  }
  const src = t.check.user_state;
  if (src !== undefined) {
    if (!side) missing(`${p}/check/user_state`, "the task checks the user's state");
    out.check = ctx.expr(src, `${p}/check/user_state`);
    if (side) {
      const tables = new Map<string, ReadonlySet<string> | undefined>(
        [...Object.keys(side.state), ...Object.keys(out.state ?? {})].map((n) => [n, undefined]),
      );
      for (const i of exprRefIssues(src, { roots: ["state"], tables })) {
        issues.push(at(`${p}/check/user_state`, i.message, i.hint));
      }
    }
  }
  return out;
}
