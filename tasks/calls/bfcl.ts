/**
 * `bfcl` mode: the Berkeley Function Calling Leaderboard's AST rules for Python, quirks included,
 * so that scores are comparable with the leaderboard's. testdata/bfcl/cases.jsonl holds 120 calls
 * with the verdict BFCL's own checker gives each; a test reproduces every one.
 *
 * The rules, in the order BFCL applies them to one call:
 * 1. the function name must be the answer's, verbatim;
 * 2. every parameter the schema requires must be present;
 * 3. each given parameter must be in the schema *and* in the answer;
 * 4. its Python type must be the schema's (an int passes for a float; `any` means str; an array's
 *    items are checked one level deep, without the int→float allowance; a dict's values are not
 *    type-checked); a value of the answer's type instead passes as a "variable";
 * 5. its value must be among the answer's: strings (also inside lists and dicts, one level deep)
 *    after {@link bfclStandardize}, lists exactly in order, dicts key by key, others by Python `==`
 *    (so `True == 1`); an answer of `""` for a list parameter lets `[]` through;
 * 6. every answer parameter that is not given must list `""` (may be omitted).
 * Several calls (parallel categories) are matched greedily: each answer in order takes the first
 * unmatched call that passes, even when another answer needed that call.
 * @module
 */
import type { Call, JsonSchema, PossibleCall } from "../../spec/types.ts";
import { isDict, pyEqual, PyFloat, pyIn, pyIter, type PyType, pyType } from "./py_value.ts";
import { bfclStandardize } from "./strings.ts";
import { BFCL_LANGUAGE_TYPES, javaConvert, jsConvert } from "./bfcl_language.ts";
import {
  answerParts,
  type CallsInput,
  type CallsVerdict,
  invalid,
  schemaParts,
  show,
  VALID,
} from "./types.ts";

/** BFCL's parameter types (and their JSON Schema names) as Python types. */
const PY_TYPES: Record<string, PyType> = {
  string: "str",
  integer: "int",
  float: "float",
  number: "float",
  boolean: "bool",
  array: "list",
  tuple: "list",
  dict: "dict",
  object: "dict",
  any: "str",
};

/** The schema's type name; a type list counts as its first non-null entry, none as `any`. */
function typeName(s: JsonSchema | undefined): string {
  const t = s?.type;
  if (Array.isArray(t)) return String(t.find((x) => x !== "null") ?? "any");
  return typeof t === "string" ? t : "any";
}

const pyTypeOf = (name: string): PyType => PY_TYPES[name] ?? "str";

const std = (v: unknown) => (typeof v === "string" ? bfclStandardize(v) : v);

/** The type of the first answer value that is not `""`, if any. */
function answerType(options: readonly unknown[]): PyType | undefined {
  const first = options.find((o) => o !== "");
  return first === undefined ? undefined : pyType(first);
}

interface TypeResult {
  valid: boolean;
  variable: boolean;
  error_type?: string;
  error?: string;
}

function typeCheck(
  param: string,
  value: unknown,
  o: { options: readonly unknown[]; desc: string; expected: PyType; nested?: PyType },
): TypeResult {
  const paType = answerType(o.options);
  const variable = paType !== undefined && paType !== o.expected;
  let nestedFailure = false;
  if (pyType(value) === o.expected) {
    if (o.nested === undefined) return { valid: true, variable };
    for (const option of o.options) {
      let ok = true;
      if (Array.isArray(option)) {
        for (const item of value as unknown[]) {
          const r = typeCheck(param, item, {
            options: option,
            desc: o.nested,
            expected: o.nested,
          });
          if (!r.valid) {
            ok = false;
            break;
          }
        }
      }
      if (ok) return { valid: true, variable };
    }
    nestedFailure = true;
  }
  if (paType !== undefined && pyType(value) === paType) {
    return nestedFailure
      ? {
        valid: false,
        variable: true,
        error_type: "type_error:nested",
        error: `items of parameter "${param}" are not all ${o.nested}: ${show(value)}`,
      }
      : { valid: true, variable: true };
  }
  return {
    valid: false,
    variable: false,
    error_type: "type_error:simple",
    error: `parameter "${param}" should be ${o.desc}, got ${pyType(value)} ${show(value)}`,
  };
}

