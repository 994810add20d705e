/**
 * The registry of tool backend kinds, spec side: one entry per kind, in the order a tool's keys
 * are checked. The tool layer's registry (tools/backends/mod.ts) adds how each starts; its
 * meta-test checks that both agree with each other and with spec/schema/env.json.
 * @module
 */
import type { BackendKind } from "./backend_kind.ts";
import { handlerKind } from "./handler.ts";
import { httpKind } from "./http.ts";
import { jsonataKind } from "./jsonata.ts";
import { mcpKind } from "./mcp.ts";

export type { BackendKind, BackendParseContext } from "./backend_kind.ts";

/**
 * Every backend kind, in the order a tool entry's keys are checked; the last, `jsonata`, is also
 * what a tool with none of the keys is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BACKEND_KINDS } from "./mod.ts";
 * assert.deepEqual(BACKEND_KINDS.map((b) => b.kind), ["handler", "mcp", "http", "jsonata"]);
 * ```
 */
export const BACKEND_KINDS: readonly BackendKind[] = [handlerKind, mcpKind, httpKind, jsonataKind];
