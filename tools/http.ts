import type { HttpRequestSpec, State } from "../spec/types.ts";
import type { Cassette, RecordedRequest, RecordedResponse } from "./cassette.ts";
import { fail, type Runner } from "./dispatch.ts";
import type { Observation } from "./types.ts";

/** How HTTP tools reach their API: answers from the cassette only, or live requests recorded into it. */
export type HttpMode = "replay" | "record";

/** The request a call makes: path with sorted query (no host), JSON body, headers. */
export async function renderRequest(
  req: HttpRequestSpec,
  state: State,
  args: Record<string, unknown>,
): Promise<RecordedRequest & { headers: Record<string, string> }> {
  const input = { state };
  // Values spliced into the path are URL-encoded, so "a/b" stays one segment.
  const encoded = Object.fromEntries(
    Object.entries(args).map((
      [k, v],
    ) => [k, typeof v === "string" || typeof v === "number" ? encodeURIComponent(String(v)) : v]),
  );
  const path = await req.path.render(input, { args: encoded });
  const query = new URLSearchParams();
  for (const [k, t] of [...req.query].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const v = await t.render(input, { args });
    if (v !== "") query.append(k, v);
  }
  const headers: Record<string, string> = {};
  for (const [k, t] of req.headers) headers[k] = await t.render(input, { args });
  let body: string | null = null;
  if (req.body) {
    const v = await req.body.evaluate(input, { args });
    body = JSON.stringify(v === undefined ? null : v);
    headers["content-type"] ??= "application/json";
  }
  const qs = query.toString();
  return { method: req.method, path: qs ? `${path}?${qs}` : path, body, headers };
}

/**
 * The `http` backend: render the request, then answer from the cassette (`replay`, the default:
 * reproducible and offline) or from the live API, recording the answer (`record`). 2xx answers
 * are the result (JSON parsed); 4xx are the API refusing (`tool_error`); 5xx, network failures,
 * timeouts and answers missing from the cassette carry `details.backend`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileTemplate } from "../spec/mod.ts";
 * import { Cassette } from "./cassette.ts";
 * import { httpRunner } from "./http.ts";
 * const cassette = new Cassette("/nonexistent.jsonl");
 * cassette.put({ method: "GET", path: "/users/7", body: null }, {
 *   status: 200, contentType: "application/json", body: '{"name":"Ada"}',
 * });
 * const run = httpRunner({ baseUrl: "http://api.invalid", cassette, mode: "replay" });
 * const tool = { name: "user", timeoutMs: 1000, backend: { kind: "http", request: {
 *   method: "GET", path: compileTemplate("/users/{{$args.id}}"), query: [], headers: [] } } };
 * // deno-lint-ignore no-explicit-any
 * const r = await run({}, { id: 7 }, tool as any);
 * assert.ok(r.observation.ok && (r.observation.result as { name: string }).name === "Ada");
 * ```
 */
export function httpRunner(
  opts: { baseUrl: string; cassette: Cassette; mode: HttpMode },
): Runner {
  return async (state, args, tool) => {
    if (tool.backend.kind !== "http") throw new Error(`${tool.name} is not an HTTP tool`);
    const req = await renderRequest(tool.backend.request, state, args);
    const where = `${req.method} ${req.path}`;
    const failure = (kind: "unavailable" | "tool_crash", reason: string, message: string) => ({
      state,
      observation: fail(kind, message, { backend: "http", reason }),
    });
    let res = opts.cassette.get(req);
    if (opts.mode === "replay") {
      if (!res) {
        return failure(
          "tool_crash",
          "not_recorded",
          `${tool.name}: no recorded answer for ${where} in ${opts.cassette.path}; record it with --record against the live API`,
        );
      }
    } else {
      const timeoutMs = tool.timeoutMs ?? 10_000;
      try {
        const r = await fetch(opts.baseUrl + req.path, {
          method: req.method,
          headers: req.headers,
          body: req.body ?? undefined,
          signal: AbortSignal.timeout(timeoutMs),
        });
        res = {
          status: r.status,
          contentType: r.headers.get("content-type") ?? "",
          body: await r.text(),
        };
      } catch (err) {
        const e = err as Error;
        return e.name === "TimeoutError"
          ? failure(
            "unavailable",
            "timeout",
            `${tool.name}: ${where} timed out after ${timeoutMs} ms`,
          )
          : failure("unavailable", "network", `${tool.name}: ${where} failed: ${e.message}`);
      }
      // Server errors are not recorded: a replay should not freeze a transient failure.
      if (res.status < 500) opts.cassette.put(req, res);
    }
    return { state, observation: observationOf(tool.name, where, res) };
  };
}

function observationOf(tool: string, where: string, res: RecordedResponse): Observation {
  let body: unknown = res.body;
  if (/\bjson\b/i.test(res.contentType)) {
    try {
      body = JSON.parse(res.body);
    } catch {
      return fail("tool_crash", `${tool}: ${where} answered invalid JSON`, {
        backend: "http",
        reason: "output",
      });
    }
  }
  if (res.status >= 200 && res.status < 300) return { ok: true, result: body };
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const message = `${tool}: HTTP ${res.status} from ${where}: ${text.slice(0, 500)}`;
  if (res.status >= 500) {
    return fail("unavailable", message, { backend: "http", reason: "status", status: res.status });
  }
  return fail("tool_error", message, { status: res.status });
}
