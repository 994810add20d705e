import assert from "node:assert/strict";
import fc from "fast-check";
import { CsvError, parseCsv, parseCsvCells } from "./csv.ts";

const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;

Deno.test("property: quoted cells round-trip through parseCsvCells", () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), {
        minLength: 1,
        maxLength: 8,
      }),
      fc.constantFrom("\n", "\r\n"),
      (rows, eol) => {
        const text = rows.map((r) => r.map(quote).join(",")).join(eol) + eol;
        const parsed = parseCsvCells(text);
        assert.deepEqual(parsed.map((r) => r.cells), rows);
      },
    ),
    { seed: 42, numRuns: 300 },
  );
});

Deno.test("property: unquoted numbers become numbers, quoted stay strings", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -1e9, max: 1e9 }),
      fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
      (i, d) => {
        const ds = Number(d.toFixed(3)).toString();
        if (ds.includes("e")) return;
        const rows = parseCsv(`a,b,c\n${i},${ds},"${i}"\n`);
        assert.equal(rows[0].a, i);
        assert.equal(rows[0].b, Number(ds));
        assert.equal(rows[0].c, String(i));
      },
    ),
    { seed: 7, numRuns: 200 },
  );
});

Deno.test("csv: booleans, empty cells, BOM, blank lines", () => {
  const rows = parseCsv("\ufeffid,ok,note\n\nx,true,\ny,false,hi\n");
  assert.deepEqual(rows, [{ id: "x", ok: true, note: null }, { id: "y", ok: false, note: "hi" }]);
});

Deno.test("csv: errors carry line and column", () => {
  const cases: [string, RegExp, number][] = [
    ["a,b\n1,2,3\n", /3 cells but the header has 2/, 2],
    ['a\n"x"y\n', /after a closing quote/, 2],
    ['a\nx"y\n', /quote inside an unquoted field/, 2],
    ["a,a\n1,2\n", /duplicate column name/, 1],
  ];
  for (const [text, msg, line] of cases) {
    assert.throws(() => parseCsv(text), (e: CsvError) => {
      assert.ok(e instanceof CsvError);
      assert.match(e.message, msg);
      assert.equal(e.line, line);
      return true;
    });
  }
});
