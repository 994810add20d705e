/**
 * `tooltrial serve`: the environment API for external agents and RL trainers, an MCP endpoint per
 * session, and the report viewer — one hono app.
 * @module
 */
import type { Env, ToolDef } from "../tools/types.ts";
import { Hono } from "hono";
import type { Context } from "hono";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import type { SuiteSpec } from "../spec/types.ts";
import type { Agent } from "../runners/agent.ts";
import type { AssistantMessage } from "../core/messages.ts";
import { variantsFor } from "../variants/mod.ts";
import { VERSION } from "../version.ts";
import { problem } from "./problem.ts";
import { limit } from "./limits.ts";
import { ApiError, type OpenSession, resultOf, SessionStore } from "./sessions.ts";
import { createSession, stepSession } from "./schemas.ts";
import { openApi } from "./openapi.ts";
import { mcpRoutes } from "./mcp.ts";
import { viewer } from "./viewer.ts";
import { openaiRoutes, type ServedModel } from "./openai_api.ts";
import { readBody } from "./read_body.ts";

/**
 * The served app as callers use it: a fetch handler for `Deno.serve`, and `request` to call it in
 * process (tests, the CLI). A Hono app underneath; the public API names only this.
 */
export interface HttpApp {
  /** Answer one request (what `Deno.serve` takes). */
  fetch(request: Request): Response | Promise<Response>;
  /** Answer a request made in process: a path (or URL, or Request) and its init. */
  request(input: string | URL | Request, init?: RequestInit): Response | Promise<Response>;
}

/** What `createApp` serves and under which limits. */
export interface ServeOptions {
  /** The suite whose environments sessions run. */
  suite: SuiteSpec;
  /** Folder of runs for the report viewer (default "runs"). */
  runsDir?: string;
  /** Bearer token every route requires (required when binding beyond loopback). */
  token?: string;
  /** Idle time after which a session is dropped (default 10 min). */
  ttlMs?: number;
  /** Most sessions open at once (default 1000). */
  maxSessions?: number;
  /** Largest request body in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Longest a request may take before it is answered 503 (default 30 s). */
  timeoutMs?: number;
  /**
   * The suite's environments built on their backends (handlers, MCP servers, HTTP), in suite
   * order; default: declarative only, where the other backends answer `unavailable`.
   */
  bases?: readonly Env[];
  /**
   * The suite's judge, opened (`serve` opens it when the suite has `judge:`): it grades the
   * `judge:` checks of served episodes; absent, they are not scored.
   */
  judge?: Agent;
  /**
   * Show a session's current state in `GET /v1/sessions/{id}` (default false: it is what the
   * checks read, so an agent-side client must not see it; `serve --expose-state`).
   */
  exposeState?: boolean;
  /**
   * ONNX policies answering OpenAI's `/v1/models` and `/v1/chat/completions` (`serve --model`;
   * see openai_api.ts).
   */
  models?: Map<string, ServedModel>;
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validators: Record<string, ValidateFunction> = {
  create: ajv.compile(createSession),
  step: ajv.compile(stepSession),
};

/** Parse and schema-check a JSON body; throws ApiError (400/413/422) with the first problems. */
async function body<T>(c: Context, kind: keyof typeof validators, max: number): Promise<T> {
  const text = await readBody(c, max);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ApiError(
      400,
      "the request body is not valid JSON",
      "send Content-Type: application/json and a JSON object",
    );
  }
  const v = validators[kind];
  if (!v(data)) {
    const msg = v.errors!.slice(0, 4).map((e) =>
      `${e.instancePath || "/"} ${
        e.keyword === "additionalProperties"
          ? `has unknown key "${(e.params as { additionalProperty: string }).additionalProperty}"`
          : e.message
      }`
    ).join("; ");
    throw new ApiError(422, `invalid request: ${msg}`, "see /openapi.json");
  }
  return data as T;
}

/** Compare secrets in time that does not depend on where they differ. */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [x, y] = await Promise.all(
    [a, b].map((s) => crypto.subtle.digest("SHA-256", enc.encode(s))),
  );
  const u = new Uint8Array(x), v = new Uint8Array(y);
  let diff = 0;
  for (let i = 0; i < u.length; i++) diff |= u[i] ^ v[i];
  return diff === 0;
}

type OpenAiTool = {
  type: "function";
  function: { name: string; description: string; parameters: ToolDef["parameters"] };
};
/** Built once per interface (its tool list is fixed), shared by every session on it. */
const openAiToolLists = new WeakMap<readonly ToolDef[], OpenAiTool[]>();

