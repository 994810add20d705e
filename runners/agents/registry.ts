/**
 * The agent kinds, one entry each: how a suite entry of that kind is written (its branch of
 * spec/schema/suite.json and a minimal example), how it opens as an {@linkcode Agent}, what a report
 * records about it and how it reads in one line. Running, recording and describing agents go
 * through here; the suite loader's side of each kind is spec/agent_kinds.ts (the spec layer cannot
 * import runners), and registry_test.ts checks that both and the schema name the same kinds.
 *
 * Adding a kind: its spec type (spec/types.ts `AgentSpec`), its key and normalizer
 * (spec/agent_kinds.ts), its branch in spec/schema/suite.json, its agent (a file here) and one
 * entry below.
 * @module
 */
import { type AgentKind, agentSchemas } from "../../spec/agent_kinds.ts";
import type { AgentSpec, ScriptedAgentSpec, ScriptedKind } from "../../spec/types.ts";
import type { Agent } from "../agent.ts";
import { anthropicAgent } from "./anthropic.ts";
import { conversing } from "./converse.ts";
import type { EndpointRunOptions } from "./endpoint.ts";
import { explorerAgent } from "./explorer.ts";
import { openaiAgent } from "./openai.ts";
import { randomAgent } from "./random.ts";
import { recordedAgent } from "./recorded.ts";
import { replayAgent } from "./replay.ts";

/** How a run opens its agents. */
export interface OpenOptions {
  /** Where endpoint agents keep their response cache, and whether they replay from it. */
  endpoints?: EndpointRunOptions;
}

/** What a report's provenance records about an agent's kind: the kind's key and its settings. */
export interface AgentRecord {
  /** A scripted agent: which policy. */
  scripted?: string;
  /** An ONNX agent: the model folder, how it decoded, and the model files' hash. */
  onnx?: Record<string, unknown> & { path: string; model_hash: string };
  /** An OpenAI-compatible endpoint and how it was sampled. */
  openai?: Record<string, unknown> & { base_url: string; model: string };
  /** An Anthropic Messages API endpoint and how it was sampled. */
  anthropic?: Record<string, unknown> & { base_url: string; model: string };
  /** A file of recorded calls and its hash. */
  recorded?: { path: string; sha256: string };
}

/** One line about a recorded agent: plain text, and the hash of its model files when local. */
export interface RecordLine {
  /** E.g. `scripted oracle`, `onnx models/tiny-random`, `openai qwen @ http://…/v1`. */
  text: string;
  /** SHA-256 of the model files, for a model that ran in process. */
  sha256?: string;
}

/** The spec of one agent kind. */
export type SpecOf<K extends AgentKind> = Extract<AgentSpec, { kind: K }>;

/** One agent kind: everything past the suite loader that depends on which kind an agent is. */
export interface AgentKindEntry<K extends AgentKind = AgentKind> {
  /** The kind: `AgentSpec["kind"]`, and the key that selects it in a suite's `agents:` entry. */
  kind: K;
  /** Its YAML shape: its branch of the `agents:` entry schema in spec/schema/suite.json. */
  schema: Record<string, unknown>;
  /** A minimal `agents:` entry of this kind as YAML reads it (paths relative to the repository). */
  example: Record<string, unknown>;
  /** Open the agent (model agents load here; close them with `agent.close()`). */
  open(spec: SpecOf<K>, opts: OpenOptions): Agent | Promise<Agent>;
  /** What the report's provenance records about it, besides its name, options and `only`. */
  provenance(spec: SpecOf<K>): AgentRecord;
  /** One line for people (`tooltrial list`). */
  describe(spec: SpecOf<K>): string;
  /** One line for people about a recorded agent (the HTML report's provenance). */
  recorded(record: AgentRecord, name: string): RecordLine;
}

/**
 * Registry of scripted reference agents: adding one is a file plus a line here (and its name in
 * spec/agent_kinds.ts and the schema). Those that know the task's intent talk with a simulated
 * user the same way (`conversing`).
 */
export const scriptedAgents: Record<ScriptedKind, (spec: ScriptedAgentSpec) => Agent> = {
  oracle: (s) => conversing(replayAgent(s.name, { knowsVariant: true })),
  memorizer: (s) => conversing(replayAgent(s.name)),
  explorer: (s) => conversing(explorerAgent(s.name, { probe: s.options.probe === true })),
  random: (s) =>
    randomAgent(s.name, { maxCalls: s.options.max_random_calls as number | undefined }),
};

/**
 * Build the scripted agent a suite entry names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scriptedAgent } from "./registry.ts";
 * const a = scriptedAgent({ name: "o", kind: "scripted", scripted: "oracle", options: {} });
 * assert.ok(a.name === "o");
 * ```
 */
export function scriptedAgent(spec: ScriptedAgentSpec): Agent {
  return scriptedAgents[spec.scripted](spec);
}

