import type { Observation } from "../tools/types.ts";

/** A name that reads as an identifier (`book_id`, `getBook`, `v2`), not as an English word. */
export function identifierLike(name: string): boolean {
  return /[_\d]/.test(name) || /[a-z][A-Z]/.test(name);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Replace names in prose, all at once (so a swap a→b, b→a works). A name is replaced where it
 * stands alone (not inside a longer identifier); a name that is a plain English word (`query`,
 * `date`) only where it is quoted or follows `/` (a JSON pointer), so ordinary prose keeps its words.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nameRewriter } from "./rewrite.ts";
 * const r = nameRewriter(new Map([["book_id", "bk"], ["query", "q"]]));
 * assert.ok(r("use book_id; the query is 'query'") === "use bk; the query is 'q'");
 * ```
 */
export function nameRewriter(map: ReadonlyMap<string, string>): (text: string) => string {
  const names = [...map.keys()].filter((k) => map.get(k) !== k);
  if (names.length === 0) return (text) => text;
  names.sort((a, b) => b.length - a.length);
  const re = new RegExp(
    `(?<![A-Za-z0-9_])(${names.map(escape).join("|")})(?![A-Za-z0-9_])`,
    "g",
  );
  return (text) =>
    text.replace(re, (m, _g, offset: number) => {
      if (identifierLike(m)) return map.get(m)!;
      const before = text[offset - 1];
      return before === "'" || before === '"' || before === "`" || before === "/" ? map.get(m)! : m;
    });
}

/** Apply a text rewrite to every string inside a JSON value. */
export function rewriteStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === "string") return f(value);
  if (Array.isArray(value)) return value.map((v) => rewriteStrings(v, f));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = rewriteStrings(v, f);
    return out;
  }
  return value;
}

/** Rewrite the message and details of an error observation; results pass unchanged. */
export function rewriteError(o: Observation, f: (s: string) => string): Observation {
  if (o.ok) return o;
  const error = { ...o.error, message: f(o.error.message) };
  if (o.error.details !== undefined) error.details = rewriteStrings(o.error.details, f);
  return { ok: false, error };
}
