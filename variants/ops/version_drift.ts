import type { Call, JsonSchema } from "../../spec/types.ts";
import { invalidArguments } from "../../tools/declarative.ts";
import type { ToolDef } from "../../tools/types.ts";
import { renameLayer } from "../rename.ts";
import type { Change, Layer, Operator } from "../types.ts";
import {
  paramNames,
  TARGET_PROPERTIES,
  type TargetOptions,
  targets,
  toolsByName,
} from "./common.ts";

/** Options of `version_drift`. */
export interface DriftOptions extends TargetOptions {
  /** `rename` a parameter, change its `unit`, or `any` (a unit change where a parameter has a unit). */
  change?: "rename" | "unit" | "any";
}

/** A unit a numeric parameter may be in, and what it drifts to. */
interface Unit {
  match: RegExp;
  from: string;
  to: string;
  factor: number;
}

// Matched against the parameter's name and description.
const UNITS: Unit[] = [
  { match: /\bdays?\b|_days\b/i, from: "days", to: "hours", factor: 24 },
  { match: /\bhours?\b|_hours\b/i, from: "hours", to: "minutes", factor: 60 },
  { match: /\bminutes?\b|_minutes\b/i, from: "minutes", to: "seconds", factor: 60 },
  {
    match: /\b(dollars?|usd|price|amount|cost|total|fee|budget)\b|_(price|amount|cost)\b/i,
    from: "dollars",
    to: "cents",
    factor: 100,
  },
  { match: /\b(kg|kilograms?)\b/i, from: "kilograms", to: "grams", factor: 1000 },
  { match: /\b(km|kilomet(er|re)s?)\b/i, from: "kilometres", to: "metres", factor: 1000 },
];

const RENAMES: Record<string, string> = {
  query: "search_text",
  q: "query_text",
  limit: "max_results",
  date: "on_date",
  start: "starts_at",
  end: "ends_at",
  title: "name",
  name: "display_name",
  reason: "note",
  email: "email_address",
  amount: "value",
  quantity: "qty",
  status: "state",
};

/** The drifted name of a parameter: camelCase for snake_case names, else a synonym or `_v2`. */
export function driftedName(p: string, taken: ReadonlySet<string>): string {
  const candidates = [
    p.includes("_") ? p.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : "",
    RENAMES[p] ?? "",
    `${p}_v2`,
  ];
  return candidates.find((c) => c && c !== p && !taken.has(c)) ?? `${p}_new`;
}

function unitOf(name: string, schema: JsonSchema): Unit | undefined {
  if (schema.type !== "number" && schema.type !== "integer") return undefined;
  const text = `${name} ${schema.description ?? ""}`;
  return UNITS.find((u) => u.match.test(text));
}

const changelog = (s: string) => `Changed in v2: ${s}`;
const withNote = (description: string, note: string) =>
  description ? `${description} ${changelog(note)}` : changelog(note);

/** Scale one parameter's value on the way in: visible = canonical × factor. */
function unitLayer(inner: readonly ToolDef[], drifts: Map<string, [string, Unit]>): Layer {
  const changes: Change[] = [];
  const tools = inner.map((t) => {
    const d = drifts.get(t.name);
    if (!d) return t;
    const [p, u] = d;
    const props = t.parameters.properties as Record<string, JsonSchema>;
    const s = props[p];
    const scaled: JsonSchema = {
      ...s,
      description: `${s.description ?? ""} (v2: now in ${u.to}, was ${u.from})`.trim(),
    };
    if (s.type === "integer") scaled.multipleOf = u.factor;
    for (const k of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]) {
      if (typeof s[k] === "number") scaled[k] = (s[k] as number) * u.factor;
    }
    changes.push({
      tool: t.name,
      what: "unit changed",
      from: `${p} in ${u.from}`,
      to: `${p} in ${u.to}`,
    });
    return {
      ...t,
      description: withNote(
        t.description,
        `\`${p}\` is now in ${u.to} (it was in ${u.from}); 1 ${
          u.from.replace(/s$/, "")
        } = ${u.factor} ${u.to}.`,
      ),
      parameters: { ...t.parameters, properties: { ...props, [p]: scaled } },
    };
  });
  const scale = (call: Call, by: (v: number, f: number) => number): Call => {
    const d = drifts.get(call.tool);
    if (!d || typeof call.args[d[0]] !== "number") return call;
    return {
      tool: call.tool,
      args: { ...call.args, [d[0]]: by(call.args[d[0]] as number, d[1].factor) },
    };
  };
  const toInner = (v: number, f: number) => Math.round((v / f) * 1e9) / 1e9;
  return {
    tools,
    hidden: [],
    changes,
    step(state, call, next) {
      const d = drifts.get(call.name);
      const v = d ? call.args[d[0]] : undefined;
      if (d && typeof v === "number") {
        const [p, u] = d;
        const canonical = toInner(v, u.factor);
        const schema = (inner.find((t) =>
          t.name === call.name
        )!.parameters.properties as Record<string, JsonSchema>)[p];
        if (schema.type === "integer" && !Number.isInteger(canonical)) {
          return Promise.resolve({
            state,
            canonical: null,
            observation: invalidArguments(call.name, [{
              path: `/${p}`,
              message: `must be multiple of ${u.factor}`,
            }]),
          });
        }
        return next(state, { ...call, args: { ...call.args, [p]: canonical } });
      }
      return next(state, call);
    },
    forward: (c) => scale(c, (v, f) => v * f),
    backward: (c) => scale(c, toInner),
  };
}