const schemas = agentSchemas();

/** `<kind> <model> @ <base_url>`, for an endpoint agent. */
const endpointLine = (kind: string, o: { model: unknown; base_url: unknown }) =>
  `${kind} ${o.model} @ ${o.base_url}`;

/** Every agent kind, by kind. */
export const agentKinds: { readonly [K in AgentKind]: AgentKindEntry<K> } = {
  scripted: {
    kind: "scripted",
    schema: schemas.scripted,
    example: { scripted: "oracle" },
    open: (spec) => scriptedAgent(spec),
    provenance: (spec) => ({ scripted: spec.scripted }),
    describe: (spec) => spec.scripted,
    recorded: (r, name) => ({
      text: r.scripted === name ? "scripted" : `scripted ${r.scripted ?? ""}`,
    }),
  },
  onnx: {
    kind: "onnx",
    schema: schemas.onnx,
    example: { onnx: "models/tiny-random", device: ["cpu"] },
    // onnxruntime loads only when a suite has a model agent.
    open: async (spec) => {
      const { openOnnxAgent } = await import("./onnx.ts");
      return await openOnnxAgent(spec.name, spec.onnx);
    },
    provenance: (spec) => ({ onnx: { ...spec.onnx, model_hash: spec.model_hash } }),
    describe: (spec) => `onnx ${spec.onnx.path}`,
    recorded: (r) => ({ text: `onnx ${r.onnx?.path}`, sha256: r.onnx?.model_hash ?? "" }),
  },
  openai: {
    kind: "openai",
    schema: schemas.openai,
    example: { openai: { base_url: "http://127.0.0.1:8000/v1", model: "stand-in" } },
    open: (spec, opts) => openaiAgent(spec, opts.endpoints),
    provenance: (spec) => ({ openai: { ...spec.openai } }),
    describe: (spec) => endpointLine("openai", spec.openai),
    recorded: (r) => ({ text: endpointLine("openai", r.openai!) }),
  },
  anthropic: {
    kind: "anthropic",
    schema: schemas.anthropic,
    example: { anthropic: { base_url: "http://127.0.0.1:8000/v1", model: "stand-in" } },
    open: (spec, opts) => anthropicAgent(spec, opts.endpoints),
    provenance: (spec) => ({ anthropic: { ...spec.anthropic } }),
    describe: (spec) => endpointLine("anthropic", spec.anthropic),
    recorded: (r) => ({ text: endpointLine("anthropic", r.anthropic!) }),
  },
  recorded: {
    kind: "recorded",
    schema: schemas.recorded,
    example: { recorded: "testdata/recorded/calls.jsonl" },
    open: (spec) => recordedAgent(spec),
    provenance: (spec) => ({ recorded: { ...spec.recorded } }),
    describe: (spec) => `recorded ${spec.recorded.path}`,
    recorded: (r) => ({ text: `recorded ${r.recorded?.path}`, sha256: r.recorded?.sha256 ?? "" }),
  },
};

/**
 * The registry entry of an agent's kind.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { agentKind } from "./registry.ts";
 * const spec = { name: "o", kind: "scripted", scripted: "oracle", options: {} } as const;
 * assert.ok(agentKind(spec).describe(spec) === "oracle");
 * ```
 */
export function agentKind(spec: AgentSpec): AgentKindEntry {
  // Each entry takes its own kind's spec; the table is keyed so that `spec` fits its entry.
  return agentKinds[spec.kind] as AgentKindEntry;
}

/**
 * The registry entry of a recorded agent: the kind whose key the record holds (scripted when none
 * does, as reports before the other kinds recorded only `scripted`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordedKind } from "./registry.ts";
 * const rec = { onnx: { path: "models/tiny-random", model_hash: "ab12" } };
 * assert.ok(recordedKind(rec).recorded(rec, "tiny").text === "onnx models/tiny-random");
 * ```
 */
export function recordedKind(record: AgentRecord): AgentKindEntry {
  const kind = (Object.keys(agentKinds) as AgentKind[]).find((k) =>
    k !== "scripted" && record[k] !== undefined
  );
  return agentKinds[kind ?? "scripted"] as AgentKindEntry;
}

/**
 * What a report records about an agent: its name, its kind's settings, its options and `only`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { agentRecord } from "./registry.ts";
 * const r = agentRecord({ name: "o", kind: "scripted", scripted: "oracle", options: {} });
 * assert.ok(r.scripted === "oracle" && r.name === "o");
 * ```
 */
export function agentRecord(spec: AgentSpec): AgentRecord & {
  name: string;
  options: Record<string, unknown>;
  only?: SpecOf<AgentKind>["only"];
} {
  return {
    name: spec.name,
    ...agentKind(spec).provenance(spec),
    options: spec.options,
    ...(spec.only ? { only: spec.only } : {}),
  };
}
