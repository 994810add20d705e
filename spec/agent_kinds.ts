/**
 * The agent kinds a suite may declare: the key that selects each (`scripted:`, `onnx:`, `openai:`,
 * `anthropic:`), the YAML shape of each (a branch of spec/schema/suite.json) and how an entry of
 * each becomes its {@linkcode AgentSpec}. The runners' registry (runners/agents/registry.ts) opens,
 * records and describes each kind; its meta-test checks that it, this list and the schema agree.
 * @module
 */
import { isAbsolute, join } from "node:path";
import { SpecError, type SpecIssue } from "./errors.ts";
import { sha256Files, sha256Hex } from "./files.ts";
import { readRecorded } from "./recorded.ts";
import suiteSchema from "./schema/suite.json" with { type: "json" };
import { schemaDefault, withDefaults } from "./schema/defaults.ts";
import type { FromSchema } from "./schema/from_schema.ts";
import type { AGENT_SCHEMAS } from "./schema/suite.schema.ts";
import type {
  AgentSpec,
  EndpointOptions,
  OnnxAgentSpec,
  RecordedAgentSpec,
  ScriptedKind,
} from "./types.ts";

/** Every agent kind, by the key of a suite's `agents:` entry that selects it. */
export const AGENT_KINDS = [
  "scripted",
  "onnx",
  "openai",
  "anthropic",
  "recorded",
] as const satisfies readonly AgentSpec["kind"][];

/** An agent kind (`AGENT_KINDS` lists each; the registry's meta-test checks it lists them all). */
export type AgentKind = AgentSpec["kind"];

/** The built-in scripted policies (`scripted: <one of these>`). */
export const SCRIPTED_KINDS = [
  "oracle",
  "memorizer",
  "explorer",
  "random",
] as const satisfies readonly ScriptedKind[];

/** An endpoint kind's options schema (`openai:` or `anthropic:`). */
type EndpointSchema =
  | (typeof AGENT_SCHEMAS)["openai"]["properties"]["openai"]
  | (typeof AGENT_SCHEMAS)["anthropic"]["properties"]["anthropic"];

/** The defaults an endpoint kind's schema gives its options, in the order specs record them. */
function endpointDefaults(schema: EndpointSchema) {
  return {
    temperature: schemaDefault(schema, "temperature"),
    max_tokens: schemaDefault(schema, "max_tokens"),
    timeout_s: schemaDefault(schema, "timeout_s"),
    retries: schemaDefault(schema, "retries"),
    concurrency: schemaDefault(schema, "concurrency"),
  };
}

/** Files a model folder must hold (what its hash covers). */
export const MODEL_FILES = [
  "config.json",
  "generation_config.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "onnx/model.onnx",
] as const;

/** An `agents:` entry of kind `K` as written (after schema validation), derived from its schema. */
export type RawAgentOf<K extends AgentKind> = FromSchema<(typeof AGENT_SCHEMAS)[K]>;

/** An `agents:` entry as written (after schema validation): one kind's key, its options, `only`. */
export type RawAgent = RawAgentOf<AgentKind>;

/** What normalizing an entry needs: the suite's folder, and how to locate a problem. */
export interface AgentEntryContext {
  /** The suite file's folder (model folders are relative to it). */
  dir: string;
  /** A located problem at a JSON pointer of the suite. */
  at: (pointer: string, message: string, hint?: string) => SpecIssue;
}

/**
 * The kind of an `agents:` entry: the one kind key it holds (the schema allows only one), and
 * `scripted` when it holds none of the others.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { agentKindOf } from "./agent_kinds.ts";
 * assert.ok(agentKindOf({ onnx: "models/tiny-random" }) === "onnx");
 * assert.ok(agentKindOf({ scripted: "oracle" }) === "scripted");
 * ```
 */
export function agentKindOf(raw: object): AgentKind {
  const entry = raw as Record<string, unknown>;
  return AGENT_KINDS.find((k) => k !== "scripted" && entry[k] !== undefined) ?? "scripted";
}

/**
 * The YAML shape of each agent kind, read from spec/schema/suite.json: the `agents:` entry schema
 * is a chain of if/then/else, one `then` per kind key, the last `else` for scripted agents.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { agentSchemas } from "./agent_kinds.ts";
 * const s = agentSchemas();
 * assert.ok(Object.keys(s).sort().join() === "anthropic,onnx,openai,recorded,scripted");
 * ```
 */
export function agentSchemas(): Record<string, Record<string, unknown>> {
  type Branch = {
    if?: { required?: string[] };
    then?: Branch;
    else?: Branch;
    required?: string[];
  } & Record<string, unknown>;
  const out: Record<string, Record<string, unknown>> = {};
  let node = suiteSchema.properties.agents.additionalProperties as unknown as Branch | undefined;
  while (node) {
    if (node.if) {
      out[node.if.required![0]] = node.then!;
      node = node.else;
    } else {
      out[node.required![0]] = node;
      node = undefined;
    }
  }
  return out;
}

let branchesRead: typeof AGENT_SCHEMAS | undefined;
/**
 * Each kind's branch of the generated suite schema (what ajv validated the entry against), typed
 * as its source: where the normalizers read the options' defaults. Read when first needed, not on
 * import: `deno task schemas` imports this module to write that file.
 */
function branches(): typeof AGENT_SCHEMAS {
  return branchesRead ??= agentSchemas() as unknown as typeof AGENT_SCHEMAS;
}