/**
 * The interface moves to "v2": on each chosen tool one parameter is renamed or changes unit, and
 * the tool's description gains a changelog line saying so.
 */
export const versionDrift: Operator = {
  name: "version_drift",
  schema: {
    type: ["object", "null"],
    additionalProperties: false,
    properties: {
      ...TARGET_PROPERTIES,
      change: {
        enum: ["rename", "unit", "any"],
        description:
          "What drifts: a parameter's name, its unit, or any (a unit where one fits, else a name; default).",
      },
    },
    description:
      "A parameter is renamed or changes unit. Options: rate (default 0.3), tools, change.",
  },
  doc: {
    options: "`rate` (0.3), `tools`, `change` rename/unit/any (any)",
    sees:
      'one parameter is renamed (`loan_id` → `loanId`) or changes unit (`amount` in dollars → cents, days → hours, minutes → seconds, …; values are converted on the way in), and the description gains a changelog line: "Changed in v2: `amount` is now in cents (it was in dollars); 1 dollar = 100 cents."',
  },
  summary: "a parameter is renamed or changes unit, with a changelog line in the description",
  examples: [{ rate: 1 }, { rate: 1, change: "rename" }],
  apply(inner, options, ctx) {
    const o = options as DriftOptions;
    const change = o.change ?? "any";
    const renames = new Map<string, Map<string, string>>();
    const units = new Map<string, [string, Unit]>();
    const byName = toolsByName(inner);
    for (const name of targets(inner, o, ctx, 0.3)) {
      const tool = byName.get(name)!;
      const names = paramNames(tool);
      if (names.length === 0) continue;
      const props = tool.parameters.properties as Record<string, JsonSchema>;
      const withUnit = names.filter((p) => unitOf(p, props[p]));
      if (change !== "rename" && withUnit.length > 0) {
        const p = ctx.rng.pick(withUnit);
        units.set(name, [p, unitOf(p, props[p])!]);
      } else if (change !== "unit") {
        const p = ctx.rng.pick(names);
        renames.set(name, new Map([[p, driftedName(p, new Set(names))]]));
      }
    }
    const renamed = renameLayer(inner, { params: renames });
    const tools = renamed.tools.map((t, i) => {
      const m = renames.get(inner[i].name);
      if (!m) return t;
      const [[from, to]] = [...m];
      return {
        ...t,
        description: withNote(t.description, `\`${from}\` was renamed to \`${to}\`.`),
      };
    });
    const rename: Layer = { ...renamed, tools };
    if (units.size === 0) return rename;
    const unit = unitLayer(tools, units);
    // Renames and unit changes touch different tools, so the two layers compose in either order.
    return {
      tools: unit.tools,
      hidden: [],
      changes: [...rename.changes, ...unit.changes],
      step: (state, call, next) => unit.step(state, call, (s, c) => rename.step(s, c, next)),
      forward: (c) => unit.forward(rename.forward(c)),
      backward: (c) => {
        const u = unit.backward(c);
        return u && rename.backward(u);
      },
    };
  },
};
