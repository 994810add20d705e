import { closeNames, type SpecIssue } from "../errors.ts";
import type { Call, ExpectedAction, JsonSchema, Row, State, UserSpec } from "../types.ts";
import { pointerSegment } from "../yaml.ts";
import { schemaDefault, withDefaults } from "../schema/defaults.ts";
import { ENV_SCHEMA, type RawUser } from "./raw.ts";

export type { RawUser } from "./raw.ts";

/** What the scripted user says when nothing is left to say (unless the task's `user.stop` says otherwise). */
export const DEFAULT_STOP: string = schemaDefault(ENV_SCHEMA.$defs.user, "stop");

/** How a spec problem is reported: JSON pointer, message, hint, and whether it points at a key. */
type At = (pointer: string, message: string, hint?: string, key?: boolean) => SpecIssue;

/**
 * A task's `user:` with defaults filled in: values as text, no turns, the default stop message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeUser } from "./conversation.ts";
 * const u = normalizeUser({ known_info: { order_id: 7 } });
 * assert.ok(u.known_info.order_id === "7" && u.turns.length === 0 && u.stop === "###STOP###");
 * ```
 */
export function normalizeUser(
  written: RawUser,
  own: { state?: State; calls?: Call[] } = {},
): UserSpec {
  const raw = withDefaults(ENV_SCHEMA.$defs.user, written);
  return {
    ...(raw.instructions !== undefined ? { instructions: raw.instructions } : {}),
    ...(raw.persona !== undefined ? { persona: raw.persona } : {}),
    known_info: Object.fromEntries(
      Object.entries(raw.known_info ?? {}).map(([k, v]) => [k, String(v)]),
    ),
    // No schema default: a written turns: list holds at least one turn.
    turns: raw.turns ?? [],
    stop: raw.stop,
    ...(own.state !== undefined ? { state: own.state } : {}),
    ...(own.calls !== undefined ? { calls: own.calls } : {}),
  };
}

/** What checking an `actions:` list needs to know about the environment and the task. */
export interface ActionsContext {
  /** The environment's tools by name, with their declared parameters (absent: not known here). */
  tools: ReadonlyMap<string, JsonSchema | undefined>;
  /** Validate a tool's arguments; the first problem as [pointer inside the args, message], or null. */
  validate(tool: string, args: Record<string, unknown>): [string, string] | null;
  /** The task's `tools:` subset, when it has one. */
  offered?: readonly string[];
  /** Whether unknown tool names may still come from a server that is imported whole. */
  importing: boolean;
  /** Reports a problem. */
  at: At;
}

/**
 * A `check.actions` list, checked against the environment: each tool exists (and is offered by
 * the task), full arguments fit its parameters, and each `compare` name is one of the listed
 * arguments and a parameter of the tool. Problems go to `issues`.
 */
export function actionsCheck(
  raw: { tool: string; args?: Record<string, unknown>; compare?: string[] }[],
  p: string,
  ctx: ActionsContext & { issues: SpecIssue[] },
): ExpectedAction[] {
  const { at, issues } = ctx;
  return raw.map((a, j) => {
    const ptr = `${p}/${j}`;
    const args = a.args ?? {};
    const known = ctx.tools.has(a.tool);
    if (!known && !ctx.importing) {
      const close = closeNames(a.tool, ctx.tools.keys(), 2);
      issues.push(at(
        `${ptr}/tool`,
        `the action names unknown tool "${a.tool}"`,
        close.length
          ? `did you mean ${close.map((c) => `"${c}"`).join(" or ")}?`
          : `tools here: ${[...ctx.tools.keys()].join(", ")}`,
      ));
    } else if (known && ctx.offered && !ctx.offered.includes(a.tool)) {
      issues.push(at(
        `${ptr}/tool`,
        `the action expects a call to "${a.tool}", which the task's tools: do not offer`,
        `add "${a.tool}" to the task's tools: (or fix the action)`,
      ));
    }
    const params = ctx.tools.get(a.tool);
    const props = params ? Object.keys((params.properties ?? {}) as object) : undefined;
    if (a.compare) {
      a.compare.forEach((name, k) => {
        if (!Object.hasOwn(args, name)) {
          issues.push(at(
            `${ptr}/compare/${k}`,
            `compare names "${name}", which the action's args do not give`,
            `add ${name}: <value> to args, or drop it from compare (args: ${
              Object.keys(args).join(", ") || "none"
            })`,
          ));
        }
      });
    } else if (known && params) {
      const bad = ctx.validate(a.tool, args);
      if (bad) {
        issues.push(at(
          `${ptr}/args${bad[0]}`,
          `the action's arguments do not fit ${a.tool}'s parameters: ${bad[1]}`,
          "fix the arguments, or list the ones that matter under compare:",
        ));
      }
    }
    if (props) {
      for (const name of Object.keys(args)) {
        if (props.includes(name)) continue;
        const close = closeNames(name, props, 2);
        issues.push(at(
          `${ptr}/args/${pointerSegment(name)}`,
          `${a.tool} has no parameter "${name}", so no call can match this action`,
          close.length
            ? `did you mean ${close.map((c) => `"${c}"`).join(" or ")}?`
            : `parameters: ${props.join(", ") || "none"}`,
          true,
        ));
      }
    }
    return { tool: a.tool, args, ...(a.compare ? { compare: a.compare } : {}) };
  });
}

