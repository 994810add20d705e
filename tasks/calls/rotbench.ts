/**
 * `rotbench` mode: RoTBench's rules for judging a call (its Code/Evaluation/evaluate.py), so that
 * scores are comparable with the paper's. One call against one accepted call, in three steps —
 * the three stages RoTBench scores:
 * 1. **tool selection**: the tool name must be the accepted call's, verbatim;
 * 2. **parameter identification**: the call's parameter names must be exactly the accepted
 *    call's, no more and no fewer (a parameter whose accepted values hold `""` may be left out);
 * 3. **content filling**: each value must equal one accepted value exactly — JSON equality, no
 *    case or whitespace folding, no type coercion (`"5"` ≠ `5`) — unless the accepted values hold
 *    the check's wildcard (RoTBench's `"None"`), which takes any value.
 *
 * Values are not checked against the parameters' schema (RoTBench does not). Several calls are
 * paired with several accepted calls by a maximum matching, as in strict mode. One difference
 * from RoTBench's script, on purpose: a call with no arguments is judged like any other (the
 * script reads `{}` as an unparsable call, so its cases whose answer takes no arguments cannot be
 * won by anyone).
 * @module
 */
import type { Call, PossibleCall } from "../../spec/types.ts";
import { maxMatching } from "./matching.ts";
import { isDict, plainJson } from "./py_value.ts";
import { answerParts, type CallsInput, type CallsVerdict, invalid, show, VALID } from "./types.ts";

const list = (acc: unknown): unknown[] => (Array.isArray(acc) ? acc : [acc]);

/** Exact equality with one accepted value; a dict in `o` holds accepted values per key. */
function equalsExactly(value: unknown, o: unknown): boolean {
  if (Array.isArray(o)) {
    return Array.isArray(value) && value.length === o.length &&
      o.every((e, i) => equalsExactly(value[i], e));
  }
  if (isDict(o)) {
    if (!isDict(value)) return false;
    return Object.entries(value).every(([k, v]) =>
      Object.hasOwn(o, k) && list(o[k]).some((x) => x !== "" && equalsExactly(v, x))
    ) && Object.entries(o).every(([k, acc]) => Object.hasOwn(value, k) || list(acc).includes(""));
  }
  return value === o;
}

/**
 * The parameter names of `args` against an accepted call's: undefined when they are exactly its
 * (leaving out only parameters that accept `""`), else what differs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { paramNamesProblem } from "./rotbench.ts";
 * assert.ok(paramNamesProblem({ a: 1 }, { a: [1], b: ["", 2] }) === undefined);
 * assert.ok(paramNamesProblem({ a: 1, c: 3 }, { a: [1] }) === 'unexpected parameter "c"');
 * ```
 */
export function paramNamesProblem(
  args: Record<string, unknown>,
  expected: Record<string, unknown[]>,
): string | undefined {
  const extra = Object.keys(args).filter((k) => !Object.hasOwn(expected, k));
  if (extra.length) {
    return `unexpected parameter${extra.length > 1 ? "s" : ""} ${
      extra.map((k) => `"${k}"`).join(", ")
    }`;
  }
  const missing = Object.entries(expected)
    .filter(([k, acc]) => !Object.hasOwn(args, k) && !list(acc).includes(""))
    .map(([k]) => `"${k}"`);
  return missing.length
    ? `missing parameter${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`
    : undefined;
}

/**
 * One call against one accepted call by RoTBench's rules.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rotbenchCheckOne } from "./rotbench.ts";
 * const answer = { translate: { text: ["Hi"], max_length: ["None"] } };
 * const call = { tool: "translate", args: { text: "Hi", max_length: "64" } };
 * assert.ok(rotbenchCheckOne(call, answer, { wildcard: "None" }).valid);
 * assert.ok(!rotbenchCheckOne({ ...call, args: { text: "hi", max_length: "64" } }, answer, { wildcard: "None" }).valid);
 * ```
 */
export function rotbenchCheckOne(
  call: Call,
  answer: PossibleCall,
  opts: { wildcard?: string } = {},
): CallsVerdict {
  const [name, expected] = answerParts(answer);
  if (call.tool !== name) {
    return invalid("wrong_func_name", `expected a call to ${name}, got ${call.tool}`);
  }
  const names = paramNamesProblem(call.args, expected);
  if (names) return invalid("wrong_params", `${name}: ${names}`);
  for (const [param, value] of Object.entries(call.args)) {
    const accepted = list(expected[param]);
    if (opts.wildcard !== undefined && accepted.includes(opts.wildcard)) continue;
    if (!accepted.some((o) => o !== "" && equalsExactly(value, o))) {
      return invalid(
        "value_error",
        `parameter "${param}" is ${show(value)}; expected ${
          accepted.length === 1 ? show(accepted[0]) : `one of ${show(accepted)}`
        }`,
      );
    }
  }
  return VALID;
}

/**
 * Judge a list of calls in rotbench mode (see the module doc): one call per accepted call, in any
 * order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkRotbench } from "./rotbench.ts";
 * const answers = [{ get_weather: { city: ["Paris"] } }];
 * assert.ok(checkRotbench({ calls: [{ tool: "get_weather", args: { city: "Paris" } }], answers, functions: {} }).valid);
 * assert.ok(!checkRotbench({ calls: [{ tool: "get_weather", args: { city: "paris" } }], answers, functions: {} }).valid);
 * ```
 */
export function checkRotbench(input: CallsInput): CallsVerdict {
  const calls = input.calls.map((c) => ({ tool: c.tool, args: plainJson(c.args) as Call["args"] }));
  const answers = plainJson(input.answers) as PossibleCall[];
  if (calls.length !== answers.length) {
    return invalid(
      answers.length === 0 ? "made_calls" : "wrong_count",
      `expected ${answers.length} call${answers.length === 1 ? "" : "s"}, got ${calls.length}`,
    );
  }
  if (answers.length === 0) return VALID;
  const opts = { wildcard: input.wildcard };
  const verdicts = answers.map((a) => calls.map((c) => rotbenchCheckOne(c, a, opts)));
  if (answers.length === 1) return verdicts[0][0];
  const match = maxMatching(answers.length, calls.length, (i, j) => verdicts[i][j].valid);
  const i = match.indexOf(-1);
  if (i === -1) return VALID;
  const name = answerParts(answers[i])[0];
  return {
    valid: false,
    error_type: "no_match",
    errors: [
      `no call is left for answer ${i} (${name})`,
      ...verdicts[i].flatMap((v, j) =>
        v.valid || calls[j].tool !== name ? [] : [`call ${j}: ${v.errors.join("; ")}`]
      ),
    ],
  };
}