/** How each kind's entry becomes its spec: one line per kind. */
const normalize: {
  [K in AgentKind]: (
    name: string,
    raw: RawAgentOf<K>,
    ctx: AgentEntryContext,
  ) => Promise<Extract<AgentSpec, { kind: K }> | SpecIssue> | Extract<AgentSpec, { kind: K }>;
} = {
  scripted: (name, { scripted, only, ...options }) => ({
    name,
    kind: "scripted",
    scripted: scripted as ScriptedKind,
    options,
    only,
  }),
  onnx: onnxAgentSpec,
  openai: (name, { openai, only }) => ({
    name,
    kind: "openai",
    openai: endpointOptions(openai, branches().openai.properties.openai),
    options: {},
    only,
  }),
  anthropic: (name, { anthropic, only }) => ({
    name,
    kind: "anthropic",
    anthropic: endpointOptions(
      // Where the Anthropic Messages API lives when the entry gives no base_url: its schema default.
      {
        base_url: schemaDefault(branches().anthropic.properties.anthropic, "base_url"),
        ...anthropic,
      },
      branches().anthropic.properties.anthropic,
    ),
    options: {},
    only,
  }),
  recorded: recordedAgentSpec,
};

/**
 * Normalize one `agents:` entry (already valid against the schema) by its kind; an ONNX agent's
 * folder must exist (its files are hashed), or the problem comes back instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { agentSpec } from "./agent_kinds.ts";
 * const at = (pointer: string, message: string) => ({ file: "s.yaml", line: 1, col: 1, pointer, message });
 * const a = await agentSpec("gpt", { openai: { base_url: "http://127.0.0.1:8000/v1/", model: "m" } }, { dir: ".", at });
 * assert.ok("kind" in a && a.kind === "openai" && a.openai.base_url.endsWith("/v1") && a.openai.cache);
 * ```
 */
export async function agentSpec(
  name: string,
  raw: RawAgent,
  ctx: AgentEntryContext,
): Promise<AgentSpec | SpecIssue> {
  // The kind picks the normalizer; the schema has checked the entry against that kind's branch.
  return await normalize[agentKindOf(raw)](name, raw as never, ctx);
}

/** An `openai:` / `anthropic:` entry as written, derived from its schema. */
type RawEndpoint = RawAgentOf<"openai">["openai"] | RawAgentOf<"anthropic">["anthropic"];

/** An endpoint entry with its schema's defaults filled in (the schema has checked the types). */
function endpointOptions(
  raw: RawEndpoint & { base_url: string },
  schema: EndpointSchema,
): EndpointOptions {
  const defaults = endpointDefaults(schema);
  const temperature = raw.temperature ?? defaults.temperature;
  return {
    ...defaults,
    ...raw,
    base_url: raw.base_url.replace(/\/+$/, ""),
    temperature,
    // A cached reply is only the same reply when sampling is deterministic.
    cache: raw.cache ?? temperature === 0,
  };
}

/** A `recorded:` entry: the file read (every line checked) and hashed. */
async function recordedAgentSpec(
  name: string,
  a: RawAgentOf<"recorded">,
  ctx: AgentEntryContext,
): Promise<RecordedAgentSpec | SpecIssue> {
  const { recorded, only } = a;
  const path = isAbsolute(recorded) ? recorded : join(ctx.dir, recorded);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch {
    return ctx.at(
      `/agents/${name}/recorded`,
      `recorded calls ${path} not found`,
      "the path is relative to the suite file",
    );
  }
  const episodes = readRecorded(new TextDecoder().decode(bytes), path);
  // Every bad line at once: the file is data, each line its own problem.
  if (Array.isArray(episodes)) throw new SpecError(episodes);
  return {
    name,
    kind: "recorded",
    recorded: { path, sha256: await sha256Hex(bytes) },
    episodes,
    options: {},
    only,
  };
}

/** An `onnx:` entry: the model folder found and hashed, decoding options with their defaults. */
async function onnxAgentSpec(
  name: string,
  a: RawAgentOf<"onnx">,
  ctx: AgentEntryContext,
): Promise<OnnxAgentSpec | SpecIssue> {
  const { onnx, only } = a;
  const path = isAbsolute(onnx) ? onnx : join(ctx.dir, onnx);
  const isDir = await Deno.stat(path).then((s) => s.isDirectory, () => false);
  if (!isDir) {
    return ctx.at(
      `/agents/${name}/onnx`,
      `model folder ${path} not found`,
      "the path is relative to the suite file; `deno task models` builds the built-in models",
    );
  }
  const missing: string[] = [];
  for (const f of MODEL_FILES) {
    try {
      await Deno.stat(join(path, f));
    } catch {
      missing.push(f);
    }
  }
  if (missing.length > 0) {
    return ctx.at(
      `/agents/${name}/onnx`,
      `model folder ${path} lacks ${missing.join(", ")}`,
      "point onnx: at a Hugging Face-style folder (config.json, generation_config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx); `deno task models` builds the built-in ones",
    );
  }
  const r = withDefaults(branches().onnx, a);
  return {
    name,
    kind: "onnx",
    onnx: {
      path,
      device: r.device,
      threads: r.threads,
      max_new_tokens: r.max_new_tokens,
      sampling: { temperature: r.temperature, top_k: r.top_k, top_p: r.top_p },
      batch: r.batch,
      stop: r.stop,
      grammar: r.grammar,
    },
    model_hash: await sha256Files(path, MODEL_FILES),
    options: {},
    only,
  };
}
