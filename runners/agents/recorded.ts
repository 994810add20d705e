import type { Agent, AgentSession } from "../agent.ts";
import { callTools, say } from "../../core/messages.ts";
import { recordedFor } from "../../spec/recorded.ts";
import type { RecordedAgentSpec } from "../../spec/types.ts";

/** What a recorded agent says when the file has nothing for a task. */
export const NOT_RECORDED = "(no recorded calls for this task)";

/**
 * An agent that plays back what an external model did on each task (a `recorded:` file): all of
 * a task's calls as one assistant turn, whatever the tools answer — the model that made them did
 * not see these answers — and then its answer. A task the file does not cover gets no calls and
 * {@linkcode NOT_RECORDED} as its answer. It tries nothing in a trial phase.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordedAgent } from "./recorded.ts";
 * const agent = recordedAgent({
 *   name: "ext", kind: "recorded", options: {},
 *   recorded: { path: "calls.jsonl", sha256: "" },
 *   episodes: { "library/lib-001": { calls: [{ name: "search_books", args: {} }], answer: "x", line: 1 } },
 * });
 * assert.equal(agent.name, "ext");
 * ```
 */
export function recordedAgent(spec: RecordedAgentSpec): Agent {
  return {
    name: spec.name,
    start(ctx): AgentSession {
      const episode = recordedFor(spec.episodes, ctx.task.env, ctx.task.id);
      let called = false;
      return {
        act(_messages, _tools, turn) {
          if (turn.phase === "trial") {
            return Promise.resolve(say("No trials: these calls were recorded."));
          }
          if (!episode) return Promise.resolve(say(NOT_RECORDED));
          if (!called && episode.calls.length > 0) {
            called = true;
            return Promise.resolve(callTools(episode.calls, `${spec.name}_0`));
          }
          return Promise.resolve(say(episode.answer ?? ""));
        },
      };
    },
  };
}
