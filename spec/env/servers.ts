/**
 * An environment's MCP servers: checked when the spec loads, started only when an episode runs.
 * @module
 */
import { dirname, isAbsolute, join, normalize } from "node:path";
import { closeNames, type SpecIssue } from "../errors.ts";
import type { Expr } from "../expr.ts";
import { sha256Hex } from "../files.ts";
import type { ServerSpec } from "../types.ts";
import type { ExprContext } from "./context.ts";
import { ENV_SCHEMA, type RawServer } from "./raw.ts";
import { withDefaults } from "../schema/defaults.ts";

/**
 * The `servers:` of an env, normalized: seed files read and hashed into `ctx.files`, snapshot
 * expressions compiled. A snapshot table may not share a name with a state table (`tables`).
 * Whether a server's tools are imported whole (`importAll`) is set later, by the tools that do.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseYaml } from "../yaml.ts";
 * import { envContext, withExprs } from "./context.ts";
 * import { loadServers } from "./servers.ts";
 * const ctx = withExprs(envContext(parseYaml("servers: {}\n", "e.yaml"), []), { now: 0 });
 * const [sv] = await loadServers({ mem: { npm: "@modelcontextprotocol/server-memory" } }, { tables: [], ctx });
 * assert.ok(sv.name === "mem" && sv.timeoutMs === 10_000 && ctx.issues.length === 0);
 * ```
 */
export async function loadServers(
  raw: Record<string, RawServer>,
  opts: { tables: readonly string[]; ctx: ExprContext },
): Promise<ServerSpec[]> {
  const { ctx } = opts;
  const { at, issues, file } = ctx;
  const servers: ServerSpec[] = [];
  const defs = ENV_SCHEMA.$defs.server;
  for (const [name, written] of Object.entries(raw)) {
    const sv = withDefaults(defs, written);
    const p = `/servers/${name}`;
    const seeds: ServerSpec["files"] = [];
    for (const [to, from] of Object.entries(sv.files ?? {})) {
      const path = join(dirname(file), from);
      const bad = isAbsolute(to) || normalize(to).startsWith("..");
      if (bad) {
        issues.push(
          at(
            `${p}/files/${to}`,
            `"${to}" is outside the server's folder`,
            "use a plain name",
            true,
          ),
        );
        continue;
      }
      try {
        // Seed files go into the spec hash like data files do.
        const bytes = await Deno.readFile(path);
        ctx.files.push({ path, sha256: await sha256Hex(bytes) });
        seeds.push({ from: path, to });
      } catch {
        issues.push(
          at(`${p}/files/${to}`, `file ${path} not found`, `fix the path (relative to ${file})`),
        );
      }
    }
    let snapshot: ServerSpec["snapshot"];
    if (sv.snapshot) {
      const tables: [string, Expr][] = [];
      for (const [table, src] of Object.entries(sv.snapshot.tables)) {
        const e = ctx.expr(src, `${p}/snapshot/tables/${table}`);
        if (e) tables.push([table, e]);
      }
      const { args } = withDefaults(defs.properties.snapshot, sv.snapshot);
      snapshot = { tool: sv.snapshot.tool, args, tables };
    }
    const allow = withDefaults(defs.properties.allow, sv.allow);
    servers.push({
      name,
      npm: sv.npm,
      args: sv.args,
      env: sv.env,
      files: seeds,
      snapshot,
      importAll: false,
      allow: { read: allow.read, write: allow.write, env: allow.env },
      timeoutMs: sv.timeout_ms,
    });
  }
  for (const sv of servers) {
    for (const [table] of sv.snapshot?.tables ?? []) {
      if (opts.tables.includes(table)) {
        issues.push(
          at(
            `/servers/${sv.name}/snapshot/tables/${table}`,
            `snapshot table "${table}" is also a state table`,
            "the server's snapshot replaces it after every call: give it its own name",
            true,
          ),
        );
      }
    }
  }
  return servers;
}

/** The problem of a tool naming a server the env does not declare, with the closest name. */
export function unknownServer(
  name: string,
  opts: { pointer: string; servers: readonly ServerSpec[]; ctx: ExprContext },
): SpecIssue {
  const names = opts.servers.map((x) => x.name);
  const close = closeNames(name, names, 1);
  return opts.ctx.at(
    opts.pointer,
    `no server named "${name}"`,
    close.length
      ? `did you mean "${close[0]}"?`
      : `declare it under servers: (servers: ${names.join(", ") || "none"})`,
  );
}
