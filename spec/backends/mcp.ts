/**
 * The MCP backend: `mcp: {server, tool}`, a tool of a stdio MCP server declared under `servers:`.
 * (An entry without `tool:` imports every tool of its server; the tools loader handles that.)
 * @module
 */
import { unknownServer } from "../env/servers.ts";
import type { BackendKind } from "./backend_kind.ts";

/** The JSON Schema of its key in a `tools:` entry (its branch of spec/schema/env.json). */
export const mcpSchema = {
  type: "object",
  required: ["server"],
  additionalProperties: false,
  description:
    "A tool of a server declared under servers:; without tool, every tool of that server.",
  properties: {
    server: { type: "string" },
    tool: { type: "string", minLength: 1 },
  },
} as const;

/** The MCP backend's spec side. */
export const mcpKind: BackendKind<"mcp"> = {
  kind: "mcp",
  key: "mcp",
  schema: mcpSchema,
  example: {
    env: {
      env: "ex-mcp",
      servers: {
        memory: {
          npm: "@modelcontextprotocol/server-memory@2026.8.31",
          env: { MEMORY_FILE_PATH: "{{dir}}/memory.jsonl" },
        },
      },
      tools: [{ mcp: { server: "memory", tool: "read_graph" } }],
      tasks: [{
        id: "t1",
        query: "Is the graph empty?",
        gold: [{ tool: "read_graph", args: {} }],
        check: { answer: { contains: "entities" } },
      }],
    },
  },
  parse(t, { p, servers, ctx }) {
    const mcp = t.mcp!;
    if (!servers.some((x) => x.name === mcp.server)) {
      ctx.issues.push(unknownServer(mcp.server, { pointer: `${p}/mcp/server`, servers, ctx }));
      return Promise.resolve(undefined);
    }
    return Promise.resolve({ kind: "mcp", server: mcp.server, tool: mcp.tool! });
  },
};
