import { deepFreeze } from "../spec/mod.ts";
import type { Row, State } from "../spec/types.ts";
import { fail, type Runner } from "./dispatch.ts";
import type { HandlerCaller } from "./sandbox.ts";

/**
 * The `handler` backend: `fn(args, state)` in the environment's sandbox — in a lease's own
 * module instances inside an episode, else in a lease of its own per call. It returns
 * `{result, state?}`, where `state` holds the tables it replaces (declared ones only); a thrown
 * error is the tool's `tool_error`; a timeout is `unavailable`, a crash or memory overrun a
 * `tool_crash` — both with `details.backend` so reports can count them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Sandbox } from "./sandbox.ts";
 * import { handlerRunner } from "./handler.ts";
 * const box = new Sandbox({ "h.ts": "export const f = (a: { n: number }) => ({ result: a.n * 2 });" });
 * const run = handlerRunner(box, []);
 * const tool = { name: "f", backend: { kind: "handler", module: "h.ts", fn: "f" } } as const;
 * // deno-lint-ignore no-explicit-any
 * const r = await run({}, { n: 4 }, tool as any);
 * assert.ok(r.observation.ok && r.observation.result === 8);
 * await box.close();
 * ```
 */
export function handlerRunner(sandbox: HandlerCaller, tables: readonly string[]): Runner {
  return async (state, args, tool) => {
    if (tool.backend.kind !== "handler") throw new Error(`${tool.name} is not a handler tool`);
    const { module, fn } = tool.backend;
    const r = await sandbox.call(module, fn, args, state, { timeoutMs: tool.timeoutMs });
    if (!r.ok) {
      if (r.reason === "error") return { state, observation: fail("tool_error", r.message) };
      return {
        state,
        observation: fail(
          r.reason === "timeout" ? "unavailable" : "tool_crash",
          `${tool.name}: the handler ${r.message}`,
          { backend: "handler", reason: r.reason },
        ),
      };
    }
    const bad = (why: string) => ({
      state,
      observation: fail("tool_crash", `${tool.name}: the handler ${why}`, {
        backend: "handler",
        reason: "output",
      }),
    });
    const v = r.value as { result?: unknown; state?: unknown } | null;
    if (typeof v !== "object" || v === null || Array.isArray(v) || !("result" in v)) {
      return bad("must return an object {result, state?}");
    }
    if (v.state === undefined || v.state === null) {
      return { state, observation: { ok: true, result: v.result ?? null } };
    }
    if (typeof v.state !== "object" || Array.isArray(v.state)) {
      return bad("returned a state that is not an object of tables");
    }
    const next: Record<string, readonly Row[]> = { ...state };
    for (const [table, rows] of Object.entries(v.state as Record<string, unknown>)) {
      if (!tables.includes(table)) {
        return bad(
          `returned unknown state table "${table}" (tables: ${tables.join(", ") || "none"})`,
        );
      }
      if (
        !Array.isArray(rows) ||
        rows.some((x) => typeof x !== "object" || x === null || Array.isArray(x))
      ) {
        return bad(`returned table "${table}" that is not a list of objects`);
      }
      next[table] = deepFreeze(rows as Row[]);
    }
    return { state: next as State, observation: { ok: true, result: v.result ?? null } };
  };
}
