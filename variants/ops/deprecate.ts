import { fail } from "../../tools/declarative.ts";
import type { ToolDef } from "../../tools/types.ts";
import { renameLayer } from "../rename.ts";
import type { Change, Operator } from "../types.ts";
import { TARGET_PROPERTIES, type TargetOptions, targets } from "./common.ts";

/** Options of `deprecate`. */
export interface DeprecateOptions extends TargetOptions {
  /** How the replacement is named: `rename` (a synonym verb, e.g. search_books → find_books) or `version` (search_books_v2). */
  style?: "rename" | "version";
  /** Keep the old name in the tool list, marked deprecated (default false: only the replacement is listed). */
  listed?: boolean;
}

// Verb swaps API authors make when they replace an endpoint.
const VERBS: Record<string, string[]> = {
  search: ["find", "query", "lookup"],
  find: ["search", "locate"],
  get: ["fetch", "retrieve", "read"],
  list: ["browse", "enumerate", "fetch_all"],
  create: ["add", "new", "make"],
  add: ["create", "insert"],
  cancel: ["revoke", "void", "abort"],
  update: ["modify", "edit", "change"],
  delete: ["remove", "drop"],
  remove: ["delete", "drop"],
  place: ["put", "submit"],
  renew: ["extend", "prolong"],
  check: ["verify", "inspect"],
  book: ["reserve", "schedule"],
  schedule: ["book", "plan"],
  pay: ["settle", "clear"],
  return: ["give_back", "check_in"],
  issue: ["grant", "process"],
  apply: ["redeem", "use"],
  reschedule: ["move", "shift"],
  checkout: ["lend", "borrow"],
  track: ["trace", "follow"],
};

/** A replacement name for a tool: a synonym verb, or a version suffix when none fits. */
export function replacementName(
  name: string,
  opts: {
    style: "rename" | "version";
    pick: (xs: readonly string[]) => string;
    taken: ReadonlySet<string>;
  },
): string {
  const parts = name.split("_");
  const swaps = VERBS[parts[0]];
  if (opts.style === "rename" && swaps) {
    for (const s of [opts.pick(swaps), ...swaps]) {
      const candidate = [s, ...parts.slice(1)].join("_");
      if (!opts.taken.has(candidate)) return candidate;
    }
  }
  let v = 2;
  while (opts.taken.has(`${name}_v${v}`)) v++;
  return `${name}_v${v}`;
}

/**
 * Deprecate tools: each is replaced by a new name, and the old name answers every call with a
 * `deprecated` error naming the replacement.
 */
export const deprecate: Operator = {
  name: "deprecate",
  schema: {
    type: ["object", "null"],
    additionalProperties: false,
    properties: {
      ...TARGET_PROPERTIES,
      style: {
        enum: ["rename", "version"],
        description:
          "Name the replacement with a synonym verb (rename, default) or a _v2 suffix (version).",
      },
      listed: {
        type: "boolean",
        description: "Keep the old name in the tool list, marked deprecated (default false).",
      },
    },
    description: "Deprecate tools. Options: rate (default 0.3), tools, style, listed.",
  },
  doc: {
    options: "`rate` (0.3), `tools`, `style` rename/version (rename), `listed` (false)",
    sees:
      'the tool is replaced by `fetch_book` (a synonym verb; `version` gives `get_book_v2`); the old name answers `deprecated`: "get_book is deprecated and no longer available; use fetch_book instead (same parameters)." With `listed: true` the old name stays in the list, marked DEPRECATED',
  },
  summary: "replace tools by new names; old names answer with an error naming the replacement",
  examples: [{ rate: 0.5 }, { rate: 0.5, listed: true, style: "version" }],
  apply(inner, options, ctx) {
    const o = options as DeprecateOptions;
    const chosen = targets(inner, o, ctx, 0.3);
    const taken = new Set(ctx.taken);
    const plan = new Map<string, string>();
    for (const name of chosen) {
      const next = replacementName(name, {
        style: o.style ?? "rename",
        pick: (xs) => ctx.rng.pick(xs),
        taken,
      });
      taken.add(next);
      plan.set(name, next);
    }
    const changes: Change[] = [...plan].map(([from, to]) => ({
      tool: to,
      what: "deprecated",
      from,
      to,
      note: o.listed ? "old name still listed" : "old name hidden",
    }));
    if (o.listed) {
      for (const [from, to] of plan) changes.push({ tool: from, what: "deprecated name", to });
    }
    const base = renameLayer(inner, { tools: plan }, { changes });
    const message = (old: string) =>
      `${old} is deprecated and no longer available; use ${
        plan.get(old)
      } instead (same parameters).`;
    const tools: ToolDef[] = [...base.tools];
    if (o.listed) {
      for (const [old, next] of plan) {
        const replacement = base.tools.find((x) => x.name === next)!;
        tools.splice(tools.indexOf(replacement), 0, {
          name: old,
          description: `DEPRECATED: use ${next} instead. ${replacement.description}`.trim(),
          parameters: replacement.parameters,
        });
      }
    }
    return {
      ...base,
      tools,
      hidden: o.listed ? [] : [...plan.keys()],
      step(state, call, next) {
        if (plan.has(call.name)) {
          return Promise.resolve({
            state,
            canonical: null,
            observation: fail("deprecated", message(call.name)),
          });
        }
        return base.step(state, call, next);
      },
      backward(call) {
        return plan.has(call.tool) ? null : base.backward(call);
      },
    };
  },
};
