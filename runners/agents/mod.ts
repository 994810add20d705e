import type { AgentSpec, ScriptedAgentSpec, ScriptedKind } from "../../spec/types.ts";
import type { Agent } from "../agent.ts";
import { explorerAgent } from "./explorer.ts";
import { anthropicAgent } from "./anthropic.ts";
import { conversing, questionFor } from "./converse.ts";
import { type EndpointRunOptions, isEndpointAgent } from "./endpoint.ts";
import { openaiAgent } from "./openai.ts";
import { randomAgent } from "./random.ts";
import { replayAgent } from "./replay.ts";

/**
 * Registry of scripted reference agents: adding one is a file plus a line here. Those that know
 * the task's intent talk with a simulated user the same way (`conversing`).
 */
export const scriptedAgents: Record<ScriptedKind, (spec: ScriptedAgentSpec) => Agent> = {
  oracle: (s) => conversing(replayAgent(s.name, { knowsVariant: true })),
  memorizer: (s) => conversing(replayAgent(s.name)),
  explorer: (s) => conversing(explorerAgent(s.name, { probe: s.options.probe === true })),
  random: (s) =>
    randomAgent(s.name, { maxCalls: s.options.max_random_calls as number | undefined }),
};

/** Build the scripted agent a suite entry names. */
export function scriptedAgent(spec: ScriptedAgentSpec): Agent {
  return scriptedAgents[spec.scripted](spec);
}

/**
 * Open any agent a suite entry names. Model agents load here (onnxruntime is imported only when a
 * suite has one); close them with `agent.close()` when the run is over.
 *
 * @example
 * ```ts
 * import { openAgent } from "./mod.ts";
 * const a = await openAgent({ name: "oracle", kind: "scripted", scripted: "oracle", options: {} });
 * console.assert(a.name === "oracle");
 * ```
 */
export async function openAgent(spec: AgentSpec, opts: OpenOptions = {}): Promise<Agent> {
  if (spec.kind === "scripted") return scriptedAgent(spec);
  if (spec.kind === "openai") return openaiAgent(spec, opts.endpoints);
  if (spec.kind === "anthropic") return anthropicAgent(spec, opts.endpoints);
  const { openOnnxAgent } = await import("./onnx.ts");
  return await openOnnxAgent(spec.name, spec.onnx);
}

/** How a run opens its agents. */
export interface OpenOptions {
  /** Where endpoint agents keep their response cache, and whether they replay from it. */
  endpoints?: EndpointRunOptions;
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
