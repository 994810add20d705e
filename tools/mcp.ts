import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { compileToolSchema, exprErrorMessage, SpecError, type SpecIssue } from "../spec/mod.ts";
import type { EnvSpec, Row, State, ToolSpec } from "../spec/types.ts";
import { fail, type Runner } from "./dispatch.ts";
import type { ServerInstance, ServerPool } from "./mcp_pool.ts";
import type { Observation } from "./types.ts";

/** A tool as an MCP server lists it. */
export interface ListedTool {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

/**
 * The spec's tools with what the servers told: an `mcp` entry's missing name, description and
 * parameters come from its server's listing; a server imported whole adds its other tools.
 * Problems (a tool the server lacks, a name taken twice, gold calls that do not fit) are located
 * spec errors.
 */
export function resolveServerTools(
  spec: EnvSpec,
  listed: ReadonlyMap<string, ListedTool[]>,
): ToolSpec[] {
  const issues: SpecIssue[] = [];
  const where = (t?: ToolSpec) =>
    t?.at ?? { file: spec.file, pointer: "/servers", line: 1, col: 1 };
  const tools: ToolSpec[] = [];
  const used = new Map<string, Set<string>>();
  for (const t of spec.tools) {
    if (t.backend.kind !== "mcp") {
      tools.push(t);
      continue;
    }
    const { server, tool } = t.backend;
    const found = listed.get(server)?.find((x) => x.name === tool);
    if (!found) {
      const names = (listed.get(server) ?? []).map((x) => x.name);
      issues.push({
        ...where(t),
        message: `server ${server} has no tool "${tool}"`,
        hint: `its tools: ${names.join(", ") || "none"}`,
      });
      continue;
    }
    used.set(server, (used.get(server) ?? new Set()).add(tool));
    tools.push({
      ...t,
      description: t.fromServer?.description ? found.description ?? "" : t.description,
      parameters: t.fromServer?.parameters ? parametersOf(found) : t.parameters,
    });
  }
  for (const sv of spec.servers) {
    if (!sv.importAll) continue;
    for (const found of listed.get(sv.name) ?? []) {
      if (used.get(sv.name)?.has(found.name)) continue;
      tools.push({
        name: found.name,
        description: found.description ?? "",
        parameters: parametersOf(found),
        errors: [],
        effect: [],
        backend: { kind: "mcp", server: sv.name, tool: found.name },
        timeoutMs: sv.timeoutMs,
      });
    }
  }
  const seen = new Set<string>();
  for (const t of tools) {
    if (seen.has(t.name)) {
      issues.push({
        ...where(t),
        message: `two tools are named "${t.name}" once the servers' tools are imported`,
        hint: "rename the tool listed by hand (name:), or list the server's tools one by one",
      });
    }
    seen.add(t.name);
  }
  for (const g of spec.deferredGold) {
    const t = tools.find((x) => x.name === g.tool);
    if (!t) {
      issues.push({
        ...g.at,
        message: `task ${g.task} refers to unknown tool "${g.tool}"`,
        hint: `tools here: ${tools.map((x) => x.name).join(", ")}`,
      });
      continue;
    }
    const validate = compileToolSchema(t.parameters);
    if (!validate(g.args)) {
      const e = validate.errors![0];
      issues.push({
        ...g.at,
        message: `gold arguments do not fit ${g.tool}'s parameters (from its server): ${
          e.instancePath || "arguments"
        } ${e.message}`,
        hint: `fix the gold call (schema path ${e.schemaPath})`,
      });
    }
  }
  if (issues.length > 0) throw new SpecError(issues);
  return tools;
}

/** A server's input schema as tool parameters: `$schema` dropped (ours is draft 2020-12). */
function parametersOf(t: ListedTool): Record<string, unknown> {
  const { $schema: _, ...rest } = t.inputSchema;
  return { type: "object", ...rest };
}

/** What an MCP tool call answered, as plain JSON: structured content, else JSON text, else text. */
export function resultOf(r: { content?: unknown; structuredContent?: unknown }): unknown {
  if (r.structuredContent !== undefined) return r.structuredContent;
  const parts = Array.isArray(r.content) ? r.content as { type: string; text?: string }[] : [];
  const texts = parts.map((p) => (p.type === "text" ? p.text ?? "" : { type: p.type }));
  const one = (v: unknown) => {
    if (typeof v !== "string") return v;
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  };
  return texts.length === 1 ? one(texts[0]) : texts.map(one);
}

/** The text of an error result. */
function errorText(r: { content?: unknown }): string {
  const parts = Array.isArray(r.content) ? r.content as { type: string; text?: string }[] : [];
  return parts.filter((p) => p.type === "text").map((p) => p.text).join("\n") || "the tool failed";
}

/** Call a tool of a running server; failures become observations with `details.backend`. */
async function callServer(
  inst: ServerInstance,
  tool: string,
  args: Record<string, unknown>,
  timeoutMs: number,
): Promise<Observation> {
  const crash = (reason: string, message: string): Observation =>
    fail(reason === "timeout" ? "unavailable" : "tool_crash", message, {
      backend: "mcp",
      server: inst.spec.name,
      reason,
    });
  if (!inst.alive) {
    return crash("died", `server ${inst.spec.name} is not running${tailOf(inst)}`);
  }
  try {
    const r = await inst.client.callTool({ name: tool, arguments: args }, undefined, {
      timeout: timeoutMs,
    });
    if (r.isError) return fail("tool_error", errorText(r));
    return { ok: true, result: resultOf(r) };
  } catch (err) {
    const code = err instanceof McpError ? (err as { code?: number }).code : undefined;
    if (code === ErrorCode.RequestTimeout) {
      inst.tainted = true;
      return crash("timeout", `server ${inst.spec.name} did not answer within ${timeoutMs} ms`);
    }
    if (code === ErrorCode.InvalidParams) return fail("tool_error", (err as Error).message);
    if (!inst.alive || code === ErrorCode.ConnectionClosed) {
      return crash("died", `server ${inst.spec.name} died${tailOf(inst)}`);
    }
    return crash("protocol", `server ${inst.spec.name}: ${(err as Error).message}`);
  }
}

function tailOf(inst: ServerInstance): string {
  const tail = inst.transport.stderr.trim().split("\n").slice(-2).join(" | ");
  return tail ? ` (${tail.slice(0, 300)})` : "";
}

/** The snapshot tables of a server's current data, or an error message. */
async function snapshotOf(inst: ServerInstance): Promise<Record<string, Row[]> | string> {
  const snap = inst.spec.snapshot;
  if (!snap) return {};
  const o = await callServer(inst, snap.tool, snap.args, inst.spec.timeoutMs);
  if (!o.ok) return `snapshot ${snap.tool} failed: ${o.error.message}`;
  const out: Record<string, Row[]> = {};
  try {
    for (const [table, expr] of snap.tables) {
      const v = await expr.evaluate(o.result);
      out[table] = (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]) as Row[];
    }
  } catch (err) {
    return `snapshot table: ${exprErrorMessage(err)}`;
  }
  return out;
}

