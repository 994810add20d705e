import type { AgentSpec } from "../../spec/types.ts";
import type { Agent } from "../agent.ts";
import { explorerAgent } from "./explorer.ts";
import { randomAgent } from "./random.ts";
import { replayAgent } from "./replay.ts";

/** Registry of scripted reference agents: adding one is a file plus a line here. */
export const scriptedAgents: Record<AgentSpec["scripted"], (spec: AgentSpec) => Agent> = {
  oracle: (s) => replayAgent(s.name, { knowsVariant: true }),
  memorizer: (s) => replayAgent(s.name),
  explorer: (s) => explorerAgent(s.name),
  random: (s) =>
    randomAgent(s.name, { maxCalls: s.options.max_random_calls as number | undefined }),
};

/** Build the agent a suite entry names. */
export function scriptedAgent(spec: AgentSpec): Agent {
  return scriptedAgents[spec.scripted](spec);
}

export { explorerAgent, randomAgent, replayAgent };
