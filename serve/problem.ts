import type { Context } from "hono";

/**
 * The one error shape of every route of `tooltrial serve`: `{error: {status, message, hint?}}` —
 * what went wrong and how to fix it, never a stack trace.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { problem } from "./problem.ts";
 * const app = new Hono().get("/", (c) => problem(c, 404, "no such thing", "try /v1"));
 * assert.ok((await app.request("/")).status === 404);
 * ```
 */
export function problem(c: Context, status: number, message: string, hint?: string): Response {
  return c.json(problemBody(status, message, hint), status as 400);
}

/**
 * The same answer without a hono context (for what runs around the app, as the size and time
 * limits do).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { problemResponse } from "./problem.ts";
 * const res = problemResponse(503, "request took longer than 30000 ms", "retry later");
 * assert.ok(res.status === 503 && (await res.json()).error.hint === "retry later");
 * ```
 */
export function problemResponse(status: number, message: string, hint?: string): Response {
  return new Response(JSON.stringify(problemBody(status, message, hint)), {
    status,
    headers: { "content-type": "application/json" },
  });
}

function problemBody(status: number, message: string, hint?: string) {
  return { error: { status, message, ...(hint ? { hint } : {}) } };
}
