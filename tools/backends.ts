import type { EnvSpec, State, ToolBackend, ToolSpec } from "../spec/types.ts";
import {
  type CompiledTool,
  compileTools,
  dispatcher,
  fail,
  type Runner,
  toolDefs,
} from "./dispatch.ts";
import {
  backendEntries,
  type BackendLease,
  type BackendOptions,
  type OpenBackend,
} from "./backends/mod.ts";
import { userSideEnv } from "./declarative.ts";
import type { Env, EnvLease } from "./types.ts";

export type { BackendOptions } from "./backends/mod.ts";

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
    const opened = new Map<ToolBackend["kind"], OpenBackend>();
    for (const entry of backendEntries()) {
      const b = await entry.open(spec, this.options);
      if (!b) continue;
      opened.set(entry.kind, b);
      if (b.close) this.#closers.push(b.close);
      if (b.pids) this.#pidSources.push(b.pids);
    }
    const unavailable = (why: string): Runner => (state, _args, tool) =>
      Promise.resolve({
        state,
        observation: fail("unavailable", `${tool.name}: ${why}`, {
          backend: tool.backend.kind,
          reason: "not_started",
        }),
      });
    const runners = new Map([...opened].map(([kind, b]) => [
      kind,
      b.runner ?? unavailable(b.unavailable ?? `no ${kind} backend`),
    ]));
    const runnerOf = (t: ToolSpec) =>
      runners.get(t.backend.kind) ?? unavailable(`no ${t.backend.kind} backend`);
    const resolved = [...opened.values()].findLast((b) => b.tools)?.tools ?? spec.tools;
    const tools = compileTools(resolved);
    const leased = [...opened].filter(([, b]) => b.lease);
    return {
      name: spec.name,
      tools: toolDefs(resolved),
      initialState: spec.state,
      ...(spec.policy !== undefined ? { policy: spec.policy } : {}),
      ...(spec.userState !== undefined ? { user: userSideEnv(spec) } : {}),
      step: dispatcher(tools, runnerOf),
      ...(leased.length > 0
        ? { open: () => openLease(spec.state, { leased, tools, runnerOf }) }
        : {}),
    };
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

/** Close every open Backends (on an interrupt, before exiting). */
export async function closeAllBackends(): Promise<void> {
  await Promise.all([...open].map((b) => b.close()));
}

/**
 * One episode phase's lease: each leasing backend's share, opened in registry order (a later one
 * starts from the state an earlier one gave); on a failure the ones opened are closed again.
 */
async function openLease(
  initial: State,
  opts: {
    leased: [ToolBackend["kind"], OpenBackend][];
    tools: ReadonlyMap<string, CompiledTool>;
    runnerOf: (t: ToolSpec) => Runner;
  },
): Promise<EnvLease> {
  const leases = new Map<ToolBackend["kind"], BackendLease>();
  const close = async () => {
    await Promise.all([...leases.values()].map((l) => l.close()));
  };
  let state = initial;
  try {
    for (const [kind, b] of opts.leased) {
      const l = await b.lease!(state);
      leases.set(kind, l);
      state = l.state ?? state;
    }
  } catch (err) {
    await close();
    throw err;
  }
  return {
    initialState: state,
    step: dispatcher(opts.tools, (t) => leases.get(t.backend.kind)?.runner ?? opts.runnerOf(t)),
    close,
  };
}
