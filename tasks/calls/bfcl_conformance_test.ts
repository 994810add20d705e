import assert from "node:assert/strict";
import type { Call, JsonSchema, PossibleCall } from "../../spec/types.ts";
import { checkBfcl } from "./bfcl.ts";
import { parseJsonKeepFloats, plainJson } from "./py_value.ts";
import { checkStrict } from "./strict.ts";
import type { BfclCategory } from "./types.ts";

/** One row of testdata/bfcl/cases.jsonl: a BFCL case, a candidate, and BFCL's own verdict. */
interface CaseRow {
  id: string;
  category: string;
  function: { name: string; parameters: JsonSchema }[];
  possible_answer: PossibleCall[];
  candidate: Record<string, Record<string, unknown>>[];
  perturbation: string;
  bfcl_valid: boolean;
  bfcl_error_type: string | null;
}

const text = await Deno.readTextFile(new URL("../../testdata/bfcl/cases.jsonl", import.meta.url));
/** Rows parsed twice: numbers as Python sees them (3.0 is a float), and plain JSON. */
const rows = text.trim().split("\n").map((line) => ({
  py: parseJsonKeepFloats(line) as CaseRow,
  plain: JSON.parse(line) as CaseRow,
}));

const CATEGORIES: Record<string, BfclCategory> = {
  simple_python: "simple",
  multiple: "multiple",
  parallel: "parallel",
  parallel_multiple: "parallel_multiple",
};

const callsOf = (row: CaseRow): Call[] =>
  row.candidate.map((c) => {
    const [tool] = Object.keys(c);
    return { tool, args: c[tool] };
  });

const functionsOf = (row: CaseRow) =>
  Object.fromEntries(row.function.map((f) => [f.name, f.parameters]));

Deno.test("bfcl mode reproduces BFCL's verdict and error type on all 120 conformance rows", () => {
  assert.equal(rows.length, 120);
  const wrong: string[] = [];
  for (const { py } of rows) {
    const v = checkBfcl({
      calls: callsOf(py),
      answers: py.possible_answer,
      functions: functionsOf(py),
      category: CATEGORIES[py.category],
    });
    if (v.valid !== py.bfcl_valid || (v.error_type ?? null) !== py.bfcl_error_type) {
      wrong.push(
        `${py.id} (${py.perturbation}): BFCL ${py.bfcl_valid} ${py.bfcl_error_type}, ours ${v.valid} ${v.error_type} ${
          v.errors.join("; ")
        }`,
      );
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("bfcl mode without a category: same validity on every row", () => {
  for (const { py } of rows) {
    const v = checkBfcl({
      calls: callsOf(py),
      answers: py.possible_answer,
      functions: functionsOf(py),
    });
    assert.equal(v.valid, py.bfcl_valid, py.id);
  }
});

// Where strict mode parts from BFCL on these rows, and why (each is a documented difference).
const STRICT_DIFFERS: Record<string, string> = {
  "simple_python_228#1": "3.0 is an integer in JSON (plain JSON numbers have no float spelling)",
  "multiple_163#1": "5.0 is an integer in JSON",
  "parallel_124#2": "10.0 is an integer in JSON",
  "parallel_multiple_168#2": "2018.0 is an integer in JSON",
  "simple_python_335#1": '"" means omitted, so an explicit [] is not accepted',
  "multiple_172#1": '"" means omitted, so an explicit "" is not accepted',
};

Deno.test("strict mode agrees with BFCL on every row but the documented differences", () => {
  const differs: Record<string, string> = {};
  for (const { plain } of rows) {
    const v = checkStrict({
      calls: callsOf(plain).map((c) => ({ tool: c.tool, args: plainJson(c.args) as Call["args"] })),
      answers: plain.possible_answer,
      functions: functionsOf(plain),
    });
    if (v.valid !== plain.bfcl_valid) {
      differs[plain.id] = STRICT_DIFFERS[plain.id] ?? "undocumented";
    }
  }
  assert.deepEqual(differs, STRICT_DIFFERS);
});

/** testdata/bfcl/spelling_cases.jsonl: the same fields, candidates that differ in number spelling. */
const spelling = (await Deno.readTextFile(
  new URL("../../testdata/bfcl/spelling_cases.jsonl", import.meta.url),
)).trim().split("\n").map((line) => ({
  py: parseJsonKeepFloats(line) as CaseRow,
  plain: JSON.parse(line) as CaseRow,
})).filter(({ py }) => Object.hasOwn(CATEGORIES, py.category));

Deno.test("bfcl mode reproduces BFCL's verdict on the float-spelling rows (1 vs 1.0)", () => {
  assert.equal(spelling.length, 54);
  const wrong: string[] = [];
  let spellingMatters = 0;
  for (const { py, plain } of spelling) {
    const judge = (row: CaseRow) =>
      checkBfcl({
        calls: callsOf(row),
        answers: row.possible_answer,
        functions: functionsOf(row),
        category: CATEGORIES[row.category],
      });
    const v = judge(py);
    if (v.valid !== py.bfcl_valid || (v.error_type ?? null) !== py.bfcl_error_type) {
      wrong.push(
        `${py.id} (${py.perturbation}): BFCL ${py.bfcl_valid} ${py.bfcl_error_type}, ours ${v.valid} ${v.error_type}`,
      );
    }
    // Read without the spelling (what YAML or a JSON parser keeps), some verdicts change.
    if (judge(plain).valid !== py.bfcl_valid) spellingMatters++;
  }
  assert.deepEqual(wrong, []);
  assert.ok(spellingMatters > 0, "the rows must tell 1 from 1.0");
});
