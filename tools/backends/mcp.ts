/** The MCP backend: a pool of stdio server instances per declared server. @module */
import { mcpKind } from "../../spec/backends/mcp.ts";
import { SpecError, type SpecIssue } from "../../spec/errors.ts";
import type { EnvSpec } from "../../spec/types.ts";
import { type ListedTool, resolveServerTools, ServerLease } from "../mcp.ts";
import { ServerPool } from "../mcp_pool.ts";
import type { BackendEntry } from "./backend_entry.ts";

/**
 * MCP tools: one pool per server in a temporary folder removed on close. The servers list their
 * tools on start; calls run only inside a lease, where each server's instance is reset and its
 * snapshot feeds the state.
 */
export const mcpBackend: BackendEntry<"mcp"> = {
  ...mcpKind,
  async open(spec) {
    if (spec.servers.length === 0) return undefined;
    const root = await Deno.makeTempDir({ prefix: `tooltrial-${spec.name}-` });
    const pools = new Map(spec.servers.map((sv) => [sv.name, new ServerPool(sv, root)]));
    const close = async () => {
      await Promise.all([...pools.values()].map((p) => p.close()));
      await Deno.remove(root, { recursive: true }).catch(() => {});
    };
    try {
      const tools = resolveServerTools(spec, await listTools(spec, pools));
      return {
        unavailable: "its server runs only inside an episode (open a lease)",
        tools,
        async lease(state) {
          const { lease, state: next } = await ServerLease.open(pools, state);
          return { runner: lease.runner(), state: next, close: () => lease.close() };
        },
        close,
        pids: () => [...pools.values()].flatMap((p) => p.pids),
      };
    } catch (err) {
      await close();
      throw err;
    }
  },
  provenance(spec) {
    if (spec.servers.length === 0) return undefined;
    return {
      tools: spec.tools.filter((t) => t.backend.kind === "mcp").length,
      servers: spec.servers.map((sv) => ({ name: sv.name, npm: sv.npm, import_all: sv.importAll })),
    };
  },
};

/** Each server's tools, from one instance; a server that does not start is a spec error. */
async function listTools(
  spec: EnvSpec,
  pools: ReadonlyMap<string, ServerPool>,
): Promise<Map<string, ListedTool[]>> {
  const listed = new Map<string, ListedTool[]>();
  const issues: SpecIssue[] = [];
  await Promise.all(spec.servers.map(async (sv) => {
    const pool = pools.get(sv.name)!;
    try {
      const inst = await pool.lease();
      try {
        listed.set(sv.name, (await inst.client.listTools()).tools as ListedTool[]);
      } finally {
        pool.release(inst);
      }
    } catch (err) {
      issues.push({
        file: spec.file,
        pointer: `/servers/${sv.name}`,
        line: 1,
        col: 1,
        message: (err as Error).message,
        hint:
          "check the npm package name and version, its args and env, and that the npm registry is reachable",
      });
    }
  }));
  if (issues.length > 0) throw new SpecError(issues);
  return listed;
}
