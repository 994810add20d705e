import type { SpecIssue } from "../errors.ts";
import type { CallsCheck, JsonSchema, PossibleCall } from "../types.ts";
import { pointerSegment } from "../yaml.ts";
import { withDefaults } from "../schema/defaults.ts";
import { ENV_SCHEMA, type RawCallsCheck } from "./raw.ts";

export type { RawCallsCheck } from "./raw.ts";

/** What normalizing a calls check needs from the env being loaded. */
export interface CallsCheckContext {
  /** A tool's parameter schema; undefined for a tool the env does not have. */
  parametersOf(tool: string): JsonSchema | undefined;
  /** A located issue at a JSON pointer of the spec (`key`: point at the key, not its value). */
  at(pointer: string, message: string, hint?: string, key?: boolean): SpecIssue;
  /** A "did you mean" hint for an unknown tool name. */
  didYouMean(name: string): string | undefined;
  /** Where problems go. */
  issues: SpecIssue[];
  /** Pointers (relative to `pointer`) of integral numbers the YAML writes as floats. */
  floatsUnder?(pointer: string): string[];
}

/**
 * Normalize a `calls` check at pointer `p`: exactly one of `answers` and `any_of`; every answer
 * names a tool (directly or through `names`) with parameters it can match; `first_action_only`
 * lists at most one call per alternative; `wildcard` is refused in bfcl mode (BFCL has none).
 * Problems go to `ctx.issues`, located.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { callsCheck } from "./calls_check.ts";
 * const issues: never[] = [];
 * const ctx = {
 *   parametersOf: (t: string) => (t === "f" ? { type: "object", properties: { x: {} } } : undefined),
 *   at: (pointer: string, message: string) => ({ file: "e.yaml", line: 1, col: 1, pointer, message }),
 *   didYouMean: () => undefined,
 *   issues,
 * };
 * const c = callsCheck({ any_of: [[{ f: { x: [1] } }], []], first_action_only: true }, "/tasks/0/check/calls", ctx);
 * assert.ok(c.anyOf?.length === 2 && c.firstActionOnly && issues.length === 0);
 * ```
 */
export function callsCheck(
  written: RawCallsCheck,
  p: string,
  ctx: CallsCheckContext,
): CallsCheck {
  const { at, issues } = ctx;
  const c = withDefaults(ENV_SCHEMA.$defs.callsCheck, written);
  const names = c.names;
  const toolOf = new Map<string, string>();
  for (const [tool, fn] of Object.entries(names)) {
    const ptr = `${p}/names/${pointerSegment(tool)}`;
    if (!ctx.parametersOf(tool)) {
      issues.push(at(
        ptr,
        `names: maps unknown tool "${tool}"`,
        ctx.didYouMean(tool) ?? "its keys are tool names of this environment",
        true,
      ));
    }
    if (toolOf.has(fn)) {
      issues.push(
        at(ptr, `names: "${fn}" is the name of two tools`, "map each tool to its own name"),
      );
    }
    toolOf.set(fn, tool);
  }
  if (c.answers === undefined && c.any_of === undefined) {
    issues.push(at(
      p,
      "a calls check needs answers: (the expected calls) or any_of: (several accepted lists)",
      "add answers: [{ tool_name: { param: [accepted values] } }]",
    ));
  } else if (c.answers !== undefined && c.any_of !== undefined) {
    issues.push(at(
      `${p}/any_of`,
      "give answers: or any_of:, not both",
      "move answers: into any_of: as its first alternative",
      true,
    ));
  }
  if (c.wildcard !== undefined && c.mode === "bfcl") {
    issues.push(at(
      `${p}/wildcard`,
      "bfcl mode follows BFCL's checker exactly, which has no wildcard",
      "use mode: strict or mode: rotbench, or drop wildcard:",
    ));
  }
  const functions: Record<string, JsonSchema> = {};
  /** One answer's problems: an unknown function, unknown parameters, unlisted required ones. */
  const answerIssues = (a: PossibleCall, where: string) => {
    const [fn] = Object.keys(a);
    const tool = toolOf.get(fn) ?? fn;
    const ptr = `${where}/${pointerSegment(fn)}`;
    const params = ctx.parametersOf(tool);
    if (params === undefined) {
      issues.push(at(
        ptr,
        `answer expects a call to unknown function "${fn}"`,
        ctx.didYouMean(fn) ?? "use a tool name, or map a tool to this name under names:",
        true,
      ));
      return;
    }
    functions[fn] = params;
    const props = (params.properties ?? {}) as Record<string, unknown>;
    for (const [param, accepted] of Object.entries(a[fn])) {
      if (!Object.hasOwn(props, param) && !accepted.includes("")) {
        issues.push(at(
          `${ptr}/${pointerSegment(param)}`,
          `${tool} has no parameter "${param}", so no call can match this answer`,
          `remove it or fix its name (parameters: ${Object.keys(props).join(", ") || "none"})`,
          true,
        ));
      }
    }
    for (const r of (params.required ?? []) as string[]) {
      if (!Object.hasOwn(a[fn], r)) {
        issues.push(at(
          ptr,
          `${tool} requires "${r}", which the answer does not list, so no call can match`,
          `add ${r}: [accepted values]`,
        ));
      }
    }
  };
  const lists: [PossibleCall[], string][] = c.any_of
    ? c.any_of.map((alt, i) => [alt, `${p}/any_of/${i}`])
    : [[c.answers ?? [], `${p}/answers`]];
  for (const [answers, base] of lists) {
    if (c.first_action_only && answers.length > 1) {
      issues.push(at(
        `${base}/1`,
        `first_action_only judges one action, but this list has ${answers.length} calls`,
        "give each accepted first call as its own alternative under any_of:, or drop first_action_only",
      ));
    }
    answers.forEach((a, j) => answerIssues(a, `${base}/${j}`));
  }
  return {
    mode: c.mode,
    answers: c.any_of?.[0] ?? c.answers ?? [],
    ...(c.any_of ? { anyOf: c.any_of } : {}),
    ...(c.wildcard !== undefined ? { wildcard: c.wildcard } : {}),
    ...(c.first_action_only ? { firstActionOnly: true } : {}),
    names,
    functions,
    ...floatsOf(c, p, ctx),
  };
}

/** bfcl mode's float spelling of the answers (`1.0`), where the YAML has any. */
function floatsOf(c: RawCallsCheck, p: string, ctx: CallsCheckContext): { floats?: string[] } {
  if (c.mode !== "bfcl" || c.answers === undefined || !ctx.floatsUnder) return {};
  const floats = ctx.floatsUnder(`${p}/answers`);
  return floats.length ? { floats } : {};
}
