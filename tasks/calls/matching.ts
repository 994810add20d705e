/**
 * A maximum matching in a bipartite graph (Kuhn's augmenting paths; O(V·E), plenty for the
 * handful of calls in one task).
 *
 * Returns, for each left vertex, the right vertex it is matched to, or -1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { maxMatching } from "./matching.ts";
 * // Left 0 fits right 0 or 1, left 1 fits only right 0: a greedy pass would strand left 1.
 * const m = maxMatching(2, 2, (i, j) => (i === 0 ? true : j === 0));
 * assert.ok(m[0] === 1 && m[1] === 0);
 * ```
 */
export function maxMatching(
  left: number,
  right: number,
  edge: (i: number, j: number) => boolean,
): number[] {
  const adj = Array.from({ length: left }, (_, i) => {
    const out: number[] = [];
    for (let j = 0; j < right; j++) if (edge(i, j)) out.push(j);
    return out;
  });
  const ownerOf = new Array<number>(right).fill(-1);
  const augment = (i: number, seen: boolean[]): boolean => {
    for (const j of adj[i]) {
      if (seen[j]) continue;
      seen[j] = true;
      if (ownerOf[j] === -1 || augment(ownerOf[j], seen)) {
        ownerOf[j] = i;
        return true;
      }
    }
    return false;
  };
  for (let i = 0; i < left; i++) augment(i, new Array<boolean>(right).fill(false));
  const match = new Array<number>(left).fill(-1);
  ownerOf.forEach((i, j) => {
    if (i !== -1) match[i] = j;
  });
  return match;
}
