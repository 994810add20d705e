import type { Call, ExpectedAction } from "../spec/types.ts";
import { canonicalJson, sameValue } from "./same_value.ts";

/** What an `actions` check found: whether every expected call was made, and if not, which. */
export interface ActionsVerdict {
  /** Whether every expected action has a successful call of its own. */
  passed: boolean;
  /** Why not: the first expected action no call matches, and the nearest call made. */
  detail?: string;
}

/** The part of a call an action compares: the listed arguments, or all of them. */
function compared(a: ExpectedAction, c: Call): boolean {
  if (c.tool !== a.tool) return false;
  if (a.compare) return a.compare.every((k) => sameValue(c.args[k], a.args[k]));
  const keys = new Set([...Object.keys(a.args), ...Object.keys(c.args)]);
  return [...keys].every((k) => sameValue(c.args[k], a.args[k]));
}

/** The arguments of `c` that differ from what `a` expects (those `a` compares). */
function differing(a: ExpectedAction, c: Call): string[] {
  const keys = a.compare ?? [...new Set([...Object.keys(a.args), ...Object.keys(c.args)])];
  return keys.filter((k) => !sameValue(c.args[k], a.args[k]));
}

const show = (tool: string, args: Record<string, unknown>) => `${tool}(${canonicalJson(args)})`;

/**
 * Judge an `actions` check: each expected action must be matched by a successful execution-phase
 * call of its own (canonical names; same tool; the same arguments — only the `compare` ones when
 * listed). Other calls are allowed, in any order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkActions } from "./actions.ts";
 * const calls = [{ tool: "find", args: { q: "milk" } }, { tool: "delete", args: { id: "t2", force: true } }];
 * assert.ok(checkActions([{ tool: "delete", args: { id: "t2" }, compare: ["id"] }], calls).passed);
 * const v = checkActions([{ tool: "delete", args: { id: "t3" } }], calls);
 * assert.ok(!v.passed && v.detail!.includes("id"));
 * ```
 */
export function checkActions(
  expected: readonly ExpectedAction[],
  calls: readonly Call[],
): ActionsVerdict {
  const used = new Set<number>();
  for (const [i, a] of expected.entries()) {
    const k = calls.findIndex((c, j) => !used.has(j) && compared(a, c));
    if (k >= 0) {
      used.add(k);
      continue;
    }
    const want = show(a.tool, a.compare ? pick(a.args, a.compare) : a.args);
    const same = calls.filter((c) => c.tool === a.tool);
    const near = same.length === 0
      ? `no successful call to ${a.tool}`
      : `nearest: ${show(same[0].tool, same[0].args)} (${
        differing(a, same[0]).join(", ") || "already matched by an earlier action"
      } differs)`;
    const of = expected.length > 1 ? ` ${i + 1} of ${expected.length}` : "";
    return { passed: false, detail: `missing action${of}: ${want}; ${near}` };
  }
  return { passed: true };
}

function pick(args: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, args[k]]));
}
