/**
 * `strict` mode (the default): BFCL's rules in spirit, without their known flaws. The same
 * possible-answer format and the same steps (name, required parameters, no unknown parameters,
 * types, values, omissions), with these differences from `bfcl` mode:
 *
 * - **Parallel calls are matched optimally** (a maximum bipartite matching between answers and
 *   calls) instead of greedily, so the order of the calls never changes the verdict. Greedy
 *   matching fails `[f(x=1), f(x=2)]` against answers `f(x∈{1,2})`, `f(x∈{1})`.
 * - **Types are checked all the way down**: inside dict parameters and nested arrays, by the JSON
 *   Schema's `properties` and `items` (BFCL checks array items one level deep, dict values not at
 *   all).
 * - **JSON number semantics**: an integer is a number whose value is integral (`3.0` passes for an
 *   integer, as in JSON Schema), an integer passes for a number at every depth, and booleans are
 *   never numbers (BFCL follows Python, where `True == 1`).
 * - **Strings compare by tokens** ({@link strictTokens}): case, whitespace and the separators
 *   `, . _ / -` between words are ignored, but a sign or decimal point inside a number and other
 *   symbols are kept, so "-12" ≠ "12", "3.5" ≠ "35" and "x*2" ≠ "x**2" (BFCL deletes `,./-_*^`).
 * - **`""` only means "may be omitted"**: an explicit `""` or `[]` is not taken for an omission.
 * - **No "variables"**: a value must have the schema's type; BFCL also lets through a value of the
 *   possible answer's type.
 * - **Strings are compared the same way inside lists and dicts at any depth**.
 *
 * With a `wildcard` (RoTBench's `"None"`), a parameter whose accepted values hold it takes any
 * value of its type; it must still be given unless `""` is accepted too.
 * @module
 */
import type { Call, JsonSchema, PossibleCall } from "../../spec/types.ts";
import { maxMatching } from "./matching.ts";
import { isDict, plainJson } from "./py_value.ts";
import { strictStringEqual } from "./strings.ts";
import {
  answerParts,
  type CallsInput,
  type CallsVerdict,
  invalid,
  schemaParts,
  show,
  VALID,
} from "./types.ts";

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (v === null) return "null";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v === "object" ? "object" : typeof v;
}

/** Does `v` have JSON Schema type `t`? BFCL's names (float, dict, tuple, any) are understood. */
function fits(v: unknown, t: string): boolean {
  switch (t) {
    case "string":
      return typeof v === "string";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "number":
    case "float":
      return typeof v === "number";
    case "boolean":
      return typeof v === "boolean";
    case "array":
    case "tuple":
      return Array.isArray(v);
    case "object":
    case "dict":
      return isDict(v);
    case "null":
      return v === null;
    default:
      return true; // "any", or a type this checker does not know: no constraint
  }
}

/**
 * The first place where `value` does not have its schema's type, looking inside arrays (`items`)
 * and objects (`properties`) at every depth; undefined when it fits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { typeProblem } from "./strict.ts";
 * const schema = { type: "object", properties: { n: { type: "integer" } } };
 * assert.ok(typeProblem({ n: "5" }, schema, "q")?.startsWith("q.n"));
 * assert.ok(typeProblem({ n: 5 }, schema, "q") === undefined);
 * ```
 */
export function typeProblem(
  value: unknown,
  schema: JsonSchema | undefined,
  path: string,
): string | undefined {
  if (!schema) return undefined;
  const t = schema.type;
  const types = t === undefined ? [] : (Array.isArray(t) ? t : [t]).map(String);
  if (types.length > 0 && !types.some((x) => fits(value, x))) {
    return `${path} should be ${types.join(" or ")}, got ${jsonType(value)} ${show(value)}`;
  }
  if (Array.isArray(value) && isDict(schema.items)) {
    for (const [i, item] of value.entries()) {
      const p = typeProblem(item, schema.items, `${path}[${i}]`);
      if (p) return p;
    }
  }
  if (isDict(value) && isDict(schema.properties)) {
    const props = schema.properties as Record<string, JsonSchema>;
    for (const [k, v] of Object.entries(value)) {
      const p = Object.hasOwn(props, k) ? typeProblem(v, props[k], `${path}.${k}`) : undefined;
      if (p) return p;
    }
  }
  return undefined;
}

/** Stands in for the check's wildcard among a parameter's accepted values: any value matches. */
const ANY_VALUE = Object.freeze({ toJSON: () => "<any value>" });

/** Answers with each parameter's wildcard value replaced by {@link ANY_VALUE}. */
function withWildcard(answers: PossibleCall[], wildcard: string | undefined): PossibleCall[] {
  if (wildcard === undefined) return answers;
  return answers.map((a) => {
    const [name, params] = answerParts(a);
    const out = Object.entries(params).map((
      [k, acc],
    ) => [k, acc.map((o) => (o === wildcard ? ANY_VALUE : o))]);
    return { [name]: Object.fromEntries(out) };
  });
}

