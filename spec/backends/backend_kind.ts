/**
 * What a tool backend is to the spec layer: the tool key that selects it, that key's JSON Schema
 * (its branch of spec/schema/env.json) and how an entry using it becomes its
 * {@linkcode ToolBackend}. The tool layer adds how to start it (tools/backends/).
 * @module
 */
import type { RawEnv, RawTool } from "../env/raw.ts";
import type { ExprContext } from "../env/context.ts";
import type { ServerSpec, ToolBackend } from "../types.ts";

/** What {@linkcode BackendKind.parse} gets besides the tool entry. */
export interface BackendParseContext {
  /** The entry's JSON pointer (`/tools/3`). */
  p: string;
  /** The whole environment document. */
  raw: RawEnv;
  /** The env's MCP servers. */
  servers: readonly ServerSpec[];
  /** Handler module sources read so far, by module path as written (filled in). */
  handlers: Record<string, string>;
  /** The document's loading context (problems, files read, expressions). */
  ctx: ExprContext;
}

/** One tool backend kind, as the env loader sees it. */
export interface BackendKind<K extends ToolBackend["kind"] = ToolBackend["kind"]> {
  /** The kind a normalized tool records (`ToolBackend.kind`). */
  kind: K;
  /** The key of a `tools:` entry that selects it. */
  key: keyof RawTool & string;
  /** That key's JSON Schema: its property of `$defs/tool` in spec/schema/env.json. */
  schema: Readonly<Record<string, unknown>>;
  /**
   * A minimal environment document using this kind (without `tooltrial:`), plus any files it
   * needs next to it: what the registry's meta-test loads, runs and records.
   */
  example: { env: Record<string, unknown>; files?: Record<string, string> };
  /** The entry's backend, or undefined with its problem recorded in `ctx.issues`. */
  parse(t: RawTool, c: BackendParseContext): Promise<ToolBackend | undefined>;
}