function stringCheck(param: string, value: string, options: readonly unknown[]): CallsVerdict {
  const accepted = options.filter((o) => typeof o === "string").map((o) => bfclStandardize(o));
  if (accepted.includes(bfclStandardize(value))) return VALID;
  return invalid(
    "value_error:string",
    `parameter "${param}" is ${show(value)}; expected one of ${show(options)} (case ignored)`,
  );
}

function listCheck(param: string, value: unknown[], options: readonly unknown[]): CallsVerdict {
  const given = value.map(std);
  const ok = options.some((o) => {
    const items = pyIter(o);
    return items !== undefined && pyEqual(given, items.map(std));
  });
  if (ok) return VALID;
  return invalid(
    "value_error:list/tuple",
    `parameter "${param}" is ${show(value)}; expected one of ${show(options)}`,
  );
}

function dictCheck(
  param: string,
  value: Record<string, unknown>,
  options: readonly unknown[],
): CallsVerdict {
  let result: CallsVerdict = invalid(
    "dict_checker:unclear",
    `parameter "${param}" matches no dict`,
  );
  for (const option of options) {
    if (option === "") continue;
    result = { valid: false, error_type: "dict_checker:unclear", errors: [] };
    if (!isDict(option)) continue;
    let ok = true;
    for (const [key, v] of Object.entries(value)) {
      if (!Object.hasOwn(option, key)) {
        result.error_type = "value_error:dict_key";
        result.errors.push(`parameter "${param}" has an unexpected key "${key}"`);
        ok = false;
        break;
      }
      const accepted = (pyIter(option[key]) ?? []).map(std);
      if (!pyIn(std(v), accepted)) {
        result.error_type = "value_error:dict_value";
        result.errors.push(
          `key "${key}" of parameter "${param}" is ${show(v)}; expected one of ${show(accepted)}`,
        );
        ok = false;
        break;
      }
    }
    // BFCL looks for missing keys even after a failure above, and its label wins.
    for (const [key, accepted] of Object.entries(option)) {
      if (!Object.hasOwn(value, key) && !pyIn("", accepted)) {
        result.error_type = "value_error:dict_key";
        result.errors.push(`parameter "${param}" lacks the key "${key}"`);
        ok = false;
        break;
      }
    }
    if (ok) return VALID;
  }
  return result;
}

function listDictCheck(param: string, value: unknown[], options: readonly unknown[]): CallsVerdict {
  let result = invalid("list_dict_checker:unclear", `parameter "${param}" matches no list`);
  for (const option of options) {
    const dicts = pyIter(option) ?? [];
    if (value.length !== dicts.length) {
      result = invalid(
        "value_error:list_dict_count",
        `parameter "${param}" has ${value.length} dicts; expected ${dicts.length}`,
      );
      continue;
    }
    let ok = true;
    for (let i = 0; i < value.length; i++) {
      result = dictCheck(param, value[i] as Record<string, unknown>, [dicts[i]]);
      if (!result.valid) {
        ok = false;
        break;
      }
    }
    if (ok) return VALID;
  }
  return result;
}

