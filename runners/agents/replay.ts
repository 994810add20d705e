import type { Agent, AgentSession } from "../agent.ts";
import { callTools, say } from "../../core/messages.ts";
import { floatJson } from "../../core/float_json.ts";
import { GIVE_UP, latestResults, MAX_RETRIES, transient } from "./common.ts";

/**
 * An agent that replays known calls one per turn and never explores. `oracle` and `memorizer`
 * differ only in what they know: the oracle maps the gold calls through the variant's mapping
 * (`knowsVariant`), the memorizer replays canonical names verbatim. Both retry a call that failed
 * with a transient fault (timeout, rate limit), as any client of a real service would.
 */
export function replayAgent(name: string, opts: { knowsVariant?: boolean } = {}): Agent {
  return {
    name,
    start(ctx): AgentSession {
      const calls = ctx.task.gold.map((c) => (opts.knowsVariant ? ctx.variant.toVisible(c) : c));
      let next = 0;
      let retries = 0;
      let failed = false;
      let seq = 0;
      return {
        act(messages, tools, turn) {
          if (turn.phase === "trial") {
            return Promise.resolve(
              say("No trials needed: I already know how to call these tools."),
            );
          }
          const results = latestResults(messages);
          if (results.length > 0 && transient(results[0]) && retries < MAX_RETRIES) {
            retries++;
            next--;
          } else {
            if (results.some((r) => !r.ok)) failed = true;
            retries = 0;
          }
          if (!failed && next < calls.length) {
            const c = calls[next++];
            // Floats spelled as floats where the schema says number, as a model reading it would.
            const schema = tools.find((t) => t.name === c.tool)?.parameters;
            const text = floatJson(c.args, schema);
            return Promise.resolve(
              callTools([{ name: c.tool, args: c.args, text }], `${name}_${seq++}`),
            );
          }
          return Promise.resolve(say(failed ? GIVE_UP : ctx.task.answer));
        },
      };
    },
  };
}
