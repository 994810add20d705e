import assert from "node:assert/strict";
import { exprRefIssues } from "./expr_refs.ts";

const scope = {
  roots: ["state"],
  tables: new Map<string, ReadonlySet<string> | undefined>([
    ["books", new Set(["id", "title", "year"])],
    ["loans", undefined],
  ]),
  params: ["book_id", "member"],
};

Deno.test("expr refs: names evaluated against the input are resolved, row fields are not", () => {
  const table: [string, string[]][] = [
    ["state.books[id = $args.book_id].title", []],
    ["$count(state.loans[member = $args.member].anything)", []], // columns of loans unknown
    ["($b := state.books[year > 2000]; $b.title)", []],
    ["state.books.{ 'id': id, 'n': $count(state) }", []], // inside a step: the row's fields
    ["$map(state.books, function($b) { $b.year + year })", []], // lambda bodies are not the input
    ["state.books^(>year)[0].title", []],
    ["[state.books.(id = $args.book_id ? $merge([$, {'year': 1}]) : $)]", []],
    ["state.bokos", ['unknown state table "bokos"']],
    ["state.books.titel", ['no row of books has a "titel"']],
    ["{ 'n': $count(books) }", ['reads "books" at the top level']],
    ["state.books[id = $args.bookid]", ["$args.bookid"]],
    ["$args.member & {{x}}".replace("{{x}}", "$string(state.loanz)"), ['"loanz"']],
  ];
  for (const [src, want] of table) {
    const got = exprRefIssues(src, scope).map((i) => i.message);
    assert.equal(got.length, want.length, `${src}: ${JSON.stringify(got)}`);
    want.forEach((w, i) => assert.ok(got[i].includes(w), `${src}: ${got[i]}`));
  }
});

Deno.test("expr refs: an answer check sees answer and state", () => {
  const s = { roots: ["answer", "state"], tables: scope.tables };
  assert.deepEqual(exprRefIssues("$contains(answer, state.books[0].title)", s), []);
  assert.match(exprRefIssues("$contains(anwser, 'x')", s)[0].hint, /did you mean "answer"/);
});
