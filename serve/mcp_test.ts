import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { loadSuite } from "../spec/mod.ts";
import { createApp } from "./app.ts";
import type { SessionStore } from "./sessions.ts";

const suite = await loadSuite("suite.yaml");

/** What a `tools/call` gives back (the SDK's own types are `any` under Deno). */
interface Result {
  content: { type: string; text: string }[];
  isError?: boolean;
}

/** Serve the whole app on a loopback port for the length of `fn`. */
async function serving(
  fn: (base: string, store: SessionStore) => Promise<void>,
): Promise<void> {
  const { app, store } = createApp({ suite });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, store);
  } finally {
    await server.shutdown();
  }
}

/** Open a session over the JSON API; returns its id. */
async function open(base: string, protocol: string): Promise<string> {
  const res = await fetch(`${base}/v1/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ env: "library", task: "lib-001", variant: "renamed", protocol }),
  });
  const body = await res.json();
  assert.equal(res.status, 201, JSON.stringify(body));
  return body.session as string;
}

/** An MCP client connected to one session's endpoint. */
async function connect(base: string, session: string): Promise<Client> {
  const client = new Client({ name: "tooltrial-test", version: "0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp/${session}`)));
  return client;
}

const call = async (client: Client, name: string, args: Record<string, unknown>) =>
  await client.callTool({ name, arguments: args }) as Result;
const texts = (r: Result) => r.content.map((c) => c.text).join("\n");

Deno.test("mcp: an MCP client solves a task through a session's renamed tools", async () => {
  await serving(async (base, store) => {
    const id = await open(base, "direct");
    const session = store.get(id);
    const { task, variant } = session.episode;
    const client = await connect(base, id);
    try {
      assert.match(client.getInstructions() ?? "", /Ten Thousand Lanterns/);
      const { tools } = await client.listTools();
      const names = tools.map((t: { name: string }) => t.name);
      assert.deepEqual(names, [...session.episode.tools.map((t) => t.name), "tooltrial_answer"]);
      assert.ok(!names.includes("search_books"), names.join());
      for (const t of tools) assert.equal(t.inputSchema.type, "object");

      // The canonical name is gone under this variant: the call is an error observation.
      const wrong = await call(client, "search_books", { query: "Ten Thousand Lanterns" });
      assert.equal(wrong.isError, true);
      assert.match(texts(wrong), /^\{"error":/);
      const bad = await call(client, "tooltrial_answer", {});
      assert.equal(bad.isError, true);

      // A step already in flight: the call is refused, not queued.
      session.busy = true;
      await assert.rejects(call(client, names[0], {}), /already running/);
      session.busy = false;

      for (const gold of task.gold) {
        const visible = variant.toVisible(gold);
        const r = await call(client, visible.tool, visible.args);
        assert.ok(!r.isError, texts(r));
        assert.match(texts(r), /Mei Lin Zhao/);
      }
      const done = await call(client, "tooltrial_answer", { text: task.answer });
      assert.ok(!done.isError, texts(done));
      const result = JSON.parse(done.content.at(-1)!.text);
      assert.equal(result.success, true, texts(done));
      assert.equal(store.get(id).record?.success, true);
      const calls = session.episode.events.flatMap((e) => e.type === "tool" ? [e.call.id] : []);
      assert.deepEqual(calls, ["mcp_0", "mcp_1"]);

      const after = await call(client, names[0], {});
      assert.equal(after.isError, true);
      assert.match(texts(after), /over/);
    } finally {
      await client.close();
    }
  });
});

Deno.test("mcp: the answer tool ends a trial phase and the notice comes back", async () => {
  await serving(async (base, store) => {
    const id = await open(base, "trial");
    const { task, variant } = store.get(id).episode;
    const client = await connect(base, id);
    try {
      const notes = await call(client, "tooltrial_answer", { text: "no notes" });
      assert.ok(!notes.isError, texts(notes));
      assert.match(texts(notes), /EXECUTION PHASE/);
      assert.equal(store.get(id).episode.phase, "execute");
      for (const gold of task.gold) {
        const visible = variant.toVisible(gold);
        assert.ok(!(await call(client, visible.tool, visible.args)).isError);
      }
      const done = await call(client, "tooltrial_answer", { text: task.answer });
      assert.equal(JSON.parse(done.content.at(-1)!.text).success, true, texts(done));
    } finally {
      await client.close();
    }
  });
});

Deno.test("mcp: unknown sessions are a JSON 404, other methods a 405", async () => {
  await serving(async (base) => {
    const res = await fetch(`${base}/mcp/nope`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    const body = await res.json();
    assert.equal(res.status, 404);
    assert.equal(body.error.status, 404);
    assert.match(body.error.message, /nope/);
    assert.ok(body.error.hint);

    const id = await open(base, "direct");
    const get = await fetch(`${base}/mcp/${id}`, { headers: { accept: "text/event-stream" } });
    await get.body?.cancel();
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
  });
});