/** Does `value` equal the accepted value `o`? Dicts in `o` hold accepted values per key. */
function matches(value: unknown, o: unknown): boolean {
  if (o === ANY_VALUE) return true;
  if (typeof o === "string") return typeof value === "string" && strictStringEqual(value, o);
  if (typeof o === "number") return typeof value === "number" && value === o;
  if (typeof o === "boolean" || o === null) return value === o;
  if (Array.isArray(o)) {
    return Array.isArray(value) && value.length === o.length &&
      o.every((e, i) => matches(value[i], e));
  }
  if (isDict(o)) {
    if (!isDict(value)) return false;
    const keysOk = Object.entries(value).every(([k, v]) => Object.hasOwn(o, k) && anyOf(v, o[k]));
    return keysOk &&
      Object.entries(o).every(([k, acc]) => Object.hasOwn(value, k) || omittable(acc));
  }
  return false;
}

const list = (acc: unknown): unknown[] => (Array.isArray(acc) ? acc : [acc]);
/** Accepted values of one parameter or key: `""` marks omission and matches no given value. */
const anyOf = (v: unknown, acc: unknown) => list(acc).some((o) => o !== "" && matches(v, o));
const omittable = (acc: unknown) => list(acc).includes("");

/** One call against one possible answer, with the function's parameter schema. */
export function strictCheckOne(
  schema: JsonSchema | undefined,
  call: Call,
  answer: PossibleCall,
): CallsVerdict {
  const [name, expected] = answerParts(answer);
  if (call.tool !== name) {
    return invalid("wrong_func_name", `expected a call to ${name}, got ${call.tool}`);
  }
  const { props, required } = schemaParts(schema);
  for (const p of required) {
    if (!Object.hasOwn(call.args, p)) {
      return invalid("missing_required", `${name} lacks the required parameter "${p}"`);
    }
  }
  for (const [param, value] of Object.entries(call.args)) {
    if (!Object.hasOwn(props, param) || !Object.hasOwn(expected, param)) {
      return invalid("unexpected_param", `${name} got an unexpected parameter "${param}"`);
    }
    const problem = typeProblem(value, props[param], param);
    if (problem) return invalid("type_error", problem);
    if (!anyOf(value, expected[param])) {
      return invalid(
        "value_error",
        `parameter "${param}" is ${show(value)}; expected one of ${show(expected[param])}`,
      );
    }
  }
  for (const [param, acc] of Object.entries(expected)) {
    if (!Object.hasOwn(call.args, param) && !omittable(acc)) {
      return invalid("missing_optional", `${name} lacks "${param}", which may not be omitted`);
    }
  }
  return VALID;
}

/**
 * Judge a list of calls in strict mode (see the module doc): one call per answer, paired by a
 * maximum matching, so any order of the calls gets the same verdict.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkStrict } from "./strict.ts";
 * const functions = { f: { type: "object", properties: { x: { type: "integer" } } } };
 * const answers = [{ f: { x: [1, 2] } }, { f: { x: [1] } }];
 * const calls = [{ tool: "f", args: { x: 1 } }, { tool: "f", args: { x: 2 } }];
 * assert.ok(checkStrict({ calls, answers, functions }).valid); // greedy BFCL says no
 * ```
 */
export function checkStrict(input: CallsInput): CallsVerdict {
  // Python's float spelling (PyFloat) means nothing here: JSON numbers are just numbers.
  const calls = input.calls.map((c) => ({ tool: c.tool, args: plainJson(c.args) as Call["args"] }));
  const answers = withWildcard(plainJson(input.answers) as PossibleCall[], input.wildcard);
  const functions = input.functions;
  if (calls.length !== answers.length) {
    return invalid(
      answers.length === 0 ? "made_calls" : "wrong_count",
      `expected ${answers.length} call${answers.length === 1 ? "" : "s"}, got ${calls.length}`,
    );
  }
  if (answers.length === 0) return VALID;
  const schemaOf = (a: PossibleCall) => functions[answerParts(a)[0]];
  const verdicts = answers.map((a) => calls.map((c) => strictCheckOne(schemaOf(a), c, a)));
  if (answers.length === 1) return verdicts[0][0];
  const match = maxMatching(answers.length, calls.length, (i, j) => verdicts[i][j].valid);
  const i = match.indexOf(-1);
  if (i === -1) return VALID;
  const name = answerParts(answers[i])[0];
  const fitting = verdicts[i].flatMap((v, j) => (v.valid ? [j] : []));
  return {
    valid: false,
    error_type: "no_match",
    errors: [
      fitting.length > 0
        ? `answer ${i} (${name}) is only met by calls ${
          fitting.join(", ")
        }, which other answers need`
        : `no call meets answer ${i} (${name})`,
      ...verdicts[i].flatMap((v, j) =>
        v.valid || calls[j].tool !== name ? [] : [`call ${j}: ${v.errors.join("; ")}`]
      ),
    ],
  };
}
