/**
 * report.json's `$defs.variant` (a variant as it was applied: its operators, what each changed, and
 * the tools the agent saw), apart from report.schema.ts to keep that file short.
 * @module
 */

/** The schema of one applied variant in report.json's `variants`. */
export const VARIANT_DEF = {
  type: "object",
  additionalProperties: false,
  required: ["env", "variant", "seed", "ops", "tools"],
  properties: {
    env: { type: "string" },
    variant: { type: "string" },
    seed: { type: "integer" },
    ops: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["op", "options", "changes"],
        properties: {
          op: { type: "string" },
          options: { type: "object" },
          changes: {
            type: "array",
            items: {
              type: "object",
              required: ["tool", "what"],
              additionalProperties: false,
              properties: {
                tool: { type: "string" },
                what: { type: "string" },
                from: { type: "string" },
                to: { type: "string" },
                note: { type: "string" },
              },
            },
          },
        },
      },
    },
    tools: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "canonical", "params", "added", "scaled", "described"],
        properties: {
          name: { type: "string" },
          canonical: {
            type: ["string", "null"],
          },
          params: {
            type: "object",
            additionalProperties: { type: "string" },
          },
          added: {
            type: "array",
            items: { type: "string" },
          },
          scaled: {
            type: "object",
            additionalProperties: { type: "number" },
          },
          described: { type: "boolean" },
        },
      },
    },
  },
} as const;