/** One phase's servers: an instance of each, leased from the pools. */
export class ServerLease {
  readonly #instances: Map<string, ServerInstance>;
  readonly #pools: ReadonlyMap<string, ServerPool>;

  private constructor(pools: ReadonlyMap<string, ServerPool>, inst: Map<string, ServerInstance>) {
    this.#pools = pools;
    this.#instances = inst;
  }

  /** Lease one instance of every server, folders reset; their snapshots go into `state`. */
  static async open(
    pools: ReadonlyMap<string, ServerPool>,
    state: State,
  ): Promise<{ lease: ServerLease; state: State }> {
    const inst = new Map<string, ServerInstance>();
    const lease = new ServerLease(pools, inst);
    try {
      const got = await Promise.allSettled(
        [...pools].map(async ([name, pool]) => inst.set(name, await pool.lease())),
      );
      for (const g of got) if (g.status === "rejected") throw g.reason;
      let next = state;
      for (const i of inst.values()) {
        const snap = await snapshotOf(i);
        if (typeof snap === "string") throw new Error(`server ${i.spec.name}: ${snap}`);
        next = { ...next, ...snap };
      }
      return { lease, state: next };
    } catch (err) {
      lease.close();
      throw err;
    }
  }

  /** The `mcp` backend over this lease's instances; after a call, its server's snapshot is retaken. */
  runner(): Runner {
    return async (state, args, tool) => {
      if (tool.backend.kind !== "mcp") throw new Error(`${tool.name} is not an MCP tool`);
      const inst = this.#instances.get(tool.backend.server)!;
      const observation = await callServer(
        inst,
        tool.backend.tool,
        args,
        tool.timeoutMs ?? inst.spec.timeoutMs,
      );
      if (!inst.spec.snapshot || !inst.alive) return { state, observation };
      const snap = await snapshotOf(inst);
      if (typeof snap === "string") {
        return {
          state,
          observation: observation.ok
            ? fail("tool_crash", `server ${inst.spec.name}: ${snap}`, {
              backend: "mcp",
              server: inst.spec.name,
              reason: "snapshot",
            })
            : observation,
        };
      }
      return { state: { ...state, ...snap }, observation };
    };
  }

  close(): void {
    for (const [name, i] of this.#instances) this.#pools.get(name)!.release(i);
    this.#instances.clear();
  }
}
