import type { UserSpec } from "../../spec/types.ts";
import type { Agent, AgentSession } from "../agent.ts";
import { type AssistantMessage, say } from "../../core/messages.ts";
import { wordsOf } from "../scripted_user.ts";

/**
 * What a scripted agent asks first in a conversation whose user holds facts (`known_info`): one
 * question naming every fact by its key's words. Undefined when the user holds none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { questionFor } from "./converse.ts";
 * const q = questionFor({ known_info: { task_title: "Milk", due: "Friday" }, turns: [], stop: "###STOP###" });
 * assert.ok(q === "Before I start, could you tell me the task title and the due?");
 * ```
 */
export function questionFor(user: UserSpec): string | undefined {
  const keys = Object.keys(user.known_info);
  if (keys.length === 0) return undefined;
  return `Before I start, could you tell me the ${
    keys.map((k) => wordsOf(k).join(" ")).join(" and the ")
  }?`;
}

/**
 * A scripted agent's side of a conversation with a simulated user (tasks with `user:`), around
 * its own policy: in the execution phase it first asks for the facts the user holds, then lets
 * the policy work (its calls, then its final answer), and says that answer again to whatever
 * the user adds, until the user stops. Other tasks, and the trial phase, go to the policy as is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { conversing } from "./converse.ts";
 * import { replayAgent } from "./replay.ts";
 * assert.ok(conversing(replayAgent("oracle")).name === "oracle");
 * ```
 */
export function conversing(agent: Agent): Agent {
  return {
    ...agent,
    start(ctx): AgentSession {
      const inner = agent.start(ctx);
      const user = ctx.task.user;
      if (!user) return inner;
      let question = questionFor(user);
      let final: AssistantMessage | undefined;
      return {
        async act(messages, tools, turn) {
          if (turn.phase === "trial") return await inner.act(messages, tools, turn);
          if (question !== undefined) {
            const q = question;
            question = undefined;
            return say(q);
          }
          if (final) return say(final.content ?? "");
          const reply = await inner.act(messages, tools, turn);
          if (!reply.tool_calls?.length) final = reply;
          return reply;
        },
      };
    },
  };
}
