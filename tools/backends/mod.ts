/**
 * The registry of tool backend kinds: one entry per kind, each its spec side (key, schema,
 * parse, example) plus how it starts (`open`) and what a run records (`provenance`).
 * `Backends` starts an environment's kinds through it, and its meta-test (registry_test.ts)
 * iterates it. Adding a kind: spec/backends/<kind>.ts and its line in spec/backends/mod.ts, this
 * folder's <kind>.ts and its line below, and its `ToolBackend` variant in spec/types.ts.
 * @module
 */
import { BACKEND_KINDS } from "../../spec/backends/mod.ts";
import type { ToolBackend } from "../../spec/types.ts";
import type { BackendEntry } from "./backend_entry.ts";
import { handlerBackend } from "./handler.ts";
import { httpBackend } from "./http.ts";
import { jsonataBackend } from "./jsonata.ts";
import { mcpBackend } from "./mcp.ts";

export type { BackendEntry, BackendLease, BackendOptions, OpenBackend } from "./backend_entry.ts";

/** Every backend kind, by kind, in the spec registry's order. */
export const backendKinds: { readonly [K in ToolBackend["kind"]]: BackendEntry<K> } = {
  handler: handlerBackend,
  mcp: mcpBackend,
  http: httpBackend,
  jsonata: jsonataBackend,
};

/** The entries in the spec registry's order (the order they start in). */
export const backendEntries = (): BackendEntry[] =>
  BACKEND_KINDS.map((b) => backendKinds[b.kind] as BackendEntry);