/** The OpenAI tools format of a session's (perturbed) tools. */
function openAiTools(s: OpenSession): OpenAiTool[] {
  const tools = s.episode.tools;
  let list = openAiToolLists.get(tools);
  if (!list) {
    list = tools.map((t) => ({
      type: "function" as const,
      function: { name: t.name, description: t.description, parameters: t.parameters },
    }));
    openAiToolLists.set(tools, list);
  }
  return list;
}

/**
 * Build the server app. The session store is returned too, so callers (tests, the CLI) can sweep
 * it or inspect it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadSuite } from "../spec/mod.ts";
 * import { createApp } from "./app.ts";
 * const { app } = createApp({ suite: await loadSuite("testdata/good/suite.yaml") });
 * const res = await app.request("/v1/envs");
 * assert.ok(res.status === 200);
 * ```
 */
export function createApp(opts: ServeOptions): { app: HttpApp; store: SessionStore } {
  const store = new SessionStore(opts.suite, {
    ttlMs: opts.ttlMs,
    max: opts.maxSessions,
    bases: opts.bases,
    judge: opts.judge,
  });
  const app = new Hono();
  const maxBody = opts.maxBodyBytes ?? 1 << 20;

  app.onError((err, c) => {
    if (err instanceof ApiError) return problem(c, err.status, err.message, err.hint);
    console.error(`tooltrial serve: ${err instanceof Error ? err.stack : String(err)}`);
    return problem(c, 500, "internal error (logged on the server)");
  });
  app.notFound((c) =>
    problem(c, 404, `no route ${c.req.method} ${new URL(c.req.url).pathname}`, "see /openapi.json")
  );

  if (opts.token) requireToken(app, opts.token);
  const suite = opts.suite;
  app.get(
    "/v1",
    (c) =>
      c.json({
        tooltrial: VERSION,
        suite: suite.name,
        sessions: store.size,
        max_sessions: store.max,
      }),
  );
  app.get("/openapi.json", (c) => c.json(openApi()));
  app.get("/v1/envs", (c) =>
    c.json(suite.envs.map((e) => ({
      name: e.name,
      description: e.description,
      tools: e.tools.length,
      tasks: e.tasks.length,
      variants: variantsFor(suite, e).map((v) => v.name),
    }))));
  app.get("/v1/envs/:env/tasks", (c) => {
    const env = suite.envs.find((e) => e.name === c.req.param("env"));
    if (!env) {
      throw new ApiError(
        404,
        `no environment "${c.req.param("env")}"`,
        `environments: ${suite.envs.map((e) => e.name).join(", ")}`,
      );
    }
    return c.json(
      env.tasks.map((t) => ({ id: t.id, split: t.split, tags: t.tags, query: t.query })),
    );
  });
  app.get(
    "/v1/protocols",
    (c) =>
      c.json(
        suite.protocols.map((p) => ({
          name: p.name,
          kind: p.kind,
          trial_budget: p.trialBudget,
          max_turns: p.maxTurns,
        })),
      ),
  );

  app.post("/v1/sessions", async (c) => {
    const req = await body<Parameters<SessionStore["create"]>[0]>(c, "create", maxBody);
    const s = store.create(req);
    const messages = s.episode.begin();
    const t = s.episode.turn;
    return c.json({
      session: s.id,
      episode: s.episode.id,
      env: s.episode.env.name,
      variant: s.episode.variant.name,
      task: s.episode.task.id,
      split: s.episode.split,
      protocol: {
        name: s.episode.protocol.name,
        kind: s.episode.protocol.kind,
        trial_budget: s.episode.protocol.trialBudget,
        max_turns: s.episode.protocol.maxTurns,
      },
      tools: openAiTools(s),
      messages,
      phase: t.phase,
      calls_left: t.callsLeft ?? null,
      expires_after_idle_s: store.ttlMs / 1000,
    }, 201);
  });

  app.post("/v1/sessions/:id/step", async (c) => {
    const s = store.get(c.req.param("id"));
    const { message } = await body<{ message: AssistantMessage }>(c, "step", maxBody);
    if (s.episode.done) {
      throw new ApiError(
        409,
        "this episode is over",
        "read the result with GET /v1/sessions/{id}, or close it",
      );
    }
    if (s.busy) {
      throw new ApiError(
        409,
        "a step is already running for this session",
        "send steps one at a time",
      );
    }
    s.busy = true;
    try {
      const calls = (message.tool_calls ?? []).map((tc) => ({
        id: tc.id,
        type: "function" as const,
        function: {
          name: tc.function.name,
          arguments: typeof tc.function.arguments === "string"
            ? tc.function.arguments
            : JSON.stringify(tc.function.arguments),
        },
      }));
      const out = await s.episode.step({
        role: "assistant",
        content: message.content ?? null,
        ...(calls.length > 0 ? { tool_calls: calls } : {}),
      });
      if (out.done) s.record = await s.episode.finish();
      return c.json({
        observations: out.observations,
        notices: out.notices,
        phase: out.phase,
        calls_left: out.callsLeft ?? null,
        done: out.done,
        ...(s.record ? { result: resultOf(s.record) } : {}),
      });
    } finally {
      s.busy = false;
    }
  });

  app.get("/v1/sessions/:id", (c) => {
    const s = store.get(c.req.param("id"));
    const t = s.episode.turn;
    return c.json({
      session: s.id,
      episode: s.episode.id,
      phase: t.phase,
      calls_left: t.callsLeft ?? null,
      done: s.episode.done,
      turns: s.episode.metrics.turns,
      // The hidden state is the answer key: only for whoever the server was told to show it.
      ...(opts.exposeState ? { state: s.episode.state } : {}),
      ...(s.record ? { result: resultOf(s.record) } : {}),
    });
  });

  app.delete("/v1/sessions/:id", async (c) => {
    const rec = await store.close(c.req.param("id"));
    return c.json({ closed: true, result: resultOf(rec) });
  });

  if (opts.models) app.route("/v1", openaiRoutes(opts.models, { maxBodyBytes: maxBody }));
  app.route("/mcp", mcpRoutes(store));
  app.route("/", viewer({ runsDir: opts.runsDir ?? "runs" }));
  limit(app, {
    maxBodyBytes: maxBody,
    timeoutMs: opts.timeoutMs ?? (opts.models ? MODEL_TIMEOUT_MS : 30_000),
    loopbackOnly: !opts.token,
  });
  return { app, store };
}

