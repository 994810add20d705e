/**
 * The one source of spec/schema/variants.json (`deno task schemas` writes it): the operator names
 * and each operator's options come from the operator registry (variants/ops/), passed in.
 * @module
 */

/** The registry variants.json takes its operators from (it lives above the spec layer). */
export interface VariantsSchemaNames {
  /** Every operator: its name and the JSON Schema of its options. */
  operators: readonly { name: string; schema: Readonly<Record<string, unknown>> }[];
}

/**
 * The JSON Schema of a `variants:` map (suites and envs refer to its `$defs`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { variantsSchema } from "./variants.schema.ts";
 * const s = variantsSchema({ operators: [{ name: "noop", schema: { type: "null" } }] });
 * assert.deepEqual(s.$defs.operator.then.enum, ["noop"]);
 * ```
 */
export function variantsSchema(names: VariantsSchemaNames) {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://tooltrial.dev/schema/v1/variants.json",
    title: "tooltrial variants (spec v1)",
    description:
      "Named lists of perturbation operators, applied in order around an environment's tools.",
    $defs: {
      variants: {
        type: "object",
        description:
          "Variant name → list of operators. `clean` (no operators) always runs and cannot be redefined.",
        propertyNames: {
          pattern: "^[a-z][a-z0-9_-]*$",
          not: { const: "clean" },
        },
        additionalProperties: { $ref: "#/$defs/variant" },
      },
      variant: {
        type: "array",
        description: "Operators in order, each `- name: {options}` or just `- name`.",
        items: { $ref: "#/$defs/operator" },
      },
      operator: {
        type: ["string", "object"],
        description:
          "One operator per list item, e.g. `- rename_tools: {level: slight}` or `- reorder_params`.",
        if: { type: "string" },
        then: {
          enum: names.operators.map((o) => o.name),
          description: `An operator name: ${names.operators.map((o) => o.name).join(", ")}.`,
        },
        else: {
          minProperties: 1,
          maxProperties: 1,
          description: "One operator per list item, e.g. `- rename_tools: {level: slight}`.",
          additionalProperties: false,
          properties: Object.fromEntries(names.operators.map((o) => [o.name, o.schema])),
        },
      },
    },
  } as const;
}
