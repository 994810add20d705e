import assert from "node:assert/strict";
import fc from "fast-check";
import { closeNames, editDistance, formatIssue } from "./errors.ts";

Deno.test("property: edit distance is a metric", () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 12 }),
      fc.string({ maxLength: 12 }),
      fc.string({ maxLength: 12 }),
      (a, b, c) => {
        assert.equal(editDistance(a, a), 0);
        assert.equal(editDistance(a, b), editDistance(b, a));
        assert.ok(editDistance(a, c) <= editDistance(a, b) + editDistance(b, c));
        assert.ok(editDistance(a, b) <= Math.max(a.length, b.length));
      },
    ),
    { seed: 1, numRuns: 300 },
  );
});

Deno.test("closeNames ranks typos first and ignores unrelated names", () => {
  assert.deepEqual(closeNames("serch_books", ["search_books", "borrow", "return_book"]), [
    "search_books",
  ]);
  assert.deepEqual(closeNames("zzz", ["search_books", "borrow"]), []);
  assert.equal(closeNames("book", ["get_book", "borrow"])[0], "get_book");
});

Deno.test("formatIssue: file:line:col, pointer, hint", () => {
  const text = formatIssue({
    file: "a.yaml",
    line: 3,
    col: 7,
    pointer: "/tools/0",
    message: "bad",
    hint: "fix it",
  });
  assert.equal(text, "a.yaml:3:7 at /tools/0: bad\n    hint: fix it");
});
