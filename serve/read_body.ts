import type { Context } from "hono";
import { ApiError } from "./sessions.ts";

/**
 * A request body as text, refusing (413) more than `max` bytes even when no length was declared
 * (a declared length over `max` was refused before the app saw the request: serve/limits.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { readBody } from "./read_body.ts";
 * const app = new Hono().post("/", async (c) => c.text(await readBody(c, 4)));
 * assert.ok(await (await app.request("/", { method: "POST", body: "abc" })).text() === "abc");
 * ```
 */
export async function readBody(c: Context, max: number): Promise<string> {
  if (c.req.header("content-length") !== undefined || !c.req.raw.body) return await c.req.text();
  const reader = c.req.raw.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel();
      throw new ApiError(413, "request body too large", `at most ${max} bytes`);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let off = 0;
  for (const ch of chunks) all.set(ch, off), off += ch.length;
  return new TextDecoder().decode(all);
}
