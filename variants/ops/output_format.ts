import { type OutputFormat, renderResult } from "../formats.ts";
import type { Change, Operator } from "../types.ts";
import { TARGET_PROPERTIES, type TargetOptions, targets } from "./common.ts";

/** Options of `output_format`. */
export interface FormatOptions extends TargetOptions {
  format: OutputFormat;
}

/** Results come back as CSV, `key: value` text, or compact JSON instead of the tool's JSON. */
export const outputFormat: Operator = {
  name: "output_format",
  schema: {
    type: "object",
    additionalProperties: false,
    properties: {
      ...TARGET_PROPERTIES,
      format: {
        enum: ["json", "csv", "text"],
        description: "How results are written: json, csv or text (key: value lines).",
      },
    },
    required: ["format"],
    description: "Re-render results. Options: format (required), rate, tools.",
  },
  doc: {
    options: "`format` json/csv/text (required), `rate`, `tools`",
    sees:
      "results as CSV (records become rows) or `key: value` text (`book_id: B1001↵title: The Lighthouse at Carrow Point…`) instead of JSON",
  },
  summary: "results come back as csv, key: value text, or json",
  examples: [{ format: "csv" }, { format: "text" }],
  apply(inner, options, ctx) {
    const o = options as unknown as FormatOptions;
    const affected = new Set(targets(inner, o, ctx));
    const changes: Change[] = [...affected].map((tool) => ({
      tool,
      what: "output format",
      to: o.format,
    }));
    return {
      tools: inner,
      hidden: [],
      changes,
      async step(state, call, next) {
        const r = await next(state, call);
        if (!r.observation.ok || !affected.has(call.name)) return r;
        return {
          ...r,
          observation: { ok: true, result: renderResult(r.observation.result, o.format) },
        };
      },
      forward: (c) => c,
      backward: (c) => c,
    };
  },
};