/** A reply of a served model may take minutes on a CPU: the time limit when models are served. */
const MODEL_TIMEOUT_MS = 600_000;

/** Every route answers 401 unless the request sends `Authorization: Bearer <token>`. */
function requireToken(app: Hono, token: string) {
  const expected = `Bearer ${token}`;
  app.use("*", async (c, next) => {
    if (!(await sameSecret(c.req.header("authorization") ?? "", expected))) {
      c.header("WWW-Authenticate", 'Bearer realm="tooltrial"');
      return problem(
        c,
        401,
        "missing or wrong bearer token",
        "send Authorization: Bearer <token>",
      );
    }
    await next();
  });
}

/**
 * The app `serve --model` runs without a suite: only the OpenAI-compatible model routes under
 * `/v1`, with the same token, size and time limits as the full server.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createModelApp } from "./app.ts";
 * import { closeServedModels, openServedModels } from "./openai_api.ts";
 * const models = await openServedModels([{ name: "tiny", path: "models/tiny-random" }], { device: ["cpu"] });
 * const app = createModelApp({ models, token: "t" });
 * assert.ok((await app.request("/v1/models")).status === 401);
 * await closeServedModels(models);
 * ```
 */
export function createModelApp(
  opts: Pick<ServeOptions, "token" | "maxBodyBytes" | "timeoutMs"> & {
    models: Map<string, ServedModel>;
  },
): HttpApp {
  const app = new Hono();
  app.onError((err, c) => {
    if (err instanceof ApiError) return problem(c, err.status, err.message, err.hint);
    console.error(`tooltrial serve: ${err instanceof Error ? err.stack : String(err)}`);
    return problem(c, 500, "internal error (logged on the server)");
  });
  app.notFound((c) =>
    problem(
      c,
      404,
      `no route ${c.req.method} ${new URL(c.req.url).pathname}`,
      "this server answers GET /v1/models and POST /v1/chat/completions",
    )
  );
  if (opts.token) requireToken(app, opts.token);
  const maxBodyBytes = opts.maxBodyBytes ?? 1 << 20;
  app.route("/v1", openaiRoutes(opts.models, { maxBodyBytes }));
  limit(app, {
    maxBodyBytes,
    timeoutMs: opts.timeoutMs ?? MODEL_TIMEOUT_MS,
    loopbackOnly: !opts.token,
  });
  return app;
}
