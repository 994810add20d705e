import type { AgentSpec } from "../../spec/types.ts";
import type { Agent } from "../agent.ts";
import { explorerAgent } from "./explorer.ts";
import { anthropicAgent } from "./anthropic.ts";
import { conversing, questionFor } from "./converse.ts";
import { isEndpointAgent } from "./endpoint.ts";
import { openaiAgent } from "./openai.ts";
import { randomAgent } from "./random.ts";
import { replayAgent } from "./replay.ts";
import { agentKind, type OpenOptions } from "./registry.ts";

/**
 * Open any agent a suite entry names, through its kind's entry in the registry (registry.ts).
 * Model agents load here (onnxruntime is imported only when a suite has one); close them with
 * `agent.close()` when the run is over.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openAgent } from "./mod.ts";
 * const a = await openAgent({ name: "oracle", kind: "scripted", scripted: "oracle", options: {} });
 * assert.ok(a.name === "oracle");
 * ```
 */
export async function openAgent(spec: AgentSpec, opts: OpenOptions = {}): Promise<Agent> {
  return await agentKind(spec).open(spec, opts);
}

/** Open several agents; if one fails, the ones already open are closed before the error goes on. */
export async function openAgents(
  specs: readonly AgentSpec[],
  opts: OpenOptions = {},
): Promise<Map<string, Agent>> {
  const out = new Map<string, Agent>();
  try {
    for (const s of specs) out.set(s.name, await openAgent(s, opts));
  } catch (err) {
    await closeAgents(out);
    throw err;
  }
  return out;
}

/**
 * Make sure every endpoint agent among `agents` can reach its server, before any episode runs:
 * throws AgentSetupError (bad input) when one cannot; `note` gets what the user should know (an
 * unreachable endpoint whose cached replies will be replayed).
 */
export async function checkEndpoints(
  agents: Map<string, Agent>,
  note: (text: string) => void,
): Promise<void> {
  for (const a of agents.values()) {
    if (!isEndpointAgent(a)) continue;
    const said = await a.check();
    if (said) note(said);
  }
}

/** Close an agent if there is one and it holds something. */
export async function closeAgent(agent: Agent | undefined): Promise<void> {
  await agent?.close?.();
}

/** Close every agent that holds something. */
export async function closeAgents(agents: Map<string, Agent>): Promise<void> {
  await Promise.all([...agents.values()].map((a) => a.close?.()));
}

export {
  anthropicAgent,
  conversing,
  explorerAgent,
  openaiAgent,
  questionFor,
  randomAgent,
  replayAgent,
};
export { type EndpointAgent, type EndpointStats, isEndpointAgent } from "./endpoint.ts";
export {
  agentKind,
  type AgentKindEntry,
  agentKinds,
  type AgentRecord,
  agentRecord,
  type OpenOptions,
  recordedKind,
  type RecordLine,
  scriptedAgent,
  scriptedAgents,
  type SpecOf,
} from "./registry.ts";
