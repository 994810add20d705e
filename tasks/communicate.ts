/**
 * The values of a `communicate` check that no message to the user contains (case-insensitive
 * substrings); empty when every one was said.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unsaid } from "./communicate.ts";
 * const said = ["Which task do you mean?", "Deleted task T2, \"Call the dentist\"."];
 * assert.ok(unsaid(["call the DENTIST", "t2"], said).length === 0);
 * assert.ok(unsaid(["t3"], said)[0] === "t3");
 * ```
 */
export function unsaid(values: readonly string[], messages: readonly string[]): string[] {
  const lower = messages.map((m) => m.toLowerCase());
  return values.filter((v) => !lower.some((m) => m.includes(v.toLowerCase())));
}
