import assert from "node:assert/strict";
import fc from "fast-check";
import { parseCsv } from "../spec/csv.ts";
import { type OutputFormat, renderResult } from "./formats.ts";

const BOOKS = [
  {
    book_id: "bk-001",
    title: "The Dying Earth, Revised",
    authors: ["Jack Vance"],
    year: 1950,
    available: true,
  },
  {
    book_id: "bk-002",
    title: 'Good Omens: "The Nice and Accurate Prophecies"',
    authors: ["Terry Pratchett", "Neil Gaiman"],
    year: 1990,
    available: false,
  },
];

const FORMATS: OutputFormat[] = ["json", "csv", "text"];

// ---- json ----

Deno.test("json: compact JSON.stringify, null for undefined", () => {
  assert.equal(renderResult({ a: [1, { b: null }] }, "json"), '{"a":[1,{"b":null}]}');
  assert.equal(renderResult("x", "json"), '"x"');
  assert.equal(renderResult(null, "json"), "null");
  assert.equal(renderResult(undefined, "json"), "null");
});

Deno.test("property: json format equals JSON.stringify", () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      assert.equal(renderResult(v, "json"), JSON.stringify(v));
    }),
    { seed: 11, numRuns: 300 },
  );
});

// ---- csv ----

Deno.test("csv: a book list as a table, nested authors as JSON, and it parses back", () => {
  const csv = renderResult(BOOKS, "csv");
  assert.equal(
    csv,
    [
      "book_id,title,authors,year,available",
      'bk-001,"The Dying Earth, Revised","[""Jack Vance""]",1950,true',
      'bk-002,"Good Omens: ""The Nice and Accurate Prophecies""",' +
      '"[""Terry Pratchett"",""Neil Gaiman""]",1990,false',
    ].join("\n"),
  );
  const rows = parseCsv(csv);
  assert.deepEqual(
    rows.map((r) => ({ ...r, authors: JSON.parse(r.authors as string) })),
    BOOKS,
  );
});

Deno.test("csv: header is the union of keys in first-seen order; missing keys are empty", () => {
  assert.equal(
    renderResult([{ a: 1, b: 2 }, { c: 3, a: 4 }, {}], "csv"),
    "a,b,c\n1,2,\n4,,3\n,,",
  );
});

Deno.test("csv: a missing key never reads an inherited property", () => {
  assert.equal(renderResult([{ a: 1 }, { toString: "x" }], "csv"), "a,toString\n1,\n,x");
});

Deno.test("csv: a single object is a one-row table", () => {
  assert.equal(
    renderResult({ id: "m-7", name: "Ada", fines: 2.5 }, "csv"),
    renderResult([{ id: "m-7", name: "Ada", fines: 2.5 }], "csv"),
  );
  assert.equal(renderResult({ id: "m-7", fines: 2.5 }, "csv"), "id,fines\nm-7,2.5");
});

Deno.test("csv: scalars, arrays of scalars and mixed arrays use one column named value", () => {
  assert.equal(renderResult(42, "csv"), "value\n42");
  assert.equal(renderResult("hello, world", "csv"), 'value\n"hello, world"');
  assert.equal(renderResult(true, "csv"), "value\ntrue");
  assert.equal(renderResult(["a", "b"], "csv"), "value\na\nb");
  assert.equal(renderResult([1, { a: 1 }, [2, 3]], "csv"), 'value\n1\n"{""a"":1}"\n"[2,3]"');
});

Deno.test("csv: empty array and tables without columns render as the empty string", () => {
  assert.equal(renderResult([], "csv"), "");
  assert.equal(renderResult({}, "csv"), "");
  assert.equal(renderResult([{}, {}], "csv"), "");
  assert.deepEqual(parseCsv(renderResult([], "csv")), []);
});

Deno.test("csv: cell forms for null, booleans, numbers and nested values", () => {
  assert.equal(
    renderResult([{ n: null, t: true, f: false, x: -1.5e-7, z: -0, o: { k: [1] }, e: [] }], "csv"),
    'n,t,f,x,z,o,e\n,true,false,-1.5e-7,-0,"{""k"":[1]}",[]',
  );
});

Deno.test("csv: strings parseCsv would revive, and edge whitespace, are quoted", () => {
  const row = {
    a: "",
    b: "true",
    c: "false",
    d: "12",
    e: "-0.5e3",
    f: " pad",
    g: "pad ",
    h: "012",
  };
  const csv = renderResult([row], "csv");
  assert.equal(csv, 'a,b,c,d,e,f,g,h\n"","true","false","12","-0.5e3"," pad","pad ",012');
  assert.deepEqual(parseCsv(csv), [row]);
});

Deno.test("csv: line breaks inside cells are quoted (LF, CRLF and lone CR)", () => {
  const row = { a: "1\n2", b: "x\r\ny", c: "p\rq" };
  const csv = renderResult([row], "csv");
  assert.equal(csv, 'a,b,c\n"1\n2","x\r\ny","p\rq"');
  assert.deepEqual(parseCsv(csv), [row]);
});

