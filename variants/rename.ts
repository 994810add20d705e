import type { Call, JsonSchema } from "../spec/types.ts";
import { invalidArguments } from "../tools/declarative.ts";
import type { ToolDef } from "../tools/types.ts";
import { nameRewriter, rewriteError } from "./rewrite.ts";
import type { Change, Layer } from "./types.ts";

/** Which names a renaming layer changes, in the inner interface's names. */
export interface RenameMap {
  /** Inner tool name → visible tool name. */
  tools?: ReadonlyMap<string, string>;
  /** Inner tool name → (inner parameter → visible parameter). */
  params?: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

const invert = (m: ReadonlyMap<string, string>) => new Map([...m].map(([k, v]) => [v, k]));

function mapKeys(
  args: Record<string, unknown>,
  map: ReadonlyMap<string, string> | undefined,
): Record<string, unknown> {
  if (!map) return args;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) out[map.get(k) ?? k] = v;
  return out;
}

/** Rename a tool's parameters inside its JSON Schema, keeping their order. */
export function renameProperties(
  schema: JsonSchema,
  map: ReadonlyMap<string, string>,
  describe: (s: string) => string = (s) => s,
): JsonSchema {
  const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const properties: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    properties[map.get(k) ?? k] = typeof v.description === "string"
      ? { ...v, description: describe(v.description) }
      : v;
  }
  const out: JsonSchema = { ...schema, properties };
  if (Array.isArray(schema.required)) {
    out.required = (schema.required as string[]).map((r) => map.get(r) ?? r);
  }
  return out;
}

/**
 * A layer that renames tools and parameters: descriptions and error messages name the new names,
 * calls are mapped back, and a caller using a parameter's old name gets "unknown parameter" (the old
 * name must not leak through). The building block of rename_tools, rename_params, deprecate and
 * version_drift.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renameLayer } from "./rename.ts";
 * const layer = renameLayer(
 *   [{ name: "get_book", description: "One book.", parameters: { type: "object", properties: { book_id: { type: "string" } } } }],
 *   { tools: new Map([["get_book", "fetch_book"]]), params: new Map([["get_book", new Map([["book_id", "id"]])]]) },
 * );
 * assert.ok(layer.forward({ tool: "get_book", args: { book_id: "B1" } }).tool === "fetch_book");
 * ```
 */
export function renameLayer(
  inner: readonly ToolDef[],
  map: RenameMap,
  opts: { changes?: Change[]; extraChanges?: Change[] } = {},
): Layer {
  const toolOut = map.tools ?? new Map<string, string>();
  const toolIn = invert(toolOut);
  const paramOut = map.params ?? new Map<string, ReadonlyMap<string, string>>();
  const paramIn = new Map([...paramOut].map(([t, m]) => [t, invert(m)]));
  const toolText = nameRewriter(toolOut);
  const textFor = new Map<string, (s: string) => string>();
  /** Inner tool → rewriter of its tool and parameter names into the visible ones. */
  const rewriterFor = (tool: string) => {
    let f = textFor.get(tool);
    if (!f) {
      const params = nameRewriter(paramOut.get(tool) ?? new Map());
      f = (s: string) => params(toolText(s));
      textFor.set(tool, f);
    }
    return f;
  };
  const changes: Change[] = opts.changes ?? [];
  if (!opts.changes) {
    for (const [from, to] of toolOut) {
      if (from !== to) changes.push({ tool: to, what: "renamed", from, to });
    }
    for (const [t, m] of paramOut) {
      for (const [from, to] of m) {
        if (from !== to) {
          changes.push({ tool: toolOut.get(t) ?? t, what: "param renamed", from, to });
        }
      }
    }
  }
  changes.push(...(opts.extraChanges ?? []));

  const tools: ToolDef[] = inner.map((t) => {
    const text = rewriterFor(t.name);
    const params = paramOut.get(t.name);
    return {
      name: toolOut.get(t.name) ?? t.name,
      description: text(t.description),
      parameters: params
        ? renameProperties(t.parameters, params, text)
        : rewriteDescriptions(t.parameters, text),
    };
  });
  // Old parameter names that no longer exist on each (inner) tool.
  const gone = new Map<string, Set<string>>();
  for (const [t, m] of paramOut) {
    const visible = new Set(m.values());
    gone.set(t, new Set([...m.keys()].filter((k) => !visible.has(k))));
  }

  return {
    tools,
    hidden: [],
    changes,
    async step(state, call, next) {
      const name = toolIn.get(call.name) ?? call.name;
      const back = paramIn.get(name);
      let args = call.args;
      if (back) {
        args = {};
        const stale = gone.get(name)!;
        for (const [k, v] of Object.entries(call.args)) {
          const inner = back.get(k);
          if (inner !== undefined) args[inner] = v;
          else if (stale.has(k)) {
            return {
              state,
              canonical: null,
              observation: invalidArguments(call.name, [{
                path: "/",
                message: `unknown parameter "${k}"`,
              }]),
            };
          } else args[k] = v;
        }
      }
      const r = await next(state, { id: call.id, name, args });
      return r.observation.ok
        ? r
        : { ...r, observation: rewriteError(r.observation, rewriterFor(name)) };
    },
    forward(call: Call): Call {
      return {
        tool: toolOut.get(call.tool) ?? call.tool,
        args: mapKeys(call.args, paramOut.get(call.tool)),
      };
    },
    backward(call: Call): Call | null {
      const tool = toolIn.get(call.tool) ?? call.tool;
      return { tool, args: mapKeys(call.args, paramIn.get(tool)) };
    },
  };
}

/** Rewrite the descriptions of a schema's top-level properties. */
export function rewriteDescriptions(schema: JsonSchema, f: (s: string) => string): JsonSchema {
  return renameProperties(schema, new Map(), f);
}
