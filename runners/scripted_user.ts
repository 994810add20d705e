import type { UserSpec } from "../spec/types.ts";

/** Where a simulated user's reply came from, as the episode log records it. */
export interface UserTurn {
  /**
   * `turns`: the next scripted turn; `known_info`: facts the agent asked for; `stop`: the end;
   * `model`: a model agent playing the user (a suite's `user:`) wrote it.
   */
  source: "turns" | "known_info" | "stop" | "model";
  /** Which scripted turn (0-based), for `turns`. */
  index?: number;
  /** Which `known_info` keys were told, for `known_info`. */
  keys?: string[];
  /** The stop token a model user's reply held (`###STOP###`, …), which ended the conversation. */
  stop?: string;
}

/** One reply of the simulated user. */
export interface UserReply extends UserTurn {
  /** What the user says. */
  content: string;
}

/** Lowercase words of a key or a message: `task_title`, `taskTitle`, `task title` → task, title. */
export function wordsOf(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/** A word without a plural `s`, so that `titles` and `title` match. */
const stem = (w: string) => w.length > 3 ? w.replace(/s$/, "") : w;

/**
 * A scripted user (deterministic, no model), for a task with `user:`. To each plain-text message
 * of the agent it answers, in this order: the next of its `turns`; else the values of its
 * `known_info` whose key words all appear among the message's words (case-insensitive, whole
 * words, a plural `s` ignored), each told at most once; else its `stop` message, which ends the
 * conversation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ScriptedUser } from "./scripted_user.ts";
 * const user = new ScriptedUser({
 *   known_info: { task_title: "Call the dentist" },
 *   turns: ["Please remove one of my tasks."],
 *   stop: "###STOP###",
 * });
 * assert.ok(user.reply("Hello! How can I help?").source === "turns");
 * assert.ok(user.reply("What is the task's title?").content === "Call the dentist");
 * assert.ok(user.reply("What was the task title again?").content === "###STOP###"); // told once
 * ```
 */
export class ScriptedUser {
  readonly #spec: UserSpec;
  #next = 0;
  readonly #told = new Set<string>();

  /** A user following `spec` from the start of its script. */
  constructor(spec: UserSpec) {
    this.#spec = spec;
  }

  /** The user's answer to the agent's plain-text message `said`. */
  reply(said: string): UserReply {
    const s = this.#spec;
    if (this.#next < s.turns.length) {
      const index = this.#next++;
      return { source: "turns", index, content: s.turns[index] };
    }
    const heard = new Set(wordsOf(said).map(stem));
    const keys = Object.keys(s.known_info).filter((k) =>
      !this.#told.has(k) && wordsOf(k).every((w) => heard.has(stem(w)))
    );
    if (keys.length === 0) return { source: "stop", content: s.stop };
    for (const k of keys) this.#told.add(k);
    const content = keys.length === 1
      ? s.known_info[keys[0]]
      : keys.map((k) => `${wordsOf(k).join(" ")}: ${s.known_info[k]}`).join("\n");
    return { source: "known_info", keys, content };
  }
}
