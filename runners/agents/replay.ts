import type { Call } from "../../spec/types.ts";
import type { Agent, AgentSession } from "../agent.ts";
import { callTools, say } from "../messages.ts";
import { GIVE_UP, latestResults } from "./common.ts";

/**
 * An agent that replays known calls one per turn and never explores. `oracle` and `memorizer`
 * differ only in what they know: the oracle maps gold calls through the variant's renaming
 * (`translate`), the memorizer replays canonical names verbatim.
 */
export function replayAgent(name: string, opts: { translate?: (c: Call) => Call } = {}): Agent {
  return {
    name,
    start(ctx): AgentSession {
      const calls = ctx.task.gold.map((c) => (opts.translate ? opts.translate(c) : c));
      let next = 0;
      let failed = false;
      return {
        act(messages, _tools, turn) {
          if (turn.phase === "trial") {
            return Promise.resolve(
              say("No trials needed: I already know how to call these tools."),
            );
          }
          if (latestResults(messages).some((r) => !r.ok)) failed = true;
          if (next < calls.length) {
            const c = calls[next];
            return Promise.resolve(
              callTools([{ name: c.tool, args: c.args }], `${name}_${next++}`),
            );
          }
          return Promise.resolve(say(failed ? GIVE_UP : ctx.task.answer));
        },
      };
    },
  };
}
