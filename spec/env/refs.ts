import type { SpecIssue } from "../errors.ts";
import { constructedKeys, exprRefIssues, type ExprScope, templateParts } from "../expr_refs.ts";
import type { Row } from "../types.ts";
import { pointerSegment } from "../yaml.ts";

/** The parts of a raw env document whose expressions name tables, columns and arguments. */
export interface RawRefs {
  tools: {
    parameters?: Record<string, unknown>;
    errors?: { when: string; message: string }[];
    effect?: Record<string, string>;
    result?: string;
    handler?: string;
    mcp?: unknown;
    http?: {
      path: string;
      query?: Record<string, string>;
      headers?: Record<string, string>;
      body?: string;
    };
  }[];
  tasks?: {
    state?: Record<string, unknown>;
    check: { state?: string; answer?: Record<string, unknown> };
  }[];
}

/**
 * Columns an environment's tools may write besides its rows' own: the keys its effects construct
 * and every tool parameter (an effect may append `$args`); null when a handler may write anything.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writtenColumns } from "./refs.ts";
 * const raw = { tools: [{ parameters: { properties: { title: {} } }, effect: { todos: "$append(state.todos, {'done': false})" } }] };
 * assert.ok([...writtenColumns(raw)!].sort().join() === "done,title");
 * ```
 */
export function writtenColumns(raw: RawRefs): Set<string> | null {
  if (raw.tools.some((t) => t.handler !== undefined)) return null;
  const written = new Set<string>();
  for (const t of raw.tools) {
    for (const src of Object.values(t.effect ?? {})) {
      constructedKeys(src).forEach((k) => written.add(k));
    }
    for (const p of paramsOf(t) ?? []) written.add(p);
  }
  return written;
}

/**
 * Static checks of an environment's JSONata (`exprRefIssues`): every `state.<table>`,
 * `state.<table>.<column>` and `$args.<param>` must name something that exists. Columns are known
 * for tables with rows, when no handler can write the state: the rows' fields, the keys effects
 * construct, and every tool parameter (an effect may append `$args`). Snapshot tables of MCP
 * servers are tables with unknown columns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { envRefIssues } from "./refs.ts";
 * const raw = { tools: [{ parameters: { properties: { id: {} } }, result: "state.itms[id = $args.id]" }] };
 * const at = (pointer: string, message: string, hint?: string) => ({ file: "e.yaml", line: 1, col: 1, pointer, message, hint });
 * const [issue] = envRefIssues(raw, { state: { items: [{ id: "w1" }] }, extraTables: [], at });
 * assert.ok(issue.pointer === "/tools/0/result" && issue.hint === 'did you mean "items"?');
 * ```
 */
export function envRefIssues(
  raw: RawRefs,
  opts: {
    state: Readonly<Record<string, readonly Row[]>>;
    /** The declared tables (default: those of `state`; a table whose file failed to load has no rows). */
    declared?: readonly string[];
    /** Tables besides the declared ones (server snapshots), columns unknown. */
    extraTables: readonly string[];
    at: (pointer: string, message: string, hint?: string) => SpecIssue;
    /** Where `raw.tools` sits in the document (default `/tools`; `/user_tools` for the user's). */
    list?: string;
  },
): SpecIssue[] {
  const written = writtenColumns(raw);
  const tables = new Map<string, ReadonlySet<string> | undefined>();
  for (const name of opts.declared ?? Object.keys(opts.state)) {
    const rows = opts.state[name] ?? [];
    if (written === null || rows.length === 0) tables.set(name, undefined);
    else tables.set(name, new Set([...rows.flatMap((r) => Object.keys(r)), ...written]));
  }
  for (const name of opts.extraTables) tables.set(name, undefined);

  const issues: SpecIssue[] = [];
  const check = (
    source: string | undefined,
    pointer: string,
    scope: ExprScope,
    template = false,
  ) => {
    if (source === undefined) return;
    for (const part of template ? templateParts(source) : [source]) {
      for (const i of exprRefIssues(part, scope)) issues.push(opts.at(pointer, i.message, i.hint));
    }
  };
  raw.tools.forEach((t, i) => {
    const p = `${opts.list ?? "/tools"}/${i}`;
    const scope: ExprScope = { roots: ["state"], tables, params: paramsOf(t) };
    (t.errors ?? []).forEach((r, j) => {
      check(r.when, `${p}/errors/${j}/when`, scope);
      check(r.message, `${p}/errors/${j}/message`, scope, true);
    });
    for (const [table, src] of Object.entries(t.effect ?? {})) {
      check(src, `${p}/effect/${pointerSegment(table)}`, scope);
    }
    check(t.result, `${p}/result`, scope);
    if (t.http) {
      check(t.http.path, `${p}/http/path`, scope, true);
      for (const key of ["query", "headers"] as const) {
        for (const [k, v] of Object.entries(t.http[key] ?? {})) {
          check(v, `${p}/http/${key}/${pointerSegment(k)}`, scope, true);
        }
      }
      check(t.http.body, `${p}/http/body`, scope);
    }
  });
  (raw.tasks ?? []).forEach((t, i) => {
    const p = `/tasks/${i}/check`;
    // A table the task adds is there for its own checks (its columns are not checked).
    const added = Object.keys(t.state ?? {}).filter((name) => !tables.has(name));
    const own = added.length === 0
      ? tables
      : new Map([...tables, ...added.map((name) => [name, undefined] as const)]);
    check(t.check.state, `${p}/state`, { roots: ["state"], tables: own });
    const a = t.check.answer?.jsonata;
    if (a !== undefined) {
      check(String(a), `${p}/answer/jsonata`, { roots: ["answer", "state"], tables: own });
    }
  });
  return issues;
}

/** A tool's declared parameter names, or undefined when they are not known here. */
function paramsOf(t: RawRefs["tools"][number]): string[] | undefined {
  const props = t.parameters?.properties;
  if (t.mcp !== undefined && t.parameters === undefined) return undefined;
  return props && typeof props === "object" ? Object.keys(props) : undefined;
}
