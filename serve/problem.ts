import type { Context } from "hono";

/**
 * The one error shape of every route of `tooltrial serve`: `{error: {status, message, hint?}}` —
 * what went wrong and how to fix it, never a stack trace.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { problem } from "./problem.ts";
 * const app = new Hono().get("/", (c) => problem(c, 404, "no such thing", "try /v1"));
 * console.assert((await app.request("/")).status === 404);
 * ```
 */
export function problem(c: Context, status: number, message: string, hint?: string): Response {
  return c.json({ error: { status, message, ...(hint ? { hint } : {}) } }, status as 400);
}
