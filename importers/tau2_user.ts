/** Words after which a second-person "you" is an object ("tells you" → "tells me"). */
const OBJECT_AFTER = new Set(
  ("to for with at about from of tell tells told give gives gave ask asks asked help helps call " +
    "calls let lets show shows send sends offer offers offered remind reminds thank thanks assign " +
    "assigns assigned contact contacts inform informs informed transfer transfers transferred")
    .split(" "),
);

const cap = (word: string, like: string) =>
  like[0] === like[0].toUpperCase() ? word[0].toUpperCase() + word.slice(1) : word;

/**
 * tau2's instructions to its user simulator ("You want to cancel reservation EHGLP3. Your user id
 * is …") as the user's own words ("I want to cancel reservation EHGLP3. My user id is …"): the
 * scripted user's first message. "you are/were" → "I am/was", "your" → "my", "you" → "me" after a
 * verb or preposition that takes an object, else "I". Other words are left as written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { firstPerson } from "./tau2_user.ts";
 * assert.ok(firstPerson("You are Emma. If the agent tells you no, you were told yes.") ===
 *   "I am Emma. If the agent tells me no, I was told yes.");
 * ```
 */
export function firstPerson(text: string): string {
  return text
    .replace(
      /\byou (are|were)\b/gi,
      (_, verb: string) => `I ${verb.toLowerCase() === "are" ? "am" : "was"}`,
    )
    .replace(
      /\byou'(re|ve|ll|d)\b/gi,
      (_, rest: string) => `I'${rest.toLowerCase() === "re" ? "m" : rest}`,
    )
    .replace(
      /\b(yourself|yours|your)\b/gi,
      (w: string) => cap({ yourself: "myself", yours: "mine", your: "my" }[w.toLowerCase()]!, w),
    )
    .replace(/(\b[A-Za-z]+\s+)?\b(you)\b/gi, (_, before: string | undefined, you: string) => {
      const prev = before?.trim().toLowerCase();
      const me = prev !== undefined && OBJECT_AFTER.has(prev);
      return `${before ?? ""}${me ? cap("me", you) : "I"}`;
    });
}

/**
 * Whether `value` stands in `text` as a whole token (case-insensitive): `user_1` is in "for
 * user_1." but not in "user_10".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mentions } from "./tau2_user.ts";
 * assert.ok(mentions("Create it for user_1.", "user_1") && !mentions("user_10", "user_1"));
 * ```
 */
export function mentions(text: string, value: string): boolean {
  if (value === "") return false;
  const hay = text.toLowerCase(), needle = value.toLowerCase();
  const word = /[\p{L}\p{N}_]/u;
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) {
    const before = hay[i - 1], after = hay[i + needle.length];
    const edgeOk = (ch: string | undefined, inner: string) =>
      ch === undefined || !word.test(ch) || !word.test(inner);
    if (edgeOk(before, needle[0]) && edgeOk(after, needle[needle.length - 1])) return true;
  }
  return false;
}

/** Leaf values of a call's arguments (strings and numbers), each with the key that holds it. */
export function argumentLeaves(args: unknown, key = ""): { key: string; value: string }[] {
  if (typeof args === "string") return args.trim() ? [{ key, value: args.trim() }] : [];
  if (typeof args === "number") return [{ key, value: String(args) }];
  if (Array.isArray(args)) return args.flatMap((v) => argumentLeaves(v, key));
  if (args !== null && typeof args === "object") {
    return Object.entries(args).flatMap(([k, v]) => argumentLeaves(v, k));
  }
  return [];
}

/**
 * The facts a scripted user holds for a task: each gold argument value (`user_id`, `title`, …)
 * that tau2's user scenario spells out but the first message and the history do not, keyed by its
 * argument's name (`user_id` → the agent asks for "the user id"). A value is told once; a second
 * value under a taken key gets `key 2`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { knownInfo } from "./tau2_user.ts";
 * const facts = knownInfo([{ key: "user_id", value: "emma_kim_9957" }], {
 *   scenario: "Your user id is emma_kim_9957.",
 *   said: "I want to cancel reservation EHGLP3.",
 * });
 * assert.ok(facts.user_id === "emma_kim_9957");
 * ```
 */
export function knownInfo(
  leaves: { key: string; value: string }[],
  texts: { scenario: string; said: string },
): Record<string, string> {
  const out: Record<string, string> = {};
  const told = new Set<string>();
  for (const { key, value } of leaves) {
    const v = value.toLowerCase();
    if (told.has(v) || value.length < 2) continue;
    if (!mentions(texts.scenario, value) || mentions(texts.said, value)) continue;
    told.add(v);
    const base = key.replace(/[^A-Za-z0-9_ -]+/g, "_").replace(/^[^A-Za-z]+/, "") || "value";
    let name = base;
    for (let i = 2; name in out; i++) name = `${base} ${i}`;
    out[name] = value;
  }
  return out;
}
