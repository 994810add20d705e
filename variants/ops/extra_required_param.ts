import type { JsonSchema } from "../../spec/types.ts";
import { invalidArguments } from "../../tools/declarative.ts";
import type { ToolDef } from "../../tools/types.ts";
import type { Rng } from "../../core/mod.ts";
import { randomLetters } from "../names.ts";
import type { Change, Operator } from "../types.ts";
import {
  paramNames,
  TARGET_PROPERTIES,
  type TargetOptions,
  targets,
  toolsByName,
} from "./common.ts";

/** A parameter an API starts to require: its schema and the value a correct call sends. */
export interface ExtraParam {
  name: string;
  schema: JsonSchema;
  value: unknown;
}

/** The parameters new API versions typically start requiring. */
export const EXTRA_PARAMS: readonly ExtraParam[] = [
  {
    name: "api_version",
    schema: {
      type: "string",
      enum: ["2026-01-01"],
      description:
        'API version of the request. Required; the only supported value is "2026-01-01".',
    },
    value: "2026-01-01",
  },
  {
    name: "confirm",
    schema: {
      type: "boolean",
      const: true,
      description: "Must be true: confirms the request is intended.",
    },
    value: true,
  },
  {
    name: "locale",
    schema: {
      type: "string",
      enum: ["en-US"],
      description: 'Response locale. Required; use "en-US".',
    },
    value: "en-US",
  },
  {
    name: "client_id",
    schema: {
      type: "string",
      const: "tooltrial-agent",
      description: 'Identifies the calling application. Required; always "tooltrial-agent".',
    },
    value: "tooltrial-agent",
  },
];

/** Options of `extra_required_param`. */
export interface ExtraOptions extends TargetOptions {
  /** Use this one of the built-in parameters (api_version, confirm, locale, client_id) instead of drawing. */
  param?: string;
  /** `rotbench`: RoTBench's heavy noise instead — a random name asking to be set to random letters. */
  style?: "rotbench";
}

/**
 * RoTBench's added parameter (its transformer.py, heavy level): 1–5 random letters, a string the
 * description asks to set to 1–3 random letters.
 */
function rotbenchParam(existing: ReadonlySet<string>, rng: Rng): ExtraParam {
  let name = randomLetters(rng, 5);
  while (existing.has(name)) name = randomLetters(rng, 5);
  const value = randomLetters(rng, 3);
  return {
    name,
    schema: {
      type: "string",
      description: `Whenever you use this parameter, please set it as "${value}".`,
    },
    value,
  };
}

/**
 * Chosen tools gain a required parameter (documented in its schema); a call without it, or with a
 * wrong value, is rejected like any schema violation. The environment never sees it.
 */
export const extraRequiredParam: Operator = {
  name: "extra_required_param",
  schema: {
    type: ["object", "null"],
    additionalProperties: false,
    properties: {
      ...TARGET_PROPERTIES,
      param: {
        enum: ["api_version", "confirm", "locale", "client_id"],
        description: "Add this parameter instead of drawing one.",
      },
      style: {
        enum: ["rotbench"],
        description:
          "rotbench: RoTBench's heavy noise instead — a parameter of 1-5 random letters whose description says to set it as 1-3 random letters.",
      },
    },
    description:
      "Tools gain a required parameter. Options: rate (default 0.3), tools, param, style.",
  },
  doc: {
    options: "`rate` (0.3), `tools`, `param` api_version/confirm/locale/client_id",
    sees:
      'a new required parameter, documented in its schema (`"api_version": "2026-01-01"`); a call without it fails like any schema violation; the environment never sees it',
  },
  summary:
    "tools gain a required parameter (api_version, confirm, locale or client_id; style rotbench: RoTBench's)",
  examples: [{ rate: 0.5 }, { rate: 0.5, style: "rotbench" }],
  apply(inner, options, ctx) {
    const o = options as ExtraOptions;
    const added = new Map<string, ExtraParam>();
    const byName = toolsByName(inner);
    for (const name of targets(inner, o, ctx, 0.3)) {
      const tool = byName.get(name)!;
      const existing = new Set(paramNames(tool));
      if (o.style === "rotbench") {
        added.set(name, rotbenchParam(existing, ctx.rng));
        continue;
      }
      const fits = EXTRA_PARAMS.filter((p) =>
        !existing.has(p.name) && (!o.param || p.name === o.param)
      );
      if (fits.length > 0) added.set(name, ctx.rng.pick(fits));
    }
    const changes: Change[] = [...added].map(([tool, p]) => ({
      tool,
      what: "param added",
      to: p.name,
      note: `required, value ${JSON.stringify(p.value)}`,
    }));
    const tools: ToolDef[] = inner.map((t) => {
      const p = added.get(t.name);
      if (!p) return t;
      const props = (t.parameters.properties ?? {}) as Record<string, JsonSchema>;
      return {
        ...t,
        parameters: {
          ...t.parameters,
          properties: { ...props, [p.name]: p.schema },
          required: [...((t.parameters.required as string[] | undefined) ?? []), p.name],
        },
      };
    });
    return {
      tools,
      hidden: [],
      changes,
      step(state, call, next) {
        const p = added.get(call.name);
        if (!p) return next(state, call);
        const { [p.name]: given, ...rest } = call.args;
        if (!(p.name in call.args) || given !== p.value) {
          const message = !(p.name in call.args)
            ? `must have required property '${p.name}'`
            : `must be equal to ${JSON.stringify(p.value)}`;
          return Promise.resolve({
            state,
            canonical: null,
            observation: invalidArguments(call.name, [{
              path: p.name in call.args ? `/${p.name}` : "/",
              message,
            }]),
          });
        }
        return next(state, { ...call, args: rest });
      },
      forward(c) {
        const p = added.get(c.tool);
        return p ? { tool: c.tool, args: { ...c.args, [p.name]: p.value } } : c;
      },
      backward(c) {
        const p = added.get(c.tool);
        if (!p) return c;
        const { [p.name]: _, ...rest } = c.args;
        return { tool: c.tool, args: rest };
      },
    };
  },
};
