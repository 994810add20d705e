import assert from "node:assert/strict";
import type { CallsCheck, JsonSchema, PossibleCall } from "../../spec/types.ts";
import { checkBfcl } from "./bfcl.ts";
import { checkCalls, goldFromAnswers } from "./check_calls.ts";
import { checkStrict } from "./strict.ts";
import { PyFloat } from "./py_value.ts";

const f = (properties: Record<string, JsonSchema>, required: string[] = []) => ({
  f: { type: "object", properties, required },
});
const both = (
  functions: Record<string, JsonSchema>,
  answers: PossibleCall[],
  calls: Record<string, unknown>[],
) => {
  const x = { calls: calls.map((args) => ({ tool: "f", args })), answers, functions };
  return { bfcl: checkBfcl(x), strict: checkStrict(x) };
};

Deno.test("greedy matching strands a call that optimal matching pairs", () => {
  const r = both(f({ x: { type: "integer" } }), [{ f: { x: [1, 2] } }, { f: { x: [1] } }], [
    { x: 1 },
    { x: 2 },
  ]);
  assert.equal(r.bfcl.valid, false);
  assert.equal(r.bfcl.error_type, "parallel_function_checker_no_order:cannot_find_match");
  assert.equal(r.strict.valid, true);
  // The other order is fine for both.
  const s = both(f({ x: { type: "integer" } }), [{ f: { x: [1, 2] } }, { f: { x: [1] } }], [
    { x: 2 },
    { x: 1 },
  ]);
  assert.ok(s.bfcl.valid && s.strict.valid);
});

Deno.test("strict checks types inside dict parameters; bfcl does not", () => {
  const fn = f({
    where: { type: "object", properties: { zip: { type: "integer" }, city: { type: "string" } } },
  });
  const r = both(fn, [{ f: { where: [{ zip: [94110], city: ["SF"] }] } }], [{
    where: { zip: true, city: "SF" },
  }]);
  // Python: True == 94110 is false, so BFCL fails on the value; make it pass by value instead.
  const r1 = both(fn, [{ f: { where: [{ zip: [1], city: ["SF"] }] } }], [{
    where: { zip: true, city: "SF" },
  }]);
  assert.equal(r.bfcl.error_type, "value_error:dict_value");
  assert.equal(r1.bfcl.valid, true, "BFCL: True == 1 inside a dict, no type check there");
  assert.equal(r1.strict.valid, false);
  assert.equal(r1.strict.error_type, "type_error");
  assert.match(r1.strict.errors[0], /where\.zip should be integer/);
});

Deno.test("strict keeps signs and decimal points; bfcl strips them", () => {
  const fn = f({ t: { type: "string" } });
  const r = both(fn, [{ f: { t: ["12"] } }], [{ t: "-12" }]);
  assert.ok(r.bfcl.valid);
  assert.equal(r.strict.error_type, "value_error");
  const ok = both(fn, [{ f: { t: ["New York, NY"] } }], [{ t: "new_york ny" }]);
  assert.ok(ok.bfcl.valid && ok.strict.valid);
});

Deno.test('"" means omitted: bfcl also takes an explicit "" or [], strict does not', () => {
  const fn = f({ team: { type: "string" }, deck: { type: "array", items: { type: "string" } } });
  const answers = [{ f: { team: [""], deck: [""] } }];
  for (const args of [{ team: "" }, { deck: [] }]) {
    const r = both(fn, answers, [args]);
    assert.ok(r.bfcl.valid, JSON.stringify(args));
    assert.equal(r.strict.valid, false, JSON.stringify(args));
  }
  assert.ok(both(fn, answers, [{}]).strict.valid);
});

Deno.test("numbers: int passes for float in both; 3.0 is a float to bfcl, an integer to strict", () => {
  const fn = f({ n: { type: "integer" }, x: { type: "number" } });
  const answers = [{ f: { n: [3], x: [2] } }];
  assert.ok(both(fn, answers, [{ n: 3, x: 2 }]).bfcl.valid);
  const r = both(fn, answers, [{ n: new PyFloat(3), x: 2 }]);
  assert.equal(r.bfcl.error_type, "type_error:simple");
  assert.ok(r.strict.valid);
  // Booleans are not numbers in strict mode; in Python True == 1 but type(True) is bool.
  const b = both(fn, [{ f: { n: [1], x: [2] } }], [{ n: true, x: 2 }]);
  assert.ok(!b.bfcl.valid && !b.strict.valid);
});

Deno.test("bfcl checks array items one level deep without the int → float allowance", () => {
  const fn = f({ xs: { type: "array", items: { type: "float" } } });
  const r = both(fn, [{ f: { xs: [[new PyFloat(1), 2.5]] } }], [{ xs: [1, 2.5] }]);
  assert.equal(r.bfcl.error_type, "type_error:nested");
  assert.ok(r.strict.valid);
});

Deno.test("no answers: no call is expected", () => {
  const r = both(f({}), [], []);
  assert.ok(r.bfcl.valid && r.strict.valid);
  const r2 = both(f({}), [], [{}]);
  assert.ok(!r2.bfcl.valid && !r2.strict.valid);
});

Deno.test("checkCalls maps tool names to the answers' names, and gold goes back", () => {
  const check: CallsCheck = {
    mode: "strict",
    answers: [{ "math.factorial": { number: [5] } }, {
      "math.sqrt": { x: [16], exact: ["", true] },
    }],
    names: { math_factorial: "math.factorial", math_sqrt: "math.sqrt" },
    functions: {
      "math.factorial": { type: "object", properties: { number: { type: "integer" } } },
      "math.sqrt": {
        type: "object",
        properties: { x: { type: "number" }, exact: { type: "boolean" } },
      },
    },
  };
  const gold = goldFromAnswers(check.answers, check.names);
  assert.deepEqual(gold, [
    { tool: "math_factorial", args: { number: 5 } },
    { tool: "math_sqrt", args: { x: 16 } },
  ]);
  for (const mode of ["strict", "bfcl"] as const) {
    assert.ok(checkCalls([...gold].reverse(), { ...check, mode }).valid, mode);
    const v = checkCalls([{ tool: "math.factorial", args: { number: 5 } }, gold[1]], {
      ...check,
      mode,
    });
    assert.ok(v.valid, "the original name is accepted too (it is what the answers use)");
    assert.ok(!checkCalls([gold[0]], { ...check, mode }).valid);
  }
});
