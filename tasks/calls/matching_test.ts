import assert from "node:assert/strict";
import fc from "fast-check";
import { maxMatching } from "./matching.ts";

/** The largest matching by trying every injection (small graphs only). */
function bruteForce(n: number, m: number, adj: boolean[][]): number {
  let best = 0;
  const used = new Array<boolean>(m).fill(false);
  const go = (i: number, size: number) => {
    if (i === n) {
      best = Math.max(best, size);
      return;
    }
    go(i + 1, size);
    for (let j = 0; j < m; j++) {
      if (adj[i][j] && !used[j]) {
        used[j] = true;
        go(i + 1, size + 1);
        used[j] = false;
      }
    }
  };
  go(0, 0);
  return best;
}

Deno.test("property: maxMatching is a valid matching as large as brute force finds", () => {
  const graph = fc.integer({ min: 0, max: 5 }).chain((n) =>
    fc.integer({ min: 0, max: 5 }).chain((m) =>
      fc.array(fc.array(fc.boolean(), { minLength: m, maxLength: m }), {
        minLength: n,
        maxLength: n,
      }).map((adj) => ({ n, m, adj }))
    )
  );
  fc.assert(
    fc.property(graph, ({ n, m, adj }) => {
      const match = maxMatching(n, m, (i, j) => adj[i][j]);
      const rights = match.filter((j) => j !== -1);
      assert.equal(new Set(rights).size, rights.length, "a right vertex is used twice");
      match.forEach((j, i) => assert.ok(j === -1 || adj[i][j], "a matched pair is not an edge"));
      assert.equal(rights.length, bruteForce(n, m, adj));
    }),
    { seed: 7, numRuns: 300 },
  );
});
