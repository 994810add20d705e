import { problemResponse } from "./problem.ts";

/** Host names that reach only this machine. */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** The host part of a `Host` header or an origin's host (`name`, `name:port`, `[v6]:port`). */
function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const colon = h.lastIndexOf(":");
  return colon > 0 && h.indexOf(":") === colon ? h.slice(0, colon) : h;
}

/**
 * What a server without a token refuses, so that a web page the user visits cannot drive it: a
 * `Host` that is not a loopback name (DNS rebinding: a page's own domain resolved to 127.0.0.1), a
 * request from another site (`Origin` not loopback, or `Sec-Fetch-Site: cross-site`), and a body
 * that is not JSON (a form or `text/plain` POST, which browsers send cross-site without asking).
 * Returns the refusal, or undefined. Clients that are not browsers (curl, SDKs, `app.request`)
 * send loopback hosts, no origin, and JSON: they pass.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loopbackRefusal } from "./guard.ts";
 * const evil = new Request("http://127.0.0.1:8787/v1", { headers: { host: "evil.example:8787" } });
 * assert.ok(loopbackRefusal(evil)?.status === 403);
 * assert.ok(loopbackRefusal(new Request("http://127.0.0.1:8787/v1")) === undefined);
 * ```
 */
export function loopbackRefusal(req: Request): Response | undefined {
  const h = req.headers;
  const host = h.get("host");
  if (host !== null && !LOOPBACK_HOSTS.has(hostName(host))) {
    return problemResponse(
      403,
      `Host ${JSON.stringify(host)} is not this loopback server`,
      "a server without --token answers only requests to 127.0.0.1, localhost or [::1]; give --token to serve other names",
    );
  }
  const origin = h.get("origin");
  if (origin !== null && origin !== "null") {
    let name = "";
    try {
      name = hostName(new URL(origin).host);
    } catch { /* not a URL: refused below */ }
    if (!LOOPBACK_HOSTS.has(name)) {
      return problemResponse(
        403,
        `requests from ${origin} are refused`,
        "a server without --token answers only clients on this machine; give --token to allow web pages",
      );
    }
  }
  if (h.get("sec-fetch-site") === "cross-site") {
    return problemResponse(403, "cross-site requests are refused", "give --token to allow them");
  }
  if (req.method === "POST" || req.method === "PUT" || req.method === "PATCH") {
    const type = h.get("content-type") ?? "";
    if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type.trim())) {
      return problemResponse(
        415,
        `a ${req.method} body must be JSON (Content-Type ${
          type ? JSON.stringify(type) : "missing"
        })`,
        "send Content-Type: application/json",
      );
    }
  }
  return undefined;
}
