import assert from "node:assert/strict";
import { loadSuite } from "../spec/mod.ts";
import { createRng, type Message, runSuite, scriptedAgent } from "../runners/mod.ts";
import type { EpisodeEvent } from "../runners/events.ts";
import type { ToolDef } from "../tools/types.ts";
import { Backends, declarativeEnv } from "../tools/mod.ts";
import type { Hono } from "hono";
import { createApp } from "./app.ts";
import { SessionStore } from "./sessions.ts";

const suite = await loadSuite("testdata/good/suite.yaml");

type Json = Record<string, unknown>;
async function call(
  app: { request: (p: string, i?: RequestInit) => Response | Promise<Response> },
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await app.request(path, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() as Json };
}

/** Everything but timings and the plan position, which differ between a served and a planned run. */
const timeless = (events: EpisodeEvent[]) =>
  JSON.stringify(events, (k, v) => (k === "ms" || k === "index" ? undefined : v));

Deno.test("serve: episodes driven over HTTP equal the in-process run, episode for episode", async () => {
  const { app, store } = createApp({ suite });
  const local = await runSuite(suite);
  let compared = 0;
  for (const rec of local) {
    const head = rec.events[0] as Extract<EpisodeEvent, { type: "episode" }>;
    const created = await call(app, "POST", "/v1/sessions", {
      env: rec.env,
      task: rec.task,
      variant: rec.variant,
      protocol: rec.protocol,
      seed: head.run_seed,
      sample: rec.sample,
      agent: rec.agent,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.session as string;
    const episode = store.get(id).episode;
    // The remote agent only sees what the API returns: tools and messages.
    const tools = (created.body.tools as { function: ToolDef }[]).map((t) => t.function);
    const messages = [...(created.body.messages as Message[])];
    const spec = suite.agents.find((a) => a.name === rec.agent)!;
    assert.equal(spec.kind, "scripted");
    if (spec.kind !== "scripted") continue;
    const agent = scriptedAgent(spec).start({
      task: episode.task,
      protocol: episode.protocol,
      seed: head.seed,
      rng: createRng(head.seed),
      variant: episode.variant, // the oracle's privileged map; other agents ignore it
    });
    let turn = { phase: created.body.phase, callsLeft: created.body.calls_left ?? undefined } as {
      phase: "trial" | "execute";
      callsLeft?: number;
    };
    let result: Json | undefined;
    for (let i = 0; i < 100 && !result; i++) {
      const reply = await agent.act(messages, tools, turn);
      messages.push(reply);
      const step = await call(app, "POST", `/v1/sessions/${id}/step`, { message: reply });
      assert.equal(step.status, 200, JSON.stringify(step.body));
      messages.push(...(step.body.observations as Message[]), ...(step.body.notices as Message[]));
      turn = {
        phase: step.body.phase as "trial" | "execute",
        callsLeft: (step.body.calls_left as number) ?? undefined,
      };
      if (step.body.done) result = step.body.result as Json;
    }
    assert.ok(result, `${rec.id} ended`);
    assert.equal(result.success, rec.success, rec.id);
    assert.equal(result.reward, rec.success ? 1 : 0);
    assert.deepEqual(result.metrics, rec.metrics, rec.id);
    assert.equal(timeless(store.get(id).episode.events), timeless(rec.events), rec.id);
    assert.equal((await call(app, "DELETE", `/v1/sessions/${id}`)).status, 200);
    compared++;
  }
  assert.equal(compared, local.length);
  assert.equal(store.size, 0);
});

Deno.test("serve: bad requests get clear 4xx answers, never a 500", async () => {
  const { app } = createApp({ suite, maxBodyBytes: 2000 });
  const cases: [string, string, unknown, number, RegExp][] = [
    ["POST", "/v1/sessions", "{not json", 400, /not valid JSON/],
    ["POST", "/v1/sessions", { env: "mini" }, 422, /must have required property 'task'/],
    [
      "POST",
      "/v1/sessions",
      { env: "mini", task: "mini-1", colour: "red" },
      422,
      /unknown key "colour"/,
    ],
    ["POST", "/v1/sessions", { env: "nope", task: "x" }, 404, /no environment "nope"/],
    ["POST", "/v1/sessions", { env: "mini", task: "x" }, 404, /no task "x" in mini/],
    [
      "POST",
      "/v1/sessions",
      { env: "mini", task: "mini-1", variant: "zz" },
      404,
      /no variant "zz"/,
    ],
    [
      "POST",
      "/v1/sessions",
      { env: "mini", task: "mini-1", protocol: "zz" },
      404,
      /no protocol "zz"/,
    ],
    [
      "POST",
      "/v1/sessions/nope/step",
      { message: { role: "assistant", content: "x" } },
      404,
      /no open session/,
    ],
    ["GET", "/v1/sessions/nope", undefined, 404, /no open session/],
    ["POST", "/v1/sessions", { env: "mini", task: "x".repeat(5000) }, 413, /too large/],
    ["GET", "/v2/anything", undefined, 404, /no route GET \/v2\/anything/],
  ];
  for (const [method, path, body, status, msg] of cases) {
    const r = await call(app, method, path, body);
    assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`);
    assert.match(String((r.body.error as Json).message), msg);
  }
  // A body sent without a declared length is capped while it is read.
  const chunked = await app.request("/v1/sessions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: new Blob([JSON.stringify({ env: "mini", task: "x".repeat(5000) })]).stream(),
  });
  assert.equal(chunked.status, 413);
  assert.match(((await chunked.json()).error as Json).message as string, /too large/);
  const s = await call(app, "POST", "/v1/sessions", { env: "mini", task: "mini-1" });
  const id = s.body.session;
  const bad = await call(app, "POST", `/v1/sessions/${id}/step`, { message: { role: "user" } });
  assert.equal(bad.status, 422);
  const answered = await call(app, "POST", `/v1/sessions/${id}/step`, {
    message: { role: "assistant", content: "done" },
  });
  assert.equal(answered.body.done, true);
  const again = await call(app, "POST", `/v1/sessions/${id}/step`, {
    message: { role: "assistant", content: "done" },
  });
  assert.equal(again.status, 409);
});

Deno.test("serve: a token guards every route, compared in constant time", async () => {
  const { app } = createApp({ suite, token: "s3cret" });
  assert.equal((await call(app, "GET", "/v1/envs")).status, 401);
  assert.equal(
    (await call(app, "GET", "/v1/envs", undefined, { authorization: "Bearer nope" })).status,
    401,
  );
  assert.equal(
    (await call(app, "GET", "/", undefined, { authorization: "Bearer nope" })).status,
    401,
  );
  assert.equal(
    (await call(app, "GET", "/v1/envs", undefined, { authorization: "Bearer s3cret" })).status,
    200,
  );
});

Deno.test("serve: a step that takes longer than the time limit is answered 503", async () => {
  const base = declarativeEnv(suite.envs[0]);
  let release = () => {};
  const slow = {
    ...base,
    step: async (...args: Parameters<typeof base.step>) => {
      await new Promise<void>((r) => release = r);
      return base.step(...args);
    },
  };
  const { app } = createApp({
    suite,
    bases: [slow, ...suite.envs.slice(1).map(declarativeEnv)],
    timeoutMs: 30,
  });
  const s = await call(app, "POST", "/v1/sessions", { env: "mini", task: "mini-1" });
  const step = await call(app, "POST", `/v1/sessions/${s.body.session}/step`, {
    message: {
      role: "assistant",
      tool_calls: [{ id: "c1", function: { name: "get_item", arguments: { id: "w1" } } }],
    },
  });
  assert.equal(step.status, 503);
  assert.match(String((step.body.error as Json).message), /longer than 30 ms/);
  release();
  await new Promise((r) => setTimeout(r, 0));
});

Deno.test("serve: sessions are isolated, expire when idle, and are bounded", async () => {
  let now = 0;
  const store = new SessionStore(suite, { ttlMs: 1000, max: 2, now: () => now });
  const a = store.create({ env: "mini", task: "mini-2" }),
    b = store.create({ env: "mini", task: "mini-2" });
  a.episode.begin();
  b.episode.begin();
  // mini-2 adds stock: a writes, b must not see it.
  const gold = a.episode.task.gold[0];
  await a.episode.step({
    role: "assistant",
    content: null,
    tool_calls: [{
      id: "1",
      type: "function",
      function: { name: gold.tool, arguments: JSON.stringify(gold.args) },
    }],
  });
  assert.notDeepEqual(a.episode.state, b.episode.state);
  assert.deepEqual(b.episode.state, b.episode.env.initialState);
  assert.throws(() => store.create({ env: "mini", task: "mini-1" }), /too many open sessions/);
  now = 1500;
  assert.throws(() => store.get(a.id), /no open session/);
  assert.equal(
    store.create({ env: "mini", task: "mini-1" }).episode.task.id,
    "mini-1",
    "room again",
  );
});

Deno.test("serve: every route fits hono's RegExpRouter", async () => {
  // One route it cannot take (a static segment beside a parameter in the same place) sends every
  // request of the server through the TrieRouter, which cost several µs and KB per request.
  const { app } = createApp({ suite });
  assert.equal((await app.request("/v1")).status, 200);
  // The public type is HttpApp; the router is Hono's own, underneath it.
  assert.equal((app as unknown as Hono).router.name, "SmartRouter + RegExpRouter");
});

Deno.test("serve: OpenAPI is generated from the request schemas", async () => {
  const { app } = createApp({ suite });
  const r = await call(app, "GET", "/openapi.json");
  assert.equal(r.body.openapi, "3.1.0");
  const schemas = (r.body.components as Json).schemas as Json;
  assert.deepEqual(Object.keys(schemas), ["CreateSession", "StepSession"]);
  assert.ok(((r.body.paths as Json)["/v1/sessions/{id}/step"] as Json).post);
});

Deno.test("serve: environments on real backends (an MCP server) are served, each session on its own lease", async () => {
  const memory = await loadSuite("envs/memory/suite.yaml");
  const backends = new Backends();
  try {
    const bases = await Promise.all(memory.envs.map((e) => backends.env(e)));
    const { app, store } = createApp({ suite: memory, bases });
    const env = memory.envs[0];
    const oracle = memory.agents.find((a) => a.name === "oracle")!;
    assert.equal(oracle.kind, "scripted");
    if (oracle.kind !== "scripted") return;
    let solved = 0;
    for (const task of env.tasks.slice(0, 3)) {
      const created = await call(app, "POST", "/v1/sessions", {
        env: env.name,
        task: task.id,
        agent: "oracle",
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = created.body.session as string;
      const episode = store.get(id).episode;
      const agent = scriptedAgent(oracle).start({
        task,
        protocol: episode.protocol,
        seed: 0,
        rng: createRng(0),
        variant: episode.variant,
      });
      const messages = [...(created.body.messages as Message[])];
      const tools = (created.body.tools as { function: ToolDef }[]).map((t) => t.function);
      for (let i = 0; i < 20; i++) {
        const reply = await agent.act(messages, tools, { phase: "execute" });
        messages.push(reply);
        const step = await call(app, "POST", `/v1/sessions/${id}/step`, { message: reply });
        assert.equal(step.status, 200, JSON.stringify(step.body));
        messages.push(...(step.body.observations as Message[]));
        if (step.body.done) {
          solved += (step.body.result as Json).reward as number;
          break;
        }
      }
      assert.equal((await call(app, "DELETE", `/v1/sessions/${id}`)).status, 200);
    }
    assert.equal(solved, 3, "the oracle solves MCP-backed tasks over HTTP");
  } finally {
    await backends.close();
  }
});

Deno.test("serve without a token: what a web page could send is refused; seeds fit 2^53; state stays hidden", async () => {
  const { app } = createApp({ suite });
  const req = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    app.request(`http://127.0.0.1:8787${path}`, init);
  const open = {
    method: "POST",
    body: JSON.stringify({ env: "mini", task: "mini-1" }),
  };
  const cases: [string, Response | Promise<Response>, number, RegExp][] = [
    ["rebinding", req("/v1", { headers: { host: "evil.example:8787" } }), 403, /not this loopback/],
    [
      "cross-site origin",
      req("/v1/sessions", {
        ...open,
        headers: { "content-type": "application/json", origin: "https://evil.example" },
      }),
      403,
      /requests from https:\/\/evil\.example are refused/,
    ],
    [
      "sec-fetch-site",
      req("/v1", { headers: { "sec-fetch-site": "cross-site" } }),
      403,
      /cross-site/,
    ],
    [
      "text/plain POST",
      req("/v1/sessions", { ...open, headers: { "content-type": "text/plain" } }),
      415,
      /must be JSON/,
    ],
    [
      "seed 1e308",
      req("/v1/sessions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"env": "mini", "task": "mini-1", "seed": 1e308}',
      }),
      422,
      /seed must be <= 9007199254740991/,
    ],
    [
      "seed 2^53+1",
      req("/v1/sessions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"env": "mini", "task": "mini-1", "seed": 9007199254740993}',
      }),
      422,
      /seed must be <= 9007199254740991/,
    ],
  ];
  for (const [what, res, status, message] of cases) {
    const r = await res;
    assert.equal(r.status, status, what);
    assert.match(JSON.stringify(await r.json()), message, what);
  }
  // The loopback names, with or without a port, pass; so does a loopback origin.
  for (const host of ["127.0.0.1:8787", "localhost", "[::1]:8787"]) {
    assert.equal((await req("/v1", { headers: { host } })).status, 200, host);
  }
  const made = await req("/v1/sessions", {
    ...open,
    headers: { "content-type": "application/json", origin: "http://localhost:8787" },
  });
  assert.equal(made.status, 201);
  const id = (await made.json()).session;
  const shown = await (await req(`/v1/sessions/${id}`)).json();
  assert.equal(shown.state, undefined, "no answer key for the agent side");
  // With --expose-state, and with a token (other hosts allowed), the rest is as before.
  const exposed = createApp({ suite, exposeState: true }).app;
  const s2 = await (await exposed.request("/v1/sessions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ env: "mini", task: "mini-1" }),
  })).json();
  const got = await (await exposed.request(`/v1/sessions/${s2.session}`)).json();
  assert.ok(Array.isArray(got.state.items));
  const tokened = createApp({ suite, token: "t" }).app;
  const far = await tokened.request("http://tooltrial.internal/v1", {
    headers: { host: "tooltrial.internal", authorization: "Bearer t" },
  });
  assert.equal(far.status, 200);
});
