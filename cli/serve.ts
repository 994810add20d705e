import { loadSuite } from "../spec/mod.ts";
import { Backends } from "../tools/mod.ts";
import { createApp, createModelApp } from "../serve/app.ts";
import { isEndpointAgent, openAgent } from "../runners/agents/mod.ts";
import { closeServedModels, openServedModels, parseModelFlag } from "../serve/openai_api.ts";
import { UsageError } from "../run/mod.ts";
import { VERSION } from "../version.ts";
import { command } from "./command.ts";
import { intFlag } from "./flags.ts";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** `tooltrial serve`: the environment API, MCP endpoint, report viewer and served models. */
export const serve = command({
  name: "serve",
  summary: "HTTP environment API, MCP endpoint and report viewer (hono)",
  usage: "serve [suite.yaml]",
  flags: {
    host: { type: "string" },
    port: { type: "string" },
    token: { type: "string" },
    runs: { type: "string" },
    ttl: { type: "string" },
    "max-sessions": { type: "string" },
    model: { type: "string", multiple: true },
    grammar: { type: "boolean" },
    "expose-state": { type: "boolean" },
  },
  help: `Usage: tooltrial serve [suite.yaml] [options]
       tooltrial serve --model NAME=PATH [--model NAME=PATH …] [suite.yaml] [options]

Serves the suite's environments — with their variants — to agents and RL trainers outside this
process, and the runs folder's reports:
  /v1/...              environment API (sessions: create, step, state, close; lists); /openapi.json
  /mcp/<session>       MCP (Streamable HTTP) endpoint exposing one session's tools
  /                    report viewer: runs, their reports, live progress of running benches
With --model, ONNX policies (model folders as onnx: agents load them) answer OpenAI's API:
  /v1/models, /v1/chat/completions   (without a suite file, only these routes are served)

Options:
  --host H             address to bind (default 127.0.0.1); anything but loopback needs --token
  --port N             port (default 8787; 0 picks a free one)
  --token T            bearer token every request must send (or TOOLTRIAL_TOKEN)
  --runs DIR           runs folder for the viewer (default runs)
  --ttl S              drop sessions idle for S seconds (default 600)
  --max-sessions N     most sessions open at once (default 1000)
  --model NAME=PATH    serve the model folder PATH as NAME on /v1/chat/completions (repeatable)
  --expose-state       GET /v1/sessions/{id} includes the session's state (what checks read;
                       off by default so an agent-side client cannot see the answer key)
  --grammar            constrain the models' tool calls to the request's tools and their schemas
                       (guided decoding, as onnx: agents' grammar: true)
  -h, --help           show this help`,
  async run({ values, positionals }) {
    if (positionals.length > 1) throw new UsageError("serve takes one suite file");
    const host = values.host ?? "127.0.0.1";
    const token = values.token ?? Deno.env.get("TOOLTRIAL_TOKEN");
    if (!LOOPBACK.has(host) && !token) {
      throw new UsageError(
        `binding ${host} exposes the server beyond this machine: give --token (or TOOLTRIAL_TOKEN), which every request must then send as a bearer token`,
      );
    }
    const port = intFlag(values.port, "port", 0) ?? 8787;
    const specs = (values.model ?? []).map((f) => {
      try {
        return parseModelFlag(f);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    });
    if (values.grammar && specs.length === 0) {
      throw new UsageError(
        "--grammar constrains served models' tool calls: give --model NAME=PATH",
      );
    }
    const models = specs.length > 0
      ? await openServedModels(specs, { grammar: values.grammar ?? false })
      : undefined;
    const listed = models
      ? `  models ${
        [...models.values()].map((m) => `${m.name} (${m.path}, ${m.chat.provider})`).join(", ")
      } on /v1/chat/completions`
      : "";
    const listen = (what: string) => ({ hostname, port }: { hostname: string; port: number }) =>
      console.error(
        `tooltrial ${VERSION} serving ${what} on http://${hostname}:${port}${listed}${
          token ? " — bearer token required" : ""
        }`,
      );
    if (models && positionals.length === 0) {
      const app = createModelApp({ models, token });
      const server = Deno.serve({ hostname: host, port, onListen: listen("models") }, app.fetch);
      await untilStopped(server);
      await closeServedModels(models);
      return 0;
    }
    const suite = await loadSuite(positionals[0] ?? "suite.yaml");
    // Handler sandboxes, MCP server pools and cassettes live as long as the server.
    const backends = new Backends();
    const bases = await Promise.all(suite.envs.map((e) => backends.env(e)));
    // The suite's judge grades served episodes' judge: checks, as it does bench's.
    const judge = suite.judge ? await openAgent(suite.judge) : undefined;
    if (judge && isEndpointAgent(judge)) await judge.check();
    const { app, store } = createApp({
      suite,
      bases,
      judge,
      token,
      models,
      runsDir: values.runs ?? "runs",
      ttlMs: (intFlag(values.ttl, "ttl", 1) ?? 600) * 1000,
      maxSessions: intFlag(values["max-sessions"], "max-sessions", 1),
      exposeState: values["expose-state"] ?? false,
    });
    const sweeper = setInterval(() => store.sweep(), 30_000);
    Deno.unrefTimer(sweeper);
    const server = Deno.serve({
      hostname: host,
      port,
      onListen: listen(
        `suite ${suite.name} (API /v1, OpenAPI /openapi.json, MCP /mcp/<session>, reports /)`,
      ),
    }, app.fetch);
    await untilStopped(server);
    clearInterval(sweeper);
    await backends.close();
    await judge?.close?.();
    if (models) await closeServedModels(models);
    return 0;
  },
});

/** Serve until SIGINT or SIGTERM, then shut the server down. */
async function untilStopped(server: Deno.HttpServer): Promise<void> {
  const stop = () => server.shutdown();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  await server.finished;
}
