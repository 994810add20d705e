import type { Call, PossibleCall } from "../../spec/types.ts";
import { paramNamesProblem } from "./rotbench.ts";
import { answerParts, type CallStages, type CallsVerdict, show } from "./types.ts";

/** The stages in order: a first action that reaches stage k passed the first k. */
const STAGES = ["tool_selection", "parameter_identification", "content_filling"] as const;

function describe(first: Call | null | undefined): string {
  if (first === undefined) return "a final answer without a call";
  if (first === null) return "a call that reached no tool (an unknown name or an unreadable call)";
  return `${first.tool}(${show(first.args)})`;
}

/**
 * RoTBench's scoring of a first action against accepted alternatives, each at most one call (an
 * empty one accepts answering straight away): the stage it reaches against each alternative —
 * 0 wrong tool, 1 right tool, 2 right parameter names, 3 right values (`judge` decides, by the
 * check's mode) — and the best of them. It passes at stage 3; `error_type` names the first
 * stage it failed, `stages` says which it passed.
 *
 * `first` is the first call the agent tried, in the answers' function names (null: it reached
 * no tool), or undefined when the agent answered without calling anything.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { firstActionVerdict } from "./first_action.ts";
 * const judge = (c: { args: Record<string, unknown> }, _a: unknown) =>
 *   c.args.city === "Paris" ? { valid: true, errors: [] } : { valid: false, errors: ["city"] };
 * const alternatives = [[{ weather: { city: ["Paris"] } }], [{ search: { q: ["Paris weather"] } }]];
 * const v = firstActionVerdict({ tool: "weather", args: { city: "Rome" } }, { alternatives, judge });
 * assert.ok(!v.valid && v.error_type === "content_filling" && v.stages!.parameter_identification);
 * ```
 */
export function firstActionVerdict(
  first: Call | null | undefined,
  opts: {
    alternatives: readonly (readonly PossibleCall[])[];
    judge: (call: Call, answer: PossibleCall) => CallsVerdict;
  },
): CallsVerdict {
  let best = -1, reason = "";
  for (const alt of opts.alternatives) {
    const [stage, why] = stageOf(first, alt, opts.judge);
    if (stage > best) [best, reason] = [stage, why];
    if (best === 3) break;
  }
  const stages = Object.fromEntries(STAGES.map((s, i) => [s, best > i])) as unknown as CallStages;
  if (best === 3) return { valid: true, errors: [], stages };
  const accepted = opts.alternatives.map((alt) =>
    alt.length === 0 ? "a final answer" : answerParts(alt[0])[0]
  );
  return {
    valid: false,
    error_type: STAGES[Math.max(best, 0)],
    errors: [
      `first action: ${describe(first)}; accepted: ${[...new Set(accepted)].join(", ")}`,
      ...(reason ? [reason] : []),
    ],
    stages,
  };
}

/** The stage `first` reaches against one alternative, and why it stops there. */
function stageOf(
  first: Call | null | undefined,
  alt: readonly PossibleCall[],
  judge: (call: Call, answer: PossibleCall) => CallsVerdict,
): [number, string] {
  if (alt.length === 0) return first === undefined ? [3, ""] : [0, ""];
  if (!first) return [0, ""];
  const [name, expected] = answerParts(alt[0]);
  if (first.tool !== name) return [0, ""];
  const names = paramNamesProblem(first.args, expected);
  if (names) return [1, `${name}: ${names}`];
  const v = judge(first, alt[0]);
  return v.valid ? [3, ""] : [2, v.errors.join("; ")];
}
