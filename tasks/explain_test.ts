import assert from "node:assert/strict";
import { explainFalse } from "./explain.ts";

const input = { state: { loans: [{ book_id: "b1" }], items: [{ id: "w1", stock: 3 }] } };

Deno.test("explainFalse: each false comparison with the values of its sides", async () => {
  const table: [string, string][] = [
    ["$count(state.loans) = 2", "$count(state.loans) is 1 (wanted = 2)"],
    ["2 = $count(state.loans)", "$count(state.loans) is 1 (wanted 2 = it)"],
    // Only the false parts of an and/or, through parentheses.
    [
      "$count(state.loans) = 1 and (state.items[id='w1'].stock >= 5 or $count(state.items) > 1)",
      "state.items[id='w1'].stock is 3 (wanted >= 5); $count(state.items) is 1 (wanted > 1)",
    ],
    [
      "state.items[0].stock = $count(state.loans)",
      "state.items[0].stock is 3, $count(state.loans) is 1 (wanted =)",
    ],
    ["state.nothing = 'x'", "state.nothing is nothing (wanted = 'x')"],
    // Nothing to add when the expression is not a comparison.
    ["$exists(state.nothing)", ""],
    ["$count(state.loans) = 1", ""],
  ];
  for (const [src, want] of table) assert.equal(await explainFalse(src, input), want, src);
});
