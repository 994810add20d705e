/**
 * The MCP endpoint of `tooltrial serve`: an open session's tools, as its variant shows them, served
 * over MCP Streamable HTTP at `/mcp/{session}`, so any MCP client can be the agent.
 * @module
 */
import { Hono } from "hono";
// The low-level Server (deprecated for the zod-based McpServer) is the one that declares tools
// with raw JSON Schema, which is what a variant's tools are.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from "@modelcontextprotocol/sdk/types.js";
import type { StepOutcome } from "../runners/episode.ts";
import type { EpisodeRecord } from "../runners/events.ts";
import type { AssistantMessage } from "../core/messages.ts";
import type { ToolDef } from "../tools/types.ts";
import { VERSION } from "../version.ts";
import { problem } from "./problem.ts";
import { ApiError, type OpenSession, resultOf, type SessionStore } from "./sessions.ts";

/** The extra tool that stands for a plain assistant message (trial notes or the final answer). */
const ANSWER = "tooltrial_answer";

/** The answer tool's name: `tooltrial_answer`, suffixed if a visible tool already has it. */
function answerName(tools: readonly ToolDef[]): string {
  const taken = new Set(tools.map((t) => t.name));
  let name = ANSWER;
  for (let i = 2; taken.has(name); i++) name = `${ANSWER}_${i}`;
  return name;
}

// The SDK's zod-derived types come out as `any` under Deno, so the shapes we use are spelled out.
/** An MCP tool declaration. */
interface McpTool {
  name: string;
  description?: string;
  inputSchema: { type: "object"; [key: string]: unknown };
}
/** An MCP `tools/call` result: text content, flagged when the call failed. */
interface CallToolResult {
  content: { type: "text"; text: string }[];
  isError?: boolean;
}
/** The part of an MCP `tools/call` request we read. */
interface CallToolRequest {
  params: { name: string; arguments?: Record<string, unknown> };
}

const text = (t: string) => ({ type: "text" as const, text: t });

/** The outcome of a finished episode, as JSON text. */
const resultText = (rec: EpisodeRecord): string => JSON.stringify({ done: true, ...resultOf(rec) });

/** Run one assistant turn, one at a time per session; a finished episode is checked at once. */
async function step(open: OpenSession, reply: AssistantMessage): Promise<StepOutcome> {
  if (open.busy) {
    throw new McpError(
      ErrorCode.InvalidRequest,
      "a step is already running for this session: send tool calls one at a time",
    );
  }
  open.busy = true;
  try {
    const out = await open.episode.step(reply);
    if (out.done) open.record = await open.episode.finish();
    return out;
  } finally {
    open.busy = false;
  }
}

/** What the agent reads back: observations, then any phase notice, then the result if it ended. */
function toResult(
  open: OpenSession,
  out: StepOutcome,
  { lead = [] }: { lead?: string[] } = {},
): CallToolResult {
  const content = [
    ...lead.map(text),
    ...out.observations.map((o) => text(o.content)),
    ...out.notices.map((n) => text(n.content ?? "")),
    ...(open.record ? [text(resultText(open.record))] : []),
  ];
  const isError = out.observations.some((o) => o.content.startsWith('{"error":'));
  return isError ? { content, isError } : { content };
}

/** The opening messages (system prompt, task, phase notices), for clients that did not open it. */
function instructions(open: OpenSession, answer: string): string {
  const said = open.episode.messages.flatMap((m) =>
    m.role === "system" || m.role === "user" ? [m.content] : []
  );
  return [
    ...said,
    `Over MCP, a plain message (your trial notes, or your final answer) is a call to the ` +
    `"${answer}" tool.`,
  ].join("\n\n");
}

