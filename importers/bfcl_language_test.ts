import assert from "node:assert/strict";
import type { Call, JsonSchema, PossibleCall } from "../spec/types.ts";
import { checkBfcl } from "../tasks/calls/mod.ts";
import { bfclLanguage, languageSchema } from "./bfcl_schema.ts";
import { languageValue } from "./bfcl_language.ts";
import { javaConvert, jsConvert } from "../tasks/calls/bfcl_language.ts";

/** Rows of testdata/bfcl/spelling_cases.jsonl for Java and JavaScript, with BFCL's verdicts. */
interface Row {
  id: string;
  category: string;
  function: { name: string; parameters: unknown }[];
  possible_answer: PossibleCall[];
  candidate: Record<string, Record<string, unknown>>[];
  bfcl_valid: boolean;
  bfcl_error_type: string | null;
}

const rows = (await Deno.readTextFile(
  new URL("../testdata/bfcl/spelling_cases.jsonl", import.meta.url),
)).trim().split("\n").map((l) => JSON.parse(l) as Row)
  .filter((r) => bfclLanguage(r.category) !== "python");

Deno.test("Java/JavaScript parameters as imported are judged as BFCL judges them (24 rows)", () => {
  assert.equal(rows.length, 24);
  const wrong: string[] = [];
  for (const r of rows) {
    const language = bfclLanguage(r.category) as "java" | "javascript";
    const functions: Record<string, JsonSchema> = {};
    for (const f of r.function) {
      functions[f.name] = languageSchema(f.parameters, { language, pointer: "", issues: [] });
    }
    const calls: Call[] = r.candidate.map((c) => {
      const [tool] = Object.keys(c);
      return { tool, args: c[tool] };
    });
    const v = checkBfcl({ calls, answers: r.possible_answer, functions });
    if (v.valid !== r.bfcl_valid || (v.error_type ?? null) !== r.bfcl_error_type) {
      wrong.push(
        `${r.id}: BFCL ${r.bfcl_valid} ${r.bfcl_error_type}, ours ${v.valid} ${v.error_type}`,
      );
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("BFCL's converters: what the importer writes reads back to the answer", () => {
  // The converters' own examples in bfcl_eval (type_convertor/*_type_converter.py).
  assert.equal(javaConvert("123L", "long"), 123);
  assert.equal(javaConvert("123", "long"), "123");
  assert.deepEqual(javaConvert("new int[]{1, 2, 3}", "Array"), [1, 2, 3]);
  assert.deepEqual(javaConvert('new ArrayList<>(Arrays.asList("a", "b"))', "ArrayList"), [
    "a",
    "b",
  ]);
  assert.deepEqual(
    javaConvert(
      'new HashMap<String, Object>() {{ put("key1", 1); put("key2", "value"); }}',
      "HashMap",
    ),
    { key1: 1, key2: "value" },
  );
  assert.deepEqual(javaConvert("new HashMap<>()", "HashMap"), {});
  assert.deepEqual(jsConvert("new Array(1, 2, 3)", "array"), [1, 2, 3]);
  assert.deepEqual(jsConvert("{'key1': 123, 'key2': 'value', 'key3': false}", "dict"), {
    key1: 123,
    key2: "value",
    key3: false,
  });
  assert.equal(jsConvert("123n", "Bigint"), 123);
  // Round trips through the importer's spelling.
  const cases: [unknown, { type: string; items?: string; language: string }][] = [
    [5, { type: "long", language: "java" }],
    [true, { type: "boolean", language: "java" }],
    [[1, 2], { type: "Array", items: "integer", language: "java" }],
    [["a", "b"], { type: "ArrayList", items: "String", language: "java" }],
    [{ k: "v", n: 2 }, { type: "HashMap", language: "java" }],
    [7, { type: "Bigint", language: "javascript" }],
    [[1, 2], { type: "array", items: "integer", language: "javascript" }],
    [{ a: 1, b: "x" }, { type: "dict", language: "javascript" }],
  ];
  for (const [v, o] of cases) {
    const text = languageValue(v, o);
    const back = o.language === "java"
      ? javaConvert(text, o.type, o.items)
      : jsConvert(text, o.type, o.items);
    assert.deepEqual(back, v, `${JSON.stringify(v)} as ${o.type}: ${text}`);
  }
});
