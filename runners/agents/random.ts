import type { JsonSchema } from "../../spec/types.ts";
import type { Agent, AgentSession } from "../agent.ts";
import { callTools, say } from "../../core/messages.ts";
import type { Rng } from "../rng.ts";
import { latestResults } from "./common.ts";

/**
 * A value that satisfies a (simple) JSON Schema, drawn with `rng`. Strings come from `words`
 * so random calls sometimes hit real ids.
 */
export function randomValue(
  schema: JsonSchema,
  rng: Rng,
  words: readonly string[],
  depth = 0,
): unknown {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return rng.pick(schema.enum);
  if ("const" in schema) return schema.const;
  const type = Array.isArray(schema.type) ? rng.pick(schema.type as string[]) : schema.type;
  switch (type) {
    case "integer": {
      const lo = typeof schema.minimum === "number" ? Math.ceil(schema.minimum) : 0;
      const hi = typeof schema.maximum === "number" ? Math.floor(schema.maximum) : lo + 100;
      return lo + rng.int(Math.max(1, hi - lo + 1));
    }
    case "number": {
      const lo = typeof schema.minimum === "number" ? schema.minimum : 0;
      const hi = typeof schema.maximum === "number" ? schema.maximum : lo + 100;
      return Math.round((lo + rng.next() * (hi - lo)) * 100) / 100;
    }
    case "boolean":
      return rng.next() < 0.5;
    case "array": {
      if (depth > 2) return [];
      const items = (schema.items ?? {}) as JsonSchema;
      const min = typeof schema.minItems === "number" ? schema.minItems : 0;
      const n = min + rng.int(3);
      return Array.from({ length: n }, () => randomValue(items, rng, words, depth + 1));
    }
    case "object": {
      if (depth > 2) return {};
      const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((schema.required ?? []) as string[]);
      const out: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(props)) {
        if (required.has(k) || rng.next() < 0.3) out[k] = randomValue(s, rng, words, depth + 1);
      }
      return out;
    }
    case "null":
      return null;
    default:
      return words.length > 0 ? rng.pick(words) : "x";
  }
}

/** Calls random tools with schema-valid random arguments, then answers with a random word it saw. */
export function randomAgent(name = "random", opts: { maxCalls?: number } = {}): Agent {
  const maxCalls = opts.maxCalls ?? 3;
  return {
    name,
    start(ctx): AgentSession {
      const { rng } = ctx;
      const words = ctx.task.query.split(/[^\p{L}\p{N}_-]+/u).filter((w) => w.length > 1);
      let made = 0;
      let phase = "";
      return {
        act(messages, tools, turn) {
          if (turn.phase !== phase) phase = turn.phase, made = 0;
          for (const r of latestResults(messages)) {
            const seen = JSON.stringify(r.value).match(/[\p{L}\p{N}_-]{2,}/gu) ?? [];
            for (const w of seen.slice(0, 20)) words.push(w);
          }
          const limit = turn.phase === "trial" ? Math.min(maxCalls, turn.callsLeft ?? 0) : maxCalls;
          if (made < limit && tools.length > 0 && rng.next() < 0.85) {
            made++;
            const tool = rng.pick(tools);
            const args = randomValue(tool.parameters, rng, words) as Record<string, unknown>;
            return Promise.resolve(callTools([{ name: tool.name, args }], `random_${made}`));
          }
          return Promise.resolve(say(words.length > 0 ? rng.pick(words) : "I don't know."));
        },
      };
    },
  };
}
