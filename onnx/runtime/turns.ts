/**
 * What a chat turn is, apart from running a model: which turn of a conversation it is, the
 * generator it samples from, and the error when a conversation outgrows the context. Kept free of
 * onnxruntime, so servers and tools can use them without loading it.
 * @module
 */
import type { Message } from "../../core/messages.ts";
import { createRng, deriveSeed, type Rng } from "../../core/rng.ts";

/** The conversation no longer fits the model's context. */
export class ContextFullError extends Error {
  constructor(readonly tokens: number, readonly context: number, name: string) {
    super(`the conversation is ${tokens} tokens; ${name}'s context is ${context}`);
  }
}

/**
 * Which turn of a conversation comes next: the number of assistant messages it already holds.
 * The in-process agent and the served endpoint both count this way, so a turn's call ids and
 * sampler seed follow from the messages alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { turnIndex } from "./turns.ts";
 * assert.ok(turnIndex([{ role: "user", content: "hi" }, { role: "assistant", content: "yo" }]) === 1);
 * ```
 */
export function turnIndex(messages: readonly Message[]): number {
  let n = 0;
  for (const m of messages) if (m.role === "assistant") n++;
  return n;
}

/**
 * The generator turn `turn` of a conversation seeded `seed` samples from. A function of the two
 * numbers only — not of what earlier turns drew — so a server that sees each turn as a separate
 * request with the same `seed` samples exactly as the in-process agent does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { turnRng } from "./turns.ts";
 * assert.ok(turnRng(7, 2).next() === turnRng(7, 2).next());
 * ```
 */
export function turnRng(seed: number, turn: number): Rng {
  return createRng(deriveSeed(seed, "turn", turn));
}
