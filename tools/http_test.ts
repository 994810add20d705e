import assert from "node:assert/strict";
import { loadEnv, loadSuite } from "../spec/mod.ts";
import { runSuite } from "../runners/run.ts";
import { directoryApi } from "../testdata/http/api.ts";
import { Backends } from "./backends.ts";

const call = (name: string, args: Record<string, unknown> = {}) => ({
  id: "c1",
  name,
  arguments: JSON.stringify(args),
});

/** testdata/http copied to a temporary folder, its base URL pointing at a live local API. */
async function liveCopy() {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    directoryApi().fetch,
  );
  const dir = await Deno.makeTempDir({ prefix: "tooltrial-http-" });
  const yaml = (await Deno.readTextFile("testdata/http/env.yaml"))
    .replace("http://127.0.0.1:9/api", `http://127.0.0.1:${server.addr.port}/api`);
  await Deno.writeTextFile(`${dir}/env.yaml`, yaml);
  await Deno.copyFile("testdata/http/suite.yaml", `${dir}/suite.yaml`);
  return {
    dir,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("http: live calls — results, $result reshaping, encoded paths, 4xx, 5xx and timeouts", async () => {
  await using live = await liveCopy();
  const backends = new Backends({ http: "record" });
  try {
    const env = await backends.env(await loadEnv(live.dir));
    const s = env.initialState;
    assert.deepEqual((await env.step(s, call("find_people", { team: "data" }))).observation, {
      ok: true,
      result: ["Ada Lovelace", "Grace Hopper"],
    });
    assert.deepEqual((await env.step(s, call("get_person", { id: "p/4" }))).observation, {
      ok: true,
      result: { id: "p/4", name: "Edsger Dijkstra", team: "research" },
    });
    const missing = (await env.step(s, call("get_person", { id: "p9" }))).observation;
    assert.equal(!missing.ok && missing.error.kind, "tool_error");
    assert.match(!missing.ok ? missing.error.message : "", /HTTP 404 .*no person p9/);
    const slow = (await env.step(s, call("slow"))).observation;
    assert.equal(!slow.ok && slow.error.kind, "unavailable");
    assert.deepEqual(!slow.ok && slow.error.details, { backend: "http", reason: "timeout" });
    const broken = (await env.step(s, call("broken"))).observation;
    assert.equal(!broken.ok && broken.error.kind, "unavailable");
    assert.match(!broken.ok ? broken.error.message : "", /HTTP 503/);
  } finally {
    await backends.close();
  }
  // Only answers below 500 were recorded; the timeout recorded nothing.
  const lines = (await Deno.readTextFile(`${live.dir}/cassette.jsonl`)).trim().split("\n");
  assert.deepEqual(lines.map((l) => JSON.parse(l).request.path), [
    "/people/p%2F4",
    "/people/p9",
    "/people?team=data",
  ]);
});

Deno.test("http: a suite recorded against the live API replays offline with the same observations", async () => {
  await using live = await liveCopy();
  const observations = (recs: Awaited<ReturnType<typeof runSuite>>) =>
    recs.map((r) => [
      r.id,
      r.success,
      r.events.filter((e) => e.type === "tool").map((e) => e.type === "tool" && e.observation),
    ]);
  const recorded = await runSuite(await loadSuite(`${live.dir}/suite.yaml`), {
    backendOptions: { http: "record" },
  });
  assert.ok(recorded.every((r) => r.success));
  const cassette = await Deno.readTextFile(`${live.dir}/cassette.jsonl`);
  if (Deno.env.get("TOOLTRIAL_UPDATE_CASSETTES")) {
    await Deno.writeTextFile("testdata/http/cassette.jsonl", cassette);
  }
  // The committed cassette is this recording, byte for byte (re-record: TOOLTRIAL_UPDATE_CASSETTES=1).
  assert.equal(cassette, await Deno.readTextFile("testdata/http/cassette.jsonl"));
  // The committed env points at a port nothing listens on: replay needs no API.
  const replayed = await runSuite(await loadSuite("testdata/http/suite.yaml"));
  assert.deepEqual(observations(replayed), observations(recorded));
});

Deno.test("http: replaying a request the cassette lacks is a clear, counted backend failure", async () => {
  const backends = new Backends();
  try {
    const env = await backends.env(await loadEnv("testdata/http"));
    const r = await env.step(env.initialState, call("get_person", { id: "p2" }));
    assert.equal(!r.observation.ok && r.observation.error.kind, "tool_crash");
    assert.match(
      !r.observation.ok ? r.observation.error.message : "",
      /no recorded answer for GET \/people\/p2 in .*cassette.jsonl; record it with --record/,
    );
    assert.deepEqual(!r.observation.ok && r.observation.error.details, {
      backend: "http",
      reason: "not_recorded",
    });
  } finally {
    await backends.close();
  }
});

Deno.test("cassette: one sorted line per request; answers that changed while recording are listed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { Cassette } = await import("./cassette.ts");
    const c = new Cassette(`${dir}/c.jsonl`);
    const post = { method: "POST", path: "/n", body: '{"a":1}' };
    const get = { method: "GET", path: "/a?x=1", body: null };
    c.put(post, { status: 201, contentType: "application/json", body: '{"n":1}' });
    c.put(get, { status: 200, contentType: "text/plain", body: "a" });
    c.put(get, { status: 200, contentType: "text/plain", body: "a" });
    c.put(post, { status: 201, contentType: "application/json", body: '{"n":2}' });
    assert.deepEqual(c.conflicts, ['POST /n {"a":1}']);
    await c.save();
    const again = new Cassette(`${dir}/c.jsonl`);
    await again.load();
    assert.equal(again.size, 2);
    assert.equal(again.get(post)?.body, '{"n":2}');
    const text = await Deno.readTextFile(`${dir}/c.jsonl`);
    assert.ok(text.indexOf("GET /a") < 0 && text.indexOf('"GET"') < text.indexOf('"POST"'));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