/** One call against one possible answer, with the function's parameter schema. */
export function bfclCheckOne(
  schema: JsonSchema | undefined,
  call: Call,
  answer: PossibleCall,
): CallsVerdict {
  const [name, expected] = answerParts(answer);
  const sc = "simple_function_checker";
  if (call.tool !== name) {
    return invalid(`${sc}:wrong_func_name`, `expected a call to ${name}, got ${call.tool}`);
  }
  const { props, required } = schemaParts(schema);
  const args = call.args;
  for (const p of required) {
    if (!Object.hasOwn(args, p)) {
      return invalid(`${sc}:missing_required`, `${name} lacks the required parameter "${p}"`);
    }
  }
  for (let [param, value] of Object.entries(args)) {
    if (!Object.hasOwn(props, param) || !Object.hasOwn(expected, param)) {
      return invalid(`${sc}:unexpected_param`, `${name} got an unexpected parameter "${param}"`);
    }
    const options = expected[param];
    const language = props[param]["x-bfcl-language"];
    let desc = typeName(props[param]);
    let want = pyTypeOf(desc);
    let nested = desc === "array" || desc === "tuple"
      ? (props[param].items ? pyTypeOf(typeName(props[param].items as JsonSchema)) : undefined)
      : undefined;
    if (language === "java" || language === "javascript") {
      // A Java/JavaScript parameter: a string of source text, converted to its type first.
      desc = String(props[param]["x-bfcl-type"]);
      const types = BFCL_LANGUAGE_TYPES[language];
      if (typeof value !== "string") {
        return invalid(
          `type_error:${language === "java" ? "java" : "js"}`,
          `parameter "${param}" should be a string of ${language} source, got ${pyType(value)} ${
            show(value)
          }`,
        );
      }
      const items = props[param]["x-bfcl-items"] as string | undefined;
      const listy = desc === "Array" || desc === "ArrayList" || desc === "array";
      value = language === "java"
        ? javaConvert(value, desc, listy ? items : undefined)
        : jsConvert(value, desc, listy ? items : undefined);
      want = (types[desc] ?? "str") as PyType;
      nested = listy && items !== undefined ? (types[items] ?? "str") as PyType : undefined;
    } // Python's int → float allowance, at the top level only.
    else if (desc === "float" || desc === "number") {
      if (pyType(value) === "int") value = new PyFloat(value as number);
    }
    const t = typeCheck(param, value, { options, desc, expected: want, nested });
    if (!t.valid) return invalid(t.error_type!, t.error!);
    if (!t.variable) {
      let r: CallsVerdict | undefined;
      if (want === "dict") r = dictCheck(param, value as Record<string, unknown>, options);
      else if (want === "list" && nested === "dict") {
        r = listDictCheck(param, value as unknown[], options);
      } else if (want === "str") r = stringCheck(param, value as string, options);
      else if (want === "list") r = listCheck(param, value as unknown[], options);
      if (r !== undefined) {
        if (!r.valid) return r;
        continue;
      }
    }
    if (!pyIn(value, options)) {
      return invalid(
        "value_error:others",
        `parameter "${param}" is ${show(value)}; expected one of ${show(options)}`,
      );
    }
  }
  for (const [param, options] of Object.entries(expected)) {
    if (!Object.hasOwn(args, param) && !pyIn("", options)) {
      return invalid(
        `${sc}:missing_optional`,
        `${name} lacks "${param}", which the answer does not mark as optional`,
      );
    }
  }
  return VALID;
}

/**
 * Judge a list of calls by BFCL's rules (see the module doc). Function names are compared
 * verbatim; map tool names to the answers' names first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkBfcl } from "./bfcl.ts";
 * const functions = { "math.factorial": { type: "dict", properties: { number: { type: "integer" } }, required: ["number"] } };
 * const answers = [{ "math.factorial": { number: [5] } }];
 * assert.ok(checkBfcl({ calls: [{ tool: "math.factorial", args: { number: 5 } }], answers, functions }).valid);
 * assert.ok(!checkBfcl({ calls: [{ tool: "math.factorial", args: { number: "5" } }], answers, functions }).valid);
 * ```
 */
export function checkBfcl(input: CallsInput): CallsVerdict {
  const { calls, answers, functions } = input;
  const category = input.category ?? (answers.length <= 1 ? "simple" : "parallel");
  if (answers.length === 0) {
    return calls.length === 0
      ? VALID
      : invalid("irrelevance:made_calls", `expected no call, got ${calls.length}`);
  }
  const label = category === "simple"
    ? "simple_function_checker"
    : category === "multiple"
    ? "multiple_function_checker"
    : "parallel_function_checker_no_order";
  if (calls.length !== answers.length) {
    return invalid(
      `${label}:wrong_count`,
      `expected ${answers.length} call${answers.length > 1 ? "s" : ""}, got ${calls.length}`,
    );
  }
  const schemaOf = (a: PossibleCall) => functions[answerParts(a)[0]];
  if (category === "simple" || category === "multiple") {
    return bfclCheckOne(schemaOf(answers[0]), calls[0], answers[0]);
  }
  const taken = new Set<number>();
  for (const [i, answer] of answers.entries()) {
    const reasons: string[] = [];
    let found = false;
    for (const [j, call] of calls.entries()) {
      if (taken.has(j)) continue;
      const r = bfclCheckOne(schemaOf(answer), call, answer);
      if (r.valid) {
        taken.add(j);
        found = true;
        break;
      }
      reasons.push(`call ${j}: ${r.errors.join("; ")} (${r.error_type})`);
    }
    if (!found) {
      return {
        valid: false,
        error_type: `${label}:cannot_find_match`,
        errors: [
          `no call left matches answer ${i} (${answerParts(answer)[0]})`,
          ...reasons,
        ],
      };
    }
  }
  return VALID;
}
