/** The server side of bench/serve_load.ts: `bare` (a constant JSON route) or `env` (tooltrial serve). */
import { Hono } from "hono";
import { loadSuite } from "../spec/mod.ts";
import { createApp } from "../serve/app.ts";

const mode = Deno.args[0];
let fetch: (r: Request) => Response | Promise<Response>;
if (mode === "bare") {
  const app = new Hono();
  app.get("/bare", (c) => c.json({ ok: true, phase: "execute", done: false }));
  fetch = app.fetch;
} else {
  fetch =
    createApp({ suite: await loadSuite(Deno.args[1] ?? "testdata/good/suite.yaml") }).app.fetch;
}
Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log(port),
}, fetch);
