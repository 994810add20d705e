/**
 * What a tool backend kind is to the tool layer: its spec side (key, schema, parse, example, from
 * spec/backends/) plus how it starts for one environment and what a run records about it.
 * @module
 */
import type { BackendKind } from "../../spec/backends/mod.ts";
import type { EnvSpec, State, ToolBackend, ToolSpec } from "../../spec/types.ts";
import type { Runner } from "../dispatch.ts";
import type { HttpMode } from "../http.ts";

/** How a run's backends behave. */
export interface BackendOptions {
  /**
   * Handler children each sandbox runs (default 2), started and loaded ahead of leases; the leases
   * (episode phases) share them, each with module instances of its own, and a spare waits for the
   * first to die.
   */
  sandboxProcesses?: number;
  /** HTTP tools: answer from cassettes (`replay`, default) or call the live API and record. */
  http?: HttpMode;
}

/** A backend's share of one episode phase (an environment lease). */
export interface BackendLease {
  /** How this kind's tools run inside the lease. */
  runner: Runner;
  /** The lease's starting state, when the backend changes it (MCP snapshots). */
  state?: State;
  /** Give back what the lease holds. */
  close(): Promise<void> | void;
}

/** A backend started for one environment. */
export interface OpenBackend {
  /** How this kind's tools run outside a lease; absent: they answer `unavailable`. */
  runner?: Runner;
  /** Why a call outside a lease cannot run (when there is no `runner`). */
  unavailable?: string;
  /** The environment's tools as this backend resolves them (MCP servers list theirs). */
  tools?: ToolSpec[];
  /** Its part of an episode phase; an environment with one such backend can be leased. */
  lease?(state: State): Promise<BackendLease>;
  /** Stop what it started. */
  close?(): Promise<void>;
  /** Process ids it runs now. */
  pids?(): number[];
}

/** One tool backend kind, as the registry (tools/backends/mod.ts) lists it. */
export interface BackendEntry<K extends ToolBackend["kind"] = ToolBackend["kind"]>
  extends BackendKind<K> {
  /**
   * Start this kind for `spec`, or undefined when the env has nothing of this kind. Closers and
   * process ids are taken as soon as it returns; a problem found on start-up is a SpecError.
   */
  open(spec: EnvSpec, options: BackendOptions): Promise<OpenBackend | undefined>;
  /** What a run's provenance records about this kind in `spec`; undefined when it has none. */
  provenance(spec: EnvSpec): Record<string, unknown> | undefined;
}

/** The tools of `spec` on backend `kind`. */
export const toolsOf = (spec: EnvSpec, kind: ToolBackend["kind"]): ToolSpec[] =>
  spec.tools.filter((t) => t.backend.kind === kind);
