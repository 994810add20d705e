import { fail } from "../../tools/declarative.ts";
import { hash32 } from "../../core/mod.ts";
import type { Operator } from "../types.ts";
import { type TargetOptions, targets } from "./common.ts";

/** The faults a flaky service shows. */
export type FaultKind = "transient" | "timeout" | "rate_limit";

/** Options of `faults`. */
export interface FaultOptions {
  /** Probability that a call fails (default 0.1). */
  rate?: number;
  kinds?: FaultKind[];
  /** Only these tools (canonical names); default all. */
  tools?: string[];
  /** Seconds a rate-limit answer asks the caller to wait (default 2). */
  retry_after_s?: number;
}

/**
 * Calls fail now and then, as real services do: a transient error, a timeout, or a rate limit
 * with retry-after. A failed call is never applied, so retrying it is always safe. Which calls fail
 * is a pure function of (seed, call id, tool, arguments), so reruns and concurrency change nothing.
 */
export const faults: Operator = {
  name: "faults",
  schema: {
    type: ["object", "null"],
    additionalProperties: false,
    properties: {
      rate: {
        type: "number",
        minimum: 0,
        maximum: 1,
        description: "Probability that a call fails (a number from 0 to 1, default 0.1).",
      },
      kinds: {
        type: "array",
        minItems: 1,
        uniqueItems: true,
        items: {
          enum: ["transient", "timeout", "rate_limit"],
        },
        description: "Which faults happen (default all three).",
      },
      tools: {
        type: "array",
        minItems: 1,
        items: { type: "string", pattern: "^([a-z][a-z0-9_-]*/)?[A-Za-z0-9_.-]+$" },
        description: "Exactly these tools, by canonical name (tool or env/tool); overrides rate.",
      },
      retry_after_s: {
        type: "number",
        minimum: 0,
        description: "Seconds a rate-limit answer asks to wait (default 2).",
      },
    },
    description: "Calls fail now and then. Options: rate, kinds, tools, retry_after_s.",
  },
  doc: {
    options: "`rate` (0.1), `kinds` transient/timeout/rate_limit, `tools`, `retry_after_s` (2)",
    sees:
      'calls fail with `unavailable`: "503 Service Unavailable…", "The call timed out after 30 s and was not applied. Try again.", "429 Too Many Requests… Retry after 2 s." A failed call is never applied; which calls fail depends only on (seed, call id, tool, arguments)',
  },
  summary: "calls fail at `rate` with a transient error, a timeout or a rate limit (never applied)",
  examples: [{ rate: 0.3 }],
  apply(inner, options, ctx) {
    const o = options as FaultOptions;
    const rate = o.rate ?? 0.1;
    const kinds = o.kinds ?? ["transient", "timeout", "rate_limit"];
    const retry = o.retry_after_s ?? 2;
    const affected = new Set(targets(inner, { tools: o.tools } as TargetOptions, ctx));
    const salt = String(ctx.rng.int(2 ** 31));
    const message: Record<FaultKind, string> = {
      transient:
        "503 Service Unavailable: a temporary problem on the server; the call was not applied. Try again.",
      timeout: "The call timed out after 30 s and was not applied. Try again.",
      rate_limit:
        `429 Too Many Requests: rate limit exceeded; the call was not applied. Retry after ${retry} s.`,
    };
    return {
      tools: inner,
      hidden: [],
      changes: [...affected].map((tool) => ({
        tool,
        what: "faults",
        note: `rate ${rate}: ${kinds.join(", ")}`,
      })),
      step(state, call, next) {
        if (!affected.has(call.name) || rate <= 0) return next(state, call);
        const h = hash32(
          `${salt}\u241f${call.id}\u241f${call.name}\u241f${JSON.stringify(call.args)}`,
        );
        if (h / 4294967296 >= rate) return next(state, call);
        const kind = kinds[hash32(`${h}`) % kinds.length];
        const details = kind === "rate_limit"
          ? { fault: kind, retry_after_s: retry }
          : { fault: kind };
        return Promise.resolve({
          state,
          canonical: null,
          observation: fail("unavailable", message[kind], details),
        });
      },
      forward: (c) => c,
      backward: (c) => c,
    };
  },
};
