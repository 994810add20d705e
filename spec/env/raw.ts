/**
 * An environment document as written, after schema validation: the shapes the loaders in this
 * folder read, derived from the schema's one source (spec/schema/env.schema.ts) with `FromSchema`,
 * so a schema change is a type error in the loaders; spec/schema/env.json is what guarantees them.
 * @module
 */
import type { effectSchema } from "../backends/jsonata.ts";
import type { handlerSchema } from "../backends/handler.ts";
import type { httpSchema } from "../backends/http.ts";
import type { mcpSchema } from "../backends/mcp.ts";
import type { envSchema } from "../schema/env.schema.ts";
import type { FromSchema } from "../schema/from_schema.ts";
import { specSchemas } from "../validate.ts";
import type { RawVariants } from "../variants.ts";

/** The env schema's source. */
type EnvSchema = ReturnType<typeof envSchema>;
/** The `$defs` of the env schema, which `$ref`s in its branches point into. */
type EnvDefs = EnvSchema["$defs"];
/** What the definition `K` of the env schema accepts. */
type Def<K extends keyof EnvDefs> = FromSchema<EnvDefs[K], EnvDefs>;

/**
 * The generated env schema (what ajv validated the document against): where the loaders in this
 * folder read the defaults (`withDefaults(ENV_SCHEMA.$defs.server, raw)`).
 */
export const ENV_SCHEMA = specSchemas.env;

/** A `tools:` entry as written. */
export type RawTool =
  & Omit<Def<"tool">, "parameters" | "effect">
  & {
    /** JSON Schema of the arguments (the env schema asks only for `type: object`). */
    parameters?: Record<string, unknown>;
    // The backend keys' shapes are derived from their schemas (spec/backends/), the one source.
    effect?: FromSchema<typeof effectSchema, EnvDefs>;
    handler?: FromSchema<typeof handlerSchema>;
    mcp?: FromSchema<typeof mcpSchema>;
    http?: FromSchema<typeof httpSchema, EnvDefs>;
  };

/** A `servers:` entry (an MCP server) as written. */
export type RawServer = Def<"server">;

/** A task's `check: calls:` as written. */
export type RawCallsCheck = Def<"callsCheck">;

/** A task's `user:` (the scripted user) as written. */
export type RawUser = Def<"user">;

/** A `tasks:` entry as written. */
export type RawTask = Omit<Def<"task">, "check"> & {
  /**
   * Its checks. The check kinds' schemas are registered in tasks/checks.ts, above this layer, so
   * only the kinds whose shapes are `$defs` of the env schema derive from it; the rest are
   * written here.
   */
  check: {
    answer?: Def<"answerCheck">;
    state?: string;
    calls?: RawCallsCheck;
    actions?: { tool: string; args?: Record<string, unknown>; compare?: string[] }[];
    db?: "replay";
    communicate?: (string | number)[];
    user_state?: string;
    judge?: string[] | { assertions: string[]; advisory?: boolean };
  };
};

/** Named tables as written: inline rows, or a data file next to the spec. */
export type RawTables = Def<"tables">;

/**
 * The whole environment document as written (its variants are a `$ref` into variants.json), less
 * the `tooltrial:` version and `$schema` keys, which the schema checks and no loader reads.
 */
export type RawEnv =
  & Omit<
    FromSchema<EnvSchema, EnvDefs>,
    "tooltrial" | "$schema" | "tools" | "tasks" | "variants" | "user_tools"
  >
  & { tools: RawTool[]; user_tools?: RawTool[]; tasks?: RawTask[]; variants?: RawVariants };
