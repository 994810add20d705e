import { SpecError, type SpecIssue } from "../spec/mod.ts";
import type { EnvSpec, ToolSpec } from "../spec/types.ts";
import { jsonataRunner } from "./declarative.ts";
import { compileTools, dispatcher, fail, type Runner, toolDefs } from "./dispatch.ts";
import { Cassette } from "./cassette.ts";
import { handlerRunner } from "./handler.ts";
import { type HttpMode, httpRunner } from "./http.ts";
import { type ListedTool, resolveServerTools, ServerLease } from "./mcp.ts";
import { ServerPool } from "./mcp_pool.ts";
import { Sandbox } from "./sandbox.ts";
import type { Env, EnvLease } from "./types.ts";

/** How a run's backends behave. */
export interface BackendOptions {
  /**
   * Handler children each sandbox keeps started and loaded ahead of leases (default 2); every
   * episode phase that calls a handler takes one of its own.
   */
  sandboxProcesses?: number;
  /** HTTP tools: answer from cassettes (`replay`, default) or call the live API and record. */
  http?: HttpMode;
}

/** Every Backends not yet closed: what an interrupt closes before the process exits. */
const open = new Set<Backends>();

/**
 * What one run (or server) owns besides its specs: handler sandboxes, MCP server pools, HTTP
 * cassettes. `env(spec)` builds an environment whose tools each run on their own backend;
 * `close()` stops every process it started. Close it in a `finally`; `closeAllBackends()` does it
 * for all of them on an interrupt.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadEnv } from "../spec/mod.ts";
 * import { Backends } from "./backends.ts";
 * const backends = new Backends();
 * try {
 *   const env = await backends.env(await loadEnv("envs/library"));
 *   assert.ok(env.tools.length > 0);
 * } finally {
 *   await backends.close();
 * }
 * ```
 */
export class Backends {
  /** What the backends were built with. */
  readonly options: BackendOptions;
  readonly #envs = new Map<EnvSpec, Promise<Env>>();
  readonly #closers: (() => Promise<void>)[] = [];
  readonly #pidSources: (() => number[])[] = [];
  #closed = false;

  /** Backends built lazily from `options`; nothing starts until an environment needs it. */
  constructor(options: BackendOptions = {}) {
    this.options = options;
    open.add(this);
  }

