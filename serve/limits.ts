import type { Hono } from "hono";
import { Deadlines } from "../core/mod.ts";
import { loopbackRefusal } from "./guard.ts";
import { problemResponse } from "./problem.ts";

/** What `limit` enforces on every request. */
export interface Limits {
  /** Largest declared body in bytes: more is refused (413) before anything is read. */
  maxBodyBytes: number;
  /** Longest a request may take before it is answered 503. */
  timeoutMs: number;
  /**
   * Refuse what a web page could send a server that has no token (guard.ts): non-loopback `Host`,
   * cross-site origins, bodies that are not JSON.
   */
  loopbackOnly?: boolean;
}

/**
 * Put size and time limits around an app: its `fetch` (what `Deno.serve` and `app.request` call)
 * is replaced by one that refuses a declared body over `maxBodyBytes` (413) and answers 503 when
 * the app has not answered within `timeoutMs` (the app's work goes on, its answer is dropped).
 *
 * An adapter rather than a middleware: a hono middleware is one more async step, promise race and
 * closure set in every request, a quarter of the API's garbage per request. Here a handler that
 * answers at once (a Response, not a promise) costs nothing, and one that does not costs one
 * promise. Body size: a body sent without a length is read with the same cap by the route that
 * reads it (hono's bodyLimit re-wraps every body stream, which cost half the API's throughput).
 * Time: one shared ticker (core/deadlines.ts) instead of a timer per request (at thousands of
 * requests a second, a setTimeout each cost more than a fifth of the throughput).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { limit } from "./limits.ts";
 * const app = new Hono().get("/slow", () => new Promise<Response>(() => {}));
 * limit(app, { maxBodyBytes: 1024, timeoutMs: 20 });
 * assert.ok((await app.request("/slow")).status === 503);
 * ```
 */
export function limit(app: Hono, limits: Limits): Hono {
  const { maxBodyBytes, timeoutMs } = limits;
  const inner = app.fetch;
  const deadlines = new Deadlines(Math.min(250, timeoutMs));
  app.fetch = (req, env, ctx) => {
    // GET and HEAD carry no body, and reading a header makes Deno copy every header of the
    // request when it answers: leave theirs alone.
    if (req.method !== "GET" && req.method !== "HEAD") {
      const len = req.headers.get("content-length");
      if (len !== null && Number(len) > maxBodyBytes) {
        return problemResponse(413, "request body too large", `at most ${maxBodyBytes} bytes`);
      }
    }
    if (limits.loopbackOnly) {
      const refused = loopbackRefusal(req);
      if (refused) return refused;
    }
    const res = inner(req, env, ctx);
    if (res instanceof Response) return res;
    return new Promise<Response>((resolve, reject) => {
      const done = deadlines.watch(
        timeoutMs,
        () =>
          resolve(problemResponse(503, `request took longer than ${timeoutMs} ms`, "retry later")),
      );
      res.then((r) => {
        done();
        resolve(r);
      }, (err) => {
        done();
        reject(err);
      });
    });
  };
  return app;
}
