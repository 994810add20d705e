/** One problem found in a spec file: where it is, what is wrong, and how to fix it. */
export interface SpecIssue {
  /** Path of the spec file. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  col: number;
  /** JSON pointer into the document ("" for the whole file). */
  pointer: string;
  /** What is wrong. */
  message: string;
  /** How to fix it. */
  hint?: string;
}

/**
 * Bad input in a spec: carries every issue found so a user fixes them in one pass.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SpecError } from "./errors.ts";
 * const e = new SpecError([{ file: "env.yaml", line: 3, col: 5, pointer: "/env", message: "must be string" }]);
 * assert.ok(e.format().startsWith("env.yaml:3:5"));
 * ```
 */
export class SpecError extends Error {
  /** Every issue found, in file order. */
  readonly issues: SpecIssue[];
  /** An error carrying `issues` (at least one), formatted one per line. */
  constructor(issues: SpecIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "SpecError";
    this.issues = issues;
  }
  /** Human-readable, one block per issue. */
  format(): string {
    return this.issues.map(formatIssue).join("\n");
  }
}

/** `file:line:col  at /pointer: message` plus an indented hint line. */
export function formatIssue(issue: SpecIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.col}`;
  const at = issue.pointer === "" ? "" : ` at ${issue.pointer}`;
  const hint = issue.hint ? `\n    hint: ${issue.hint}` : "";
  return `${where}${at}: ${issue.message}${hint}`;
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + cost);
      diag = up;
    }
  }
  return prev[b.length];
}

/** Candidates close to `word`, best first (distance ≤ ⅓ of its length, at least 2, or a shared prefix/substring). */
export function closeNames(word: string, candidates: Iterable<string>, max = 3): string[] {
  const w = word.toLowerCase();
  const scored: [number, string][] = [];
  for (const c of candidates) {
    const lc = c.toLowerCase();
    const d = editDistance(w, lc);
    const limit = Math.max(2, Math.floor(w.length / 3));
    const related = w.length >= 3 && (lc.includes(w) || w.includes(lc));
    if (d <= limit || related) scored.push([related ? Math.min(d, limit) : d, c]);
  }
  scored.sort((x, y) => x[0] - y[0] || x[1].localeCompare(y[1]));
  return scored.slice(0, max).map(([, c]) => c);
}

/** " Did you mean "x"?" or "" */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const close = closeNames(word, candidates, 2);
  if (close.length === 0) return undefined;
  return `did you mean ${close.map((c) => `"${c}"`).join(" or ")}?`;
}
