/**
 * An environment document as written, after schema validation: the shapes the loaders in this
 * folder read (spec/schema/env.json is what guarantees them).
 * @module
 */
import type { HistoryMessage, Row } from "../types.ts";
import type { effectSchema } from "../backends/jsonata.ts";
import type { handlerSchema } from "../backends/handler.ts";
import type { httpSchema } from "../backends/http.ts";
import type { mcpSchema } from "../backends/mcp.ts";
import type { envSchema } from "../schema/env.schema.ts";
import type { FromSchema } from "../schema/from_schema.ts";
import type { RawUser } from "./conversation.ts";
import type { RawCallsCheck } from "./calls_check.ts";
import type { RawVariants } from "../variants.ts";
import type { TASK_SPLITS } from "../split_names.ts";

/** The `$defs` of the env schema, which `$ref`s in its branches point into. */
type EnvDefs = ReturnType<typeof envSchema>["$defs"];

/** A `tools:` entry as written. */
export interface RawTool {
  name?: string;
  description?: string;
  parameters?: Record<string, unknown>;
  errors?: { when: string; message: string }[];
  result?: string;
  // The backend keys' shapes are derived from their schemas (spec/backends/), the one source.
  effect?: FromSchema<typeof effectSchema, EnvDefs>;
  handler?: FromSchema<typeof handlerSchema>;
  mcp?: FromSchema<typeof mcpSchema>;
  http?: FromSchema<typeof httpSchema, EnvDefs>;
  timeout_ms?: number;
}

/** A `servers:` entry (an MCP server) as written. */
export interface RawServer {
  npm: string;
  args?: string[];
  env?: Record<string, string>;
  files?: Record<string, string>;
  snapshot?: { tool: string; args?: Record<string, unknown>; tables: Record<string, string> };
  allow?: { read?: string[]; write?: string[]; env?: string[] };
  timeout_ms?: number;
}

/** A `tasks:` entry as written. */
export interface RawTask {
  id: string;
  query: string;
  split?: (typeof TASK_SPLITS)[number];
  tags?: string[];
  grounded?: boolean;
  tools?: string[];
  state?: RawTables;
  history?: HistoryMessage[];
  user?: RawUser;
  gold?: { tool: string; args?: Record<string, unknown> }[];
  answer?: string | number | boolean;
  check: {
    answer?: Record<string, unknown>;
    state?: string;
    calls?: RawCallsCheck;
    actions?: { tool: string; args?: Record<string, unknown>; compare?: string[] }[];
    db?: "replay";
    communicate?: (string | number)[];
    judge?: string[] | { assertions: string[]; advisory?: boolean };
  };
}

/** Named tables as written: inline rows, or a data file next to the spec. */
export type RawTables = Record<string, Row[] | { file: string }>;

/** The whole environment document as written. */
export interface RawEnv {
  env: string;
  description?: string;
  policy?: string | { file: string };
  now?: string;
  state?: RawTables;
  tools: RawTool[];
  tasks?: RawTask[];
  variants?: RawVariants;
  sandbox?: { timeout_ms?: number; memory_mb?: number };
  servers?: Record<string, RawServer>;
  http?: { base_url: string; cassette?: string };
}
