import type { Call, CallsCheck, CallsMode, PossibleCall } from "../../spec/types.ts";
import { checkBfcl } from "./bfcl.ts";
import { firstActionVerdict } from "./first_action.ts";
import { PyFloat, withFloats } from "./py_value.ts";
import { checkRotbench } from "./rotbench.ts";
import { checkStrict } from "./strict.ts";
import type { BfclCategory, CallsInput, CallsVerdict } from "./types.ts";

/** The checker of each mode: adding one is one file plus one line here. */
export const callCheckers: Record<CallsMode, (input: CallsInput) => CallsVerdict> = {
  strict: checkStrict,
  bfcl: checkBfcl,
  rotbench: checkRotbench,
};

/**
 * Judge calls (in the environment's canonical tool names) against a `calls` check: tool names are
 * mapped to the answers' function names through `check.names`, then the check's mode decides
 * (`bfcl` mode on each call's `spelled` arguments where the agent wrote JSON text).
 * With `any_of`, the calls must match one of the accepted lists. With `first_action_only`, only
 * `opts.attempted[0]` is judged — the first call the agent tried, whether it succeeded or not
 * (null: it reached no tool), or, when it tried none, its final answer — and the verdict carries
 * RoTBench's three stages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkCalls } from "./check_calls.ts";
 * const check = {
 *   mode: "strict" as const,
 *   answers: [{ "math.factorial": { number: [5] } }],
 *   names: { math_factorial: "math.factorial" },
 *   functions: { "math.factorial": { type: "object", properties: { number: { type: "integer" } } } },
 * };
 * assert.ok(checkCalls([{ tool: "math_factorial", args: { number: 5 } }], check).valid);
 * ```
 */
export function checkCalls(
  calls: readonly Call[],
  check: CallsCheck,
  opts: { category?: BfclCategory; attempted?: readonly (Call | null)[] } = {},
): CallsVerdict {
  // bfcl mode judges numbers as the agent spelled them (1 is an int, 1.0 a float), as BFCL does.
  const named = (c: Call): Call => ({
    tool: check.names[c.tool] ?? c.tool,
    args: check.mode === "bfcl" && c.spelled ? c.spelled : c.args,
  });
  const judge = (cs: readonly Call[], answers: PossibleCall[]) =>
    callCheckers[check.mode]({
      calls: cs,
      answers,
      functions: check.functions,
      category: opts.category,
      ...(check.wildcard !== undefined ? { wildcard: check.wildcard } : {}),
    });
  const alternatives = check.anyOf ??
    [
      check.mode === "bfcl" && check.floats
        ? withFloats(check.answers, check.floats) as PossibleCall[]
        : check.answers,
    ];
  if (check.firstActionOnly) {
    const first = (opts.attempted ?? calls)[0];
    return firstActionVerdict(first === undefined ? undefined : first && named(first), {
      alternatives,
      judge: (c, a) => judge([c], [a]),
    });
  }
  const mapped = calls.map(named);
  const verdicts = alternatives.map((a) => judge(mapped, a));
  if (alternatives.length === 1 || verdicts.some((v) => v.valid)) {
    return verdicts.find((v) => v.valid) ?? verdicts[0];
  }
  return {
    valid: false,
    error_type: "no_alternative",
    errors: verdicts.map((v, i) => `alternative ${i}: ${v.error_type}: ${v.errors.join("; ")}`),
  };
}

/**
 * Reference calls from possible answers: for each parameter its first accepted value, left out
 * when that is `""`; dicts of accepted values become dicts of their first values. Tool names go
 * back through `names` (tool → function name), so the calls run in the environment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { goldFromAnswers } from "./check_calls.ts";
 * const gold = goldFromAnswers([{ "math.factorial": { number: [5, 5.0], verbose: ["", true] } }], { math_factorial: "math.factorial" });
 * assert.ok(gold[0].tool === "math_factorial" && JSON.stringify(gold[0].args) === '{"number":5}');
 * ```
 */
export function goldFromAnswers(
  answers: CallsCheck["answers"],
  names: Readonly<Record<string, string>> = {},
): Call[] {
  const toolOf = new Map(Object.entries(names).map(([tool, fn]) => [fn, tool]));
  return answers.map((a) => {
    const [fn] = Object.keys(a);
    return { tool: toolOf.get(fn) ?? fn, args: firstValues(a[fn]) };
  });
}

function firstValues(accepted: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, acc] of Object.entries(accepted)) {
    const first = Array.isArray(acc) ? acc[0] : acc;
    if (first === "" || first === undefined) continue;
    out[k] = concrete(first);
  }
  return out;
}

/** An accepted value as a plain value: dicts inside hold accepted values per key. */
function concrete(v: unknown): unknown {
  if (v instanceof PyFloat) return v.value;
  if (Array.isArray(v)) return v.map(concrete);
  if (v !== null && typeof v === "object") return firstValues(v as Record<string, unknown>);
  return v;
}
