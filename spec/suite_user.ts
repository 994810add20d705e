/**
 * A suite's `user:` — the model agent that plays the simulated user of its conversational tasks:
 * an `agents:` entry named, or an agent entry written in place, normalized like `agents:` entries.
 * @module
 */
import { agentSpec, type RawAgent } from "./agent_kinds.ts";
import { closeNames, type SpecIssue } from "./errors.ts";
import type { AgentSpec, SuiteUser } from "./types.ts";

/** A suite's `user:` as written (after schema validation). */
export interface RawSuiteUser {
  /** An `agents:` entry's name, or an agent entry. */
  agent: string | RawAgent;
  /** Most user replies per episode. */
  max_turns?: number;
}

/** The name an agent written in place under `user:` goes by. */
export const INLINE_USER_NAME = "user";

/** Agent kinds that can play a user: those that write text from a prompt. */
const PLAYS_USER: readonly AgentSpec["kind"][] = ["onnx", "openai", "anthropic"];

/**
 * Normalize a suite's `user:`: the agent it names must be among `agents` (as written: `raw`); one
 * written in place is normalized as an `agents:` entry would be (its model folder found and
 * hashed), its problems located under `/user/agent`. Only model kinds can play a user: a
 * scripted policy or recorded calls cannot (the scripted user is what runs without `user:`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { suiteUser } from "./suite_user.ts";
 * const at = (pointer: string, message: string, hint?: string) => ({ file: "s.yaml", line: 1, col: 1, pointer, message, hint });
 * const u = await suiteUser({ agent: { openai: { base_url: "http://127.0.0.1:9/v1", model: "m" } }, max_turns: 4 }, { agents: [], raw: {}, dir: ".", at });
 * assert.ok(!Array.isArray(u) && u.agent.kind === "openai" && u.agent.name === "user" && u.maxTurns === 4);
 * const gpt = { openai: { base_url: "http://127.0.0.1:9/v1", model: "m" } };
 * const bad = await suiteUser({ agent: "gtp" }, { agents: [], raw: { gpt }, dir: ".", at });
 * assert.ok(Array.isArray(bad) && bad[0].hint === 'did you mean "gpt"?');
 * ```
 */
export async function suiteUser(
  raw: RawSuiteUser,
  ctx: {
    /** The suite's agents, normalized (those that normalized without problems). */
    agents: readonly AgentSpec[];
    /** The suite's `agents:` as written. */
    raw: Record<string, RawAgent>;
    /** The suite's folder. */
    dir: string;
    at: (pointer: string, message: string, hint?: string) => SpecIssue;
  },
): Promise<SuiteUser | SpecIssue[]> {
  const { at } = ctx;
  let agent: AgentSpec | undefined;
  if (typeof raw.agent === "string") {
    const name = raw.agent;
    if (!Object.hasOwn(ctx.raw, name)) {
      const close = closeNames(name, Object.keys(ctx.raw), 2);
      return [at(
        "/user/agent",
        `no agent "${name}" in agents:`,
        close.length
          ? `did you mean ${close.map((c) => `"${c}"`).join(" or ")}?`
          : `name one of ${
            Object.keys(ctx.raw).join(", ")
          }, or write the agent here, e.g. agent: { openai: { base_url: …, model: … } }`,
      )];
    }
    agent = ctx.agents.find((a) => a.name === name);
    // Its own entry's problems are reported there.
    if (!agent) return [];
  } else {
    if (raw.agent.only !== undefined) {
      return [at(
        "/user/agent/only",
        "only: does not apply to the user: it plays every conversational task the agents run",
        "remove only:",
      )];
    }
    const spec = await agentSpec(INLINE_USER_NAME, raw.agent, {
      dir: ctx.dir,
      at: (pointer, message, hint) =>
        at(pointer.replace(`/agents/${INLINE_USER_NAME}`, "/user/agent"), message, hint),
    });
    if ("message" in spec) return [spec];
    agent = spec;
  }
  if (!PLAYS_USER.includes(agent.kind)) {
    return [at(
      "/user/agent",
      `a ${agent.kind} agent cannot play the user: it does not write from a prompt`,
      "name an onnx:, openai: or anthropic: agent; the scripted user plays conversations when the suite has no user:",
    )];
  }
  return {
    agent,
    ...(typeof raw.agent === "string" ? { ref: raw.agent } : {}),
    ...(raw.max_turns !== undefined ? { maxTurns: raw.max_turns } : {}),
  };
}
