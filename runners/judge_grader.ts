import type { ProtocolSpec, TaskSpec } from "../spec/types.ts";
import type { Grader } from "../tasks/mod.ts";
import type { Agent } from "./agent.ts";
import { createRng } from "./rng.ts";

/** The protocol a judge's request is sent under (agents read only its phase). */
const JUDGING: ProtocolSpec = { name: "judge", kind: "direct", trialBudget: 0, maxTurns: 1 };

/**
 * The suite's judge agent as a {@linkcode Grader} for `judge:` checks: each request is a new
 * one-turn session with no tools, seeded with the episode's seed; the reply's text is the answer
 * (a reply of tool calls reads as that JSON, which the check then finds unreadable).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { say } from "../core/messages.ts";
 * import { judgeGrader } from "./judge_grader.ts";
 * const agent = { name: "judge", start: () => ({ act: () => Promise.resolve(say('{"met": true, "reason": "ok"}')) }) };
 * const g = judgeGrader(agent, { task: { id: "t" } as never });
 * assert.equal(await g.ask([{ role: "user", content: "?" }], { seed: 1 }), '{"met": true, "reason": "ok"}');
 * ```
 */
export function judgeGrader(agent: Agent, opts: { task: TaskSpec }): Grader {
  return {
    async ask(messages, { seed }) {
      const session = agent.start({
        task: opts.task,
        protocol: JUDGING,
        seed,
        rng: createRng(seed),
        variant: { name: "clean", toVisible: (c) => c },
      });
      const reply = await session.act(messages, [], { phase: "execute" });
      const unreadable = reply.tool_calls?.find((c) => c.function.name === "");
      // An endpoint's reply that could not be read at all (runners/agents/endpoint.ts).
      if (unreadable) throw new Error(unreadable.function.arguments);
      if (reply.tool_calls?.length) return JSON.stringify(reply.tool_calls);
      return reply.content ?? "";
    },
  };
}
