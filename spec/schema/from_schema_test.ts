// The raw-document types derived from the schemas: checked at type level (a wrong derivation fails
// `deno test`'s type check) and against the schemas themselves at run time.
import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { RawCallsCheck, RawServer, RawTask, RawTool } from "../env/raw.ts";
import type { RawAgentOf } from "../agent_kinds.ts";
import type { TASK_SPLITS } from "../split_names.ts";
import { httpSchema } from "../backends/http.ts";
import { mcpSchema } from "../backends/mcp.ts";
import type { FromSchema } from "./from_schema.ts";

/** true when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;

Deno.test("FromSchema: a tool's backend keys have the shapes their schemas accept", () => {
  const http: Equal<
    NonNullable<RawTool["http"]>,
    {
      method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
      path: string;
      query?: Record<string, string>;
      headers?: Record<string, string>;
      body?: string;
    }
  > = true;
  const mcp: Equal<NonNullable<RawTool["mcp"]>, { server: string; tool?: string }> = true;
  const handler: Equal<NonNullable<RawTool["handler"]>, string> = true;
  const effect: Equal<NonNullable<RawTool["effect"]>, Record<string, string>> = true;
  assert.ok(http && mcp && handler && effect);
  // Values of the derived types are what the schemas accept, and the schemas refuse other ones.
  const ajv = new Ajv2020({ strict: false });
  const defs = { $defs: { expr: { type: "string" } } };
  const get: NonNullable<RawTool["http"]> = { method: "GET", path: "/a/{{$args.id}}", body: "1" };
  assert.ok(ajv.validate({ ...httpSchema, ...defs }, get));
  assert.ok(!ajv.validate({ ...httpSchema, ...defs }, { ...get, method: "HEAD" }));
  const one: NonNullable<RawTool["mcp"]> = { server: "files" };
  assert.ok(ajv.validate(mcpSchema, one));
});

Deno.test("FromSchema: const, enum, oneOf, arrays, $ref into $defs and unions of types", () => {
  const schema = {
    type: "object",
    required: ["kind", "tags"],
    properties: {
      kind: { const: "x" },
      level: { enum: [1, 2] },
      tags: { type: "array", items: { $ref: "#/$defs/tag" } },
      size: { oneOf: [{ type: "integer" }, { const: "auto" }] },
      note: { type: ["string", "null"] },
    },
  } as const;
  type Doc = FromSchema<typeof schema, { tag: { type: "string" } }>;
  const ok: Equal<
    Doc,
    { kind: "x"; tags: string[]; level?: 1 | 2; size?: number | "auto"; note?: string | null }
  > = true;
  const doc: Doc = { kind: "x", tags: ["a"], size: "auto", note: null };
  assert.ok(ok && doc.tags.length === 1);
});

Deno.test("FromSchema: the loaders' raw types are their schemas' shapes", () => {
  // A change to one of these schema properties is a type error here and in the loader reading it.
  const threads: Equal<RawAgentOf<"onnx">["threads"], number | "auto" | undefined> = true;
  const endpoint: Equal<
    keyof RawAgentOf<"anthropic">["anthropic"],
    | "base_url"
    | "model"
    | "api_key_env"
    | "temperature"
    | "max_tokens"
    | "timeout_s"
    | "retries"
    | "concurrency"
    | "cache"
    | "top_p"
    | "price"
  > = true;
  const server: Equal<
    RawServer["allow"],
    { read?: string[]; write?: string[]; env?: string[] } | undefined
  > = true;
  const split: Equal<RawTask["split"], (typeof TASK_SPLITS)[number] | undefined> = true;
  const mode: Equal<RawCallsCheck["mode"], "strict" | "bfcl" | "rotbench" | undefined> = true;
  assert.ok(threads && endpoint && server && split && mode);
});