/** JSON type names of a value, as a state column's type is described. */
function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/**
 * Problems with a task's own state table against the environment's table of the same name: a
 * column the environment's rows never have (when they are known), or a value whose JSON type
 * differs from every value of that column in the environment's rows. A new table whose name is
 * one edit from a declared table is reported as a likely typo.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { taskTableIssues } from "./conversation.ts";
 * const at = (pointer: string, message: string, hint?: string) => ({ file: "e.yaml", line: 1, col: 1, pointer, message, hint });
 * const env = { todos: [{ id: "t1", title: "Milk", done: false }] };
 * const [a, b] = taskTableIssues("todos", [{ id: "t2", titel: "Eggs", done: "no" }], { env, columns: new Set(), pointer: "/tasks/0/state/todos", at });
 * assert.ok(a.message.includes('"titel"') && a.hint === 'did you mean "title"?');
 * assert.ok(b.message.includes("a string") && b.message.includes("boolean"));
 * ```
 */
export function taskTableIssues(
  table: string,
  rows: readonly Row[],
  opts: {
    /** The environment's state. */
    env: Readonly<Record<string, readonly Row[]>>;
    /** Columns the environment may write beyond its rows' (effects' keys, tool parameters); null: any. */
    columns: ReadonlySet<string> | null;
    /** Where the task's table is. */
    pointer: string;
    at: At;
  },
): SpecIssue[] {
  const { at, pointer } = opts;
  const base = opts.env[table];
  if (base === undefined) {
    const close = closeNames(table, Object.keys(opts.env), 1);
    return close.length
      ? [at(
        pointer,
        `the task adds table "${table}", one letter away from the environment's "${close[0]}"`,
        `did you mean "${close[0]}"? (a task table of a new name is added to the state)`,
        true,
      )]
      : [];
  }
  if (base.length === 0) return [];
  const types = new Map<string, Set<string>>();
  for (const r of base) {
    for (const [k, v] of Object.entries(r)) {
      if (!types.has(k)) types.set(k, new Set());
      if (v !== null) types.get(k)!.add(typeOf(v));
    }
  }
  const issues: SpecIssue[] = [];
  rows.forEach((row, i) => {
    for (const [col, v] of Object.entries(row)) {
      const ptr = `${pointer}/${i}/${pointerSegment(col)}`;
      const seen = types.get(col);
      if (!seen) {
        if (opts.columns === null || opts.columns.has(col)) continue;
        const close = closeNames(col, types.keys(), 2);
        issues.push(at(
          ptr,
          `table "${table}" has no column "${col}" in the environment`,
          close.length
            ? `did you mean ${close.map((c) => `"${c}"`).join(" or ")}?`
            : `columns: ${[...types.keys()].join(", ")}`,
          true,
        ));
      } else if (v !== null && seen.size > 0 && !seen.has(typeOf(v))) {
        const t = typeOf(v);
        issues.push(at(
          ptr,
          `column "${col}" of table "${table}" holds ${
            [...seen].join(" or ")
          } values in the environment, but here ${
            t === "array" || t === "object" ? "an" : "a"
          } ${t}`,
          `write it as the environment does (e.g. ${
            JSON.stringify(base.find((r) => r[col] !== null && r[col] !== undefined)?.[col])
          })`,
        ));
      }
    }
  });
  return issues;
}
