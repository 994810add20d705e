// Agents that tests script by hand.
import type { Agent } from "../runners/agent.ts";
import { callTools, say } from "../core/messages.ts";

/** An agent that makes these calls, one per turn, then answers "Done.". */
export function calling(calls: { name: string; args: Record<string, unknown> }[]): Agent {
  return {
    name: "fixed",
    start: () => {
      let i = 0;
      return {
        act: () =>
          Promise.resolve(i < calls.length ? callTools([calls[i]], `c${i++}`) : say("Done.")),
      };
    },
  };
}