/** One MCP server over one open session: its visible tools plus the answer tool. */
function sessionServer(open: OpenSession): Server {
  const answer = answerName(open.episode.tools);
  const server = new Server(
    { name: "tooltrial", version: VERSION },
    { capabilities: { tools: {} }, instructions: instructions(open, answer) },
  );

  server.setRequestHandler(ListToolsRequestSchema, (): { tools: McpTool[] } => ({
    tools: [
      ...open.episode.tools.map((t): McpTool => ({
        name: t.name,
        description: t.description,
        inputSchema: { type: "object", ...t.parameters } as McpTool["inputSchema"],
      })),
      {
        name: answer,
        description: "Send a plain message instead of a tool call. In a trial phase it ends the " +
          "trial: the text is your notes on what you learned, and the real task follows. " +
          "Otherwise it is your final answer and ends the episode.",
        inputSchema: {
          type: "object",
          properties: { text: { type: "string", description: "Your notes or final answer." } },
          required: ["text"],
          additionalProperties: false,
        },
      },
    ],
  }));

  server.setRequestHandler(
    CallToolRequestSchema,
    async (req: CallToolRequest): Promise<CallToolResult> => {
      const { name, arguments: args } = req.params;
      const episode = open.episode;
      if (episode.done) {
        open.record ??= await episode.finish();
        return {
          content: [
            text("this episode is over: no more calls are taken; its result follows"),
            text(resultText(open.record)),
          ],
          isError: true,
        };
      }
      if (name === answer) {
        if (typeof args?.text !== "string") {
          return {
            content: [text(JSON.stringify({
              error: "invalid_arguments",
              message: `${answer} takes {"text": string}`,
            }))],
            isError: true,
          };
        }
        const trial = episode.phase === "trial";
        const out = await step(open, { role: "assistant", content: args.text });
        return toResult(open, out, {
          lead: trial ? ["trial notes taken; the trial phase is over"] : [],
        });
      }
      // Each MCP call is one turn, so the turn count makes call ids unique and deterministic.
      const out = await step(open, {
        role: "assistant",
        content: null,
        tool_calls: [{
          id: `mcp_${episode.metrics.turns}`,
          type: "function",
          function: { name, arguments: JSON.stringify(args ?? {}) },
        }],
      });
      return toResult(open, out);
    },
  );
  return server;
}

/**
 * The MCP routes, to mount at `/mcp`: `POST /mcp/{session}` speaks MCP Streamable HTTP for an open
 * session (stateless: a fresh server and transport per request; the episode lives in the store).
 * `tools/list` gives the session's visible tools plus `tooltrial_answer`; `tools/call` runs one
 * assistant turn. Unknown sessions are a JSON 404.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { loadSuite } from "../spec/mod.ts";
 * import { SessionStore } from "./sessions.ts";
 * import { mcpRoutes } from "./mcp.ts";
 * const store = new SessionStore(await loadSuite("testdata/good/suite.yaml"));
 * const app = new Hono().route("/mcp", mcpRoutes(store));
 * const open = store.create({ env: "mini", task: "mini-1", variant: "renamed" });
 * open.episode.begin();
 * const res = await app.request(`/mcp/${open.id}`, {
 *   method: "POST",
 *   headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
 *   body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
 * });
 * const { result } = await res.json();
 * assert.ok(result.tools.some((t: { name: string }) => t.name === "tooltrial_answer"));
 * assert.ok((await app.request("/mcp/nope", { method: "POST" })).status === 404);
 * ```
 */
export function mcpRoutes(store: SessionStore): Hono {
  const app = new Hono();
  app.all("/:session", async (c) => {
    let open: OpenSession;
    try {
      open = store.get(c.req.param("session"));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        return problem(c, 404, err.message, err.hint ?? "open one with POST /v1/sessions");
      }
      throw err;
    }
    if (c.req.method !== "POST") {
      // Stateless: no server-initiated stream (GET) and no MCP session to end (DELETE).
      c.header("Allow", "POST");
      return problem(
        c,
        405,
        `${c.req.method} is not served: this MCP endpoint is stateless`,
        "send JSON-RPC requests with POST; close the episode with DELETE /v1/sessions/{id}",
      );
    }
    const server = sessionServer(open);
    const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
  });
  return app;
}