  /** The environment of a spec, built once; throws SpecError for problems found on start-up. */
  env(spec: EnvSpec): Promise<Env> {
    if (this.#closed) return Promise.reject(new Error("these backends are closed"));
    let e = this.#envs.get(spec);
    if (!e) {
      e = this.#build(spec);
      this.#envs.set(spec, e);
    }
    return e;
  }

  async #build(spec: EnvSpec): Promise<Env> {
    const runners = new Map<ToolSpec["backend"]["kind"], Runner>([["jsonata", jsonataRunner]]);
    let sandbox: Sandbox | undefined;
    if (Object.keys(spec.handlers).length > 0) {
      const box = sandbox = new Sandbox(spec.handlers, {
        limits: spec.sandbox,
        processes: this.options.sandboxProcesses,
      });
      this.#closers.push(() => box.close());
      this.#pidSources.push(() => box.pids);
      await checkHandlers(spec, box);
      // Outside a lease each handler call gets a fresh child of its own.
      runners.set("handler", handlerRunner(box, Object.keys(spec.state)));
    }
    if (spec.http && spec.tools.some((t) => t.backend.kind === "http")) {
      const cassette = new Cassette(spec.http.cassette);
      try {
        await cassette.load();
      } catch (err) {
        throw new SpecError([{
          file: spec.http.cassette,
          line: Number(/:(\d+):/.exec((err as Error).message)?.[1] ?? 1),
          col: 1,
          pointer: "",
          message: `cannot read the cassette: ${(err as Error).message}`,
          hint:
            "each line must be {request, response} as tooltrial records them; re-record with --record",
        }]);
      }
      const mode = this.options.http ?? "replay";
      if (mode === "record") {
        this.#closers.push(async () => {
          await cassette.save();
          const c = cassette.conflicts;
          if (c.length > 0) {
            console.error(
              `warning: ${c.length} request(s) got different answers while recording ${cassette.path} (a stateful API); a replay gives the last answer: ${
                c.slice(0, 3).join("; ")
              }`,
            );
          }
        });
      }
      runners.set("http", httpRunner({ baseUrl: spec.http.baseUrl, cassette, mode }));
    }
    const missing: Runner = (state, _args, tool) =>
      Promise.resolve({
        state,
        observation: fail(
          "unavailable",
          tool.backend.kind === "mcp"
            ? `${tool.name}: its server runs only inside an episode (open a lease)`
            : `${tool.name}: no ${tool.backend.kind} backend`,
          { backend: tool.backend.kind, reason: "not_started" },
        ),
      });
    const runnerOf = (t: ToolSpec) => runners.get(t.backend.kind) ?? missing;
    /** A lease's handler runner: one child for the whole phase, killed when it closes. */
    const handlerLease = () => {
      const lease = sandbox?.lease();
      const run = lease && handlerRunner(lease, Object.keys(spec.state));
      return {
        runnerOf: (t: ToolSpec) => (run && t.backend.kind === "handler" ? run : runnerOf(t)),
        close: () => lease?.close() ?? Promise.resolve(),
      };
    };
    if (spec.servers.length === 0) {
      const tools = compileTools(spec.tools);
      return {
        name: spec.name,
        tools: toolDefs(spec.tools),
        initialState: spec.state,
        ...(spec.policy !== undefined ? { policy: spec.policy } : {}),
        step: dispatcher(tools, runnerOf),
        ...(sandbox
          ? {
            open(): Promise<EnvLease> {
              const h = handlerLease();
              return Promise.resolve({
                initialState: spec.state,
                step: dispatcher(tools, h.runnerOf),
                close: h.close,
              });
            },
          }
          : {}),
      };
    }
    const pools = await this.#pools(spec);
    const resolved = resolveServerTools(spec, await listTools(spec, pools));
    const tools = compileTools(resolved);
    return {
      name: spec.name,
      tools: toolDefs(resolved),
      initialState: spec.state,
      ...(spec.policy !== undefined ? { policy: spec.policy } : {}),
      step: dispatcher(tools, runnerOf),
      async open(): Promise<EnvLease> {
        const { lease, state } = await ServerLease.open(pools, spec.state);
        const mcp = lease.runner();
        const h = handlerLease();
        return {
          initialState: state,
          step: dispatcher(tools, (t) => (t.backend.kind === "mcp" ? mcp : h.runnerOf(t))),
          close: async () => {
            await Promise.all([lease.close(), h.close()]);
          },
        };
      },
    };
  }

  /** One pool per server, in a temporary folder removed on close. */
  async #pools(spec: EnvSpec): Promise<Map<string, ServerPool>> {
    const root = await Deno.makeTempDir({ prefix: `tooltrial-${spec.name}-` });
    const pools = new Map(spec.servers.map((sv) => [sv.name, new ServerPool(sv, root)]));
    this.#pidSources.push(() => [...pools.values()].flatMap((p) => p.pids));
    this.#closers.push(async () => {
      await Promise.all([...pools.values()].map((p) => p.close()));
      await Deno.remove(root, { recursive: true }).catch(() => {});
    });
    return pools;
  }

  /** Process ids of the sandboxes and servers running now. */
  pids(): number[] {
    return this.#pidSources.flatMap((f) => f());
  }

  /** Stop every sandbox and server these backends started; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    open.delete(this);
    await Promise.all(this.#closers.splice(0).map((c) => c().catch(() => {})));
  }
}

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

/** Close every open Backends (on an interrupt, before exiting). */
export async function closeAllBackends(): Promise<void> {
  await Promise.all([...open].map((b) => b.close()));
}

/** Every handler must name a function its module exports: a located error otherwise. */
async function checkHandlers(spec: EnvSpec, sandbox: Sandbox): Promise<void> {
  const where = (t: ToolSpec) => t.at ?? { file: spec.file, pointer: "", line: 1, col: 1 };
  let exports: Record<string, string[]>;
  try {
    exports = await sandbox.exports();
  } catch (err) {
    const first = spec.tools.find((t) => t.backend.kind === "handler")!;
    throw new SpecError([{
      ...where(first),
      message: `the handlers do not load: ${(err as Error).message}`,
      hint:
        "a handler module must be self-contained TypeScript (no imports) that runs without permissions",
    }]);
  }
  const issues: SpecIssue[] = [];
  for (const t of spec.tools) {
    if (t.backend.kind !== "handler") continue;
    const names = exports[t.backend.module] ?? [];
    if (!names.includes(t.backend.fn)) {
      issues.push({
        ...where(t),
        message: `${t.backend.module} exports no function "${t.backend.fn}"`,
        hint: names.length
          ? `it exports: ${names.join(", ")}`
          : "export the function from that file",
      });
    }
  }
  if (issues.length > 0) throw new SpecError(issues);
}