Deno.test("csv: known loss: in a one-column table a null row is a blank line, which parseCsv skips", () => {
  const csv = renderResult([{ a: 1 }, { a: null }, { a: 3 }], "csv");
  assert.equal(csv, "a\n1\n\n3");
  assert.deepEqual(parseCsv(csv), [{ a: 1 }, { a: 3 }]);
});

const KEY = fc.stringMatching(/^[a-z_][a-z0-9_]{0,7}$/);
const TRICKY_STRING = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.string({
    unit: fc.constantFrom(",", '"', "\n", "\r", " ", "a", "1", ".", "-", "e", "\uFEFF"),
  }),
  fc.constantFrom("", "true", "false", "null", "0", "-0", "1e5", "01", " 1", "NaN"),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
);
const CELL = fc.oneof(
  TRICKY_STRING,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);

/** Records over `keys`: the first has every key (so the header is `keys`), the rest any subset. */
function recordsOver(keys: string[], cell: fc.Arbitrary<unknown>) {
  const model = Object.fromEntries(keys.map((k) => [k, cell]));
  return fc.tuple(
    fc.record(model),
    fc.array(fc.record(model, { requiredKeys: [] }), { maxLength: 6 }),
  ).map(([first, rest]) => [first, ...rest] as Record<string, unknown>[]);
}

/** What parseCsv gives back: every header key present, missing ones as null. */
function filled(records: Record<string, unknown>[], keys: string[]) {
  return records.map((r) =>
    Object.fromEntries(keys.map((k) => [k, Object.hasOwn(r, k) ? r[k] : null]))
  );
}

Deno.test("property: csv of flat records round-trips exactly through parseCsv", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(KEY, { minLength: 2, maxLength: 6 }).chain((keys) =>
        recordsOver(keys, CELL).map((records) => ({ keys, records }))
      ),
      ({ keys, records }) => {
        assert.deepEqual(parseCsv(renderResult(records, "csv")), filled(records, keys));
      },
    ),
    { seed: 42, numRuns: 500 },
  );
});

Deno.test("property: csv of one-column records without nulls round-trips exactly", () => {
  fc.assert(
    fc.property(
      KEY.chain((key) =>
        fc.array(fc.oneof(TRICKY_STRING, fc.double({ noNaN: true, noDefaultInfinity: true })), {
          minLength: 1,
          maxLength: 8,
        }).map((cells) => cells.map((c) => ({ [key]: c })))
      ),
      (records) => {
        assert.deepEqual(parseCsv(renderResult(records, "csv")), records);
      },
    ),
    { seed: 43, numRuns: 300 },
  );
});

// ---- text ----

Deno.test("text: a book list as numbered key: value blocks", () => {
  assert.equal(
    renderResult(BOOKS, "text"),
    [
      "[1]",
      "book_id: bk-001",
      "title: The Dying Earth, Revised",
      'authors: ["Jack Vance"]',
      "year: 1950",
      "available: true",
      "",
      "[2]",
      "book_id: bk-002",
      'title: Good Omens: "The Nice and Accurate Prophecies"',
      'authors: ["Terry Pratchett","Neil Gaiman"]',
      "year: 1990",
      "available: false",
    ].join("\n"),
  );
});

Deno.test("text: an object is one key: value line per key", () => {
  assert.equal(
    renderResult({ id: "ev-1", room: null, tags: { a: 1 }, note: "two\nlines" }, "text"),
    'id: ev-1\nroom: null\ntags: {"a":1}\nnote: "two\\nlines"',
  );
  assert.equal(renderResult({}, "text"), "(no fields)");
});

Deno.test("text: arrays of scalars are bullet lines; empty arrays say so", () => {
  assert.equal(renderResult(["a", 1, null, true, [2]], "text"), "- a\n- 1\n- null\n- true\n- [2]");
  assert.equal(renderResult([{ a: 1 }, "x"], "text"), '- {"a":1}\n- x');
  assert.equal(renderResult([], "text"), "(no results)");
  assert.equal(renderResult([{}, { a: 1 }], "text"), "[1]\n\n[2]\na: 1");
});

Deno.test("text: scalars in their plain form", () => {
  assert.equal(renderResult("plain", "text"), "plain");
  assert.equal(renderResult(3.25, "text"), "3.25");
  assert.equal(renderResult(false, "text"), "false");
  assert.equal(renderResult(null, "text"), "null");
});

Deno.test("property: text shows each top-level key of an object on its own line, in order", () => {
  fc.assert(
    fc.property(
      fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }),
      (obj) => {
        const lines = renderResult(obj, "text").split("\n");
        const keys = Object.keys(obj);
        assert.equal(lines.length, keys.length);
        keys.forEach((k, i) => {
          const shown = /[\r\n]/.test(k) ? JSON.stringify(k) : k;
          assert.ok(lines[i].startsWith(`${shown}: `), `${lines[i]} should start with ${shown}`);
        });
      },
    ),
    { seed: 5, numRuns: 300 },
  );
});

// ---- all formats ----

Deno.test("property: renderResult never throws on JSON values, in any format", () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.constantFrom(...FORMATS), (v, format) => {
      assert.equal(typeof renderResult(v, format), "string");
    }),
    { seed: 3, numRuns: 1000 },
  );
});
