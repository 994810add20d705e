/**
 * Deterministic, dictionary-based rewording of tool and parameter descriptions: the text function
 * behind the `paraphrase_descriptions` variant. Meaning stays; wording changes.
 *
 * @module
 */
import type { Rng } from "../core/mod.ts";

// One group per line; a member may be replaced by any other member of its line. `~member` is only
// ever written, never matched (one-way, for words that are ambiguous out of context).
// Line flags: `^` only at a sentence start (followed by an object, so "Book id" stays a noun),
// `-` never at a sentence start, `#` a noun: not at a start, not after "to"/a modal/a pronoun.
const DICTIONARY = `
^ search, look through, ~query
search for, look for, ~look up
look up, ~find, ~search for
find, locate
finds, locates
find out, determine, ~work out
get, fetch, retrieve
gets, fetches, retrieves
^ returns, gives back, ~this tool returns, ~it returns, ~responds with
- returns, gives back, ~yields
returns an error, ~reports an error, ~responds with an error
^ list, ~enumerate
a list, ~an array, ~a collection
the list, ~the array, ~the collection
^ create, ~make, ~add, ~set up
creates, ~makes, ~adds, ~sets up
^ cancel, ~call off, ~revoke
cancels, ~calls off, ~revokes
update, modify, ~change
updates, modifies, ~changes
updated, modified, ~changed
^ change, ~modify, ~alter
remove, delete
removes, deletes
removed, deleted
^ book, reserve
reservation, booking
reservations, bookings
check whether, verify whether, ~find out whether
check if, ~verify if, ~see if
check that, verify that, ~make sure that, ~ensure that
checks whether, verifies whether, ~tests whether
show, display
shows, displays
shown, displayed
must, ~will need to
must not, ~may not
has to, needs to, ~must
have to, ~must
is optional, ~can be omitted, ~may be left out
are optional, ~can be omitted, ~may be left out
is required, is mandatory, ~must be given
are required, are mandatory, ~must be given
required, mandatory
e.g., for example
such as, ~like
i.e., that is
the only, ~the sole
only if, ~solely if
only when, ~solely when
only, ~just, ~solely
at least, ~no fewer than, ~a minimum of
at most, ~no more than, ~up to
every, ~each
^ each, ~every
each of, ~every one of
id, identifier
ids, identifiers
# record, ~entry
# records, ~entries
a number of, ~several, ~some
number of, ~count of
# amount, ~sum
# amounts, ~sums
# result, ~outcome
# results, ~matches
# date, ~day
# item, ~entry
# items, ~entries
# field, ~property
# fields, ~properties
parameter, argument
parameters, arguments
# filter, ~criterion
# filters, ~criteria
filter by, ~narrow by
# error, ~failure
# errors, ~failures
# person, ~individual
information, ~info
current, ~present
in full, ~in detail, ~completely
full, ~complete
whole, entire
possibly, ~perhaps, ~maybe
automatically, ~implicitly
currently, ~presently
right now, ~at the moment, ~currently
earliest first, ~oldest first, ~in chronological order
newest first, ~most recent first
defaults to, ~falls back to
by default, ~unless set otherwise, ~if not given
if true, ~when true, ~when set to true
if false, ~when false, ~when set to false
unless, ~except when
if, ~when
whether or not, ~regardless of whether
whether, ~if
fails, ~errors out
refused, rejected, ~declined
allowed, permitted
allow, permit
allows, permits
cannot, ~can not
can be, ~may be
includes, contains
include, ~contain
including, ~along with
before, ~prior to
give, ~provide
gives, ~provides
given, provided
specified, ~given
omit, leave out
omitted, left out
leave it out, ~omit it
provide, ~supply
provides, ~supplies
several, multiple
also, ~additionally
in addition, ~additionally, ~also
so that, ~in order that
instead of, ~rather than
per, ~for each
toward, towards
exactly, ~precisely
approximately, ~roughly
usually, ~typically, ~normally
immediately, ~right away
unpaid, outstanding
bigger, larger
smaller, ~lower
partial, ~incomplete
fully, ~completely
specific, particular
otherwise, ~if not
because, ~since
ordered by, ~sorted by
sorted, ~ordered
begin, ~start
begins, ~starts
requires, needs
require, ~need
marked, ~flagged
today, ~the current day
^ use this to, ~use this tool to, ~call this to, ~this tool lets you
^ use this tool to, ~use this to, ~call this tool to
`;

type Where = "any" | "start" | "mid" | "noun";
interface Entry {
  readonly words: readonly string[];
  readonly where: Where;
  readonly outs: readonly string[];
}
interface Token {
  readonly kind: "word" | "fixed" | "other";
  readonly text: string;
  readonly start: number;
}

const FLAGS: Record<string, Where> = { "^": "start", "-": "mid", "#": "noun" };

/** Index by first word; longest phrase first so "at least" wins over a bare "at". */
const INDEX: ReadonlyMap<string, readonly Entry[]> = (() => {
  const index = new Map<string, Entry[]>();
  for (const raw of DICTIONARY.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    const where = FLAGS[line[0]] ?? "any";
    const members = (where === "any" ? line : line.slice(1)).split(",").map((m) => m.trim());
    const outs = members.map((m) => m.replace(/^~/, ""));
    for (const m of members.filter((m) => !m.startsWith("~"))) {
      const words = m.split(" ");
      const list = index.get(words[0]) ?? [];
      list.push({ words, where, outs: outs.filter((o) => o !== m) });
      index.set(words[0], list);
    }
  }
  for (const list of index.values()) list.sort((a, b) => b.words.length - a.words.length);
  return index;
})();

/** Imperative openers that read well after "Use this to …". */
const IMPERATIVES = new Set(
  ("search list get find create cancel check move renew invite record put update remove delete " +
    "book reserve show add fetch retrieve look send set mark pay count return").split(" "),
);
const PREFIXES = ["use this to ", "use this tool to ", "this tool lets you ", "call this to "];
/** After a sentence-initial verb these mean it was a noun ("Book id", "List of …"). */
const NOUNISH = new Set(
  ("of to id ids text name names number date query term terms string field title type status " +
    "code key value limit is are was were and or as has").split(" "),
);
/** Before one of these a `#` word is a verb ("to record", "it records"). */
const NOUN_GUARD = new Set(
  ("to can cannot must will may might should would could please you we they it which who not " +
    "also then").split(" "),
);
const KEEP = 0.15; // chance to leave a match as is, so nearby seeds diverge more

const QUOTED =
  /"[^"]*"|“[^”]*”|`[^`]*`|(?<![\p{L}\p{N}_])(?:'[^\n]*?'|‘[^\n]*?’)(?![\p{L}\p{N}_])/uy;
const URL = /[a-z][a-z0-9+.-]*:\/\/[^\s"'`<>]*|www\.[^\s"'`<>]+/iuy;
const ABBR = /(?:e\.g|i\.e)\.(?![\p{L}\p{N}_])/iuy;
const CHUNK = /[\p{L}\p{N}\p{M}_]+(?:[-'’.\/@:+][\p{L}\p{N}\p{M}_]+)*/uy;
const PLAIN = /^(?:[A-Za-z][a-z]*|[Ee]\.g\.|[Ii]\.e\.)$/;
const BOUNDARY = /(?:[.!?;:][)\]"'”’]*\s|\n)\s*(?:[-*•]\s+)?$/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const at = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    return re.exec(text)?.[0];
  };
  while (i < text.length) {
    const fixed = at(QUOTED) ?? at(URL);
    const word = fixed === undefined ? at(ABBR) ?? at(CHUNK) : undefined;
    const last = tokens[tokens.length - 1];
    if (fixed || word) {
      tokens.push({ kind: fixed ? "fixed" : "word", text: (fixed ?? word)!, start: i });
      i += (fixed ?? word)!.length;
    } else {
      const ch = String.fromCodePoint(text.codePointAt(i)!);
      if (last?.kind === "other") tokens[tokens.length - 1] = { ...last, text: last.text + ch };
      else tokens.push({ kind: "other", text: ch, start: i });
      i += ch.length;
    }
  }
  return tokens;
}

/** Whole-word matcher for one protected string; `-` is not a syntax character under /u. */
function wordRegex(word: string): RegExp {
  const esc = word.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return new RegExp(`(?<![\\p{L}\\p{N}_])${esc}(?![\\p{L}\\p{N}_])`, "gu");
}

const WORD_RUN = /[\p{L}\p{N}_]+/gu; // only ever used through matchAll (no shared lastIndex)
const HEAD_RUN = /^[\p{L}\p{N}_]+/u;
const WORD_CHAR = /[\p{L}\p{N}_]/u;

/** One whole-word occurrence of a protected string: [start, end) in the text. */
interface Occurrence {
  text: string;
  start: number;
  end: number;
}

/**
 * A set of protected strings, indexed so that finding their whole-word occurrences in a text costs
 * one pass over the text, whatever the set's size (a variant of a 10,000-tool env protects every
 * tool and parameter name: one regex per name per description was quadratic). A string is a
 * whole-word occurrence where neither the character before it nor the one after it is a letter,
 * digit or `_`; occurrences of one string do not overlap (as a global regex finds them).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProtectedStrings } from "./paraphrase.ts";
 *
 * const p = new ProtectedStrings(["get_book", "ORD-104", "due date"]);
 * assert.deepEqual(p.counts("Use get_book; not get_books. ORD-104 is due date-bound."), new Map([
 *   ["get_book", 1],
 *   ["ORD-104", 1],
 *   ["due date", 1],
 * ]));
 * ```
 */
export class ProtectedStrings {
  /** Strings that start with a word character, by their leading run of word characters. */
  #byHead = new Map<string, string[]>();
  /** Strings that start with any other character: matched with a regex each (rare). */
  #other: { text: string; re: RegExp }[] = [];
  readonly size: number;

  constructor(strings: Iterable<string>) {
    const all = new Set([...strings].filter((p) => p.trim() !== ""));
    this.size = all.size;
    for (const p of all) {
      const head = HEAD_RUN.exec(p);
      if (head) {
        const list = this.#byHead.get(head[0]);
        if (list) list.push(p);
        else this.#byHead.set(head[0], [p]);
      } else this.#other.push({ text: p, re: wordRegex(p) });
    }
  }

  /** Every whole-word occurrence in `text`, by start. */
  find(text: string): Occurrence[] {
    const out: Occurrence[] = [];
    if (this.size === 0) return out;
    const lastEnd = new Map<string, number>();
    for (const m of text.matchAll(WORD_RUN)) {
      // A run of word characters starts at a word boundary; a protected string starting here
      // has that run as its own leading run, so the run's text is the key.
      for (const p of this.#byHead.get(m[0]) ?? []) {
        const end = m.index + p.length;
        if (!text.startsWith(p, m.index) || (lastEnd.get(p) ?? -1) > m.index) continue;
        if (end < text.length && WORD_CHAR.test(String.fromCodePoint(text.codePointAt(end)!))) {
          continue;
        }
        lastEnd.set(p, end);
        out.push({ text: p, start: m.index, end });
      }
    }
    for (const { text: p, re } of this.#other) {
      for (const m of text.matchAll(re)) {
        out.push({ text: p, start: m.index, end: m.index + m[0].length });
      }
    }
    return out.sort((a, b) => a.start - b.start);
  }

  /** How often each protected string occurs (whole words); strings that do not occur are absent. */
  counts(text: string): Map<string, number> {
    const n = new Map<string, number>();
    for (const o of this.find(text)) n.set(o.text, (n.get(o.text) ?? 0) + 1);
    return n;
  }
}

const sameCounts = (a: Map<string, number>, b: Map<string, number>) =>
  a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

const capFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const vowelSound = (s: string) =>
  /^(?:hour|honest)/i.test(s) || (/^[aeiou]/i.test(s) && !/^(?:one|once|us|uni|eu)/i.test(s));

/**
 * Reword an API description deterministically: synonyms from a built-in dictionary of API-doc
 * vocabulary plus a few sentence templates, all choices drawn from `rng`. Identifiers
 * (`snake_case`, camelCase, `B1001`, `ORD-104`), quoted and backticked text, numbers, dates, URLs
 * and every whole-word occurrence of a string in `protect` come out unchanged and equally often.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRng } from "../core/mod.ts";
 * import { paraphrase } from "./paraphrase.ts";
 *
 * const text = "Search the catalogue. Returns a list of records. Use get_book for details.";
 * const out = paraphrase(text, createRng(1), { protect: new Set(["get_book"]) });
 * assert.ok(out.includes("get_book"));
 * assert.ok(out === paraphrase(text, createRng(1), { protect: new Set(["get_book"]) }));
 * ```
 */
export function paraphrase(
  text: string,
  rng: Rng,
  opts: { protect?: ReadonlySet<string> | ProtectedStrings } = {},
): string {
  if (text === "") return "";
  const guard = opts.protect instanceof ProtectedStrings
    ? opts.protect
    : new ProtectedStrings(opts.protect ?? []);
  const frozen = new Uint8Array(text.length);
  const before = new Map<string, number>();
  for (const o of guard.find(text)) {
    frozen.fill(1, o.start, o.end);
    before.set(o.text, (before.get(o.text) ?? 0) + 1);
  }
  const safe = (s: string) => guard.find(s).length === 0;
  const tokens = tokenize(text);
  const out = tokens.map((t) => t.text);
  const free = (t: Token | undefined): t is Token =>
    t?.kind === "word" && PLAIN.test(t.text) && !frozen.subarray(t.start, t.start + t.text.length)
      .includes(1);
  const spaced = (i: number) => tokens[i]?.text === " " && out[i] === " ";
  const prevWord = (i: number) =>
    tokens[i - 1]?.kind === "other" && /^\s+$/.test(tokens[i - 1].text) &&
      tokens[i - 2]?.kind === "word"
      ? tokens[i - 2].text.toLowerCase()
      : "";
  const verbLike = (i: number) =>
    spaced(i + 1) && /^[a-z]+$/.test(tokens[i + 2]?.text ?? "") && tokens[i + 2].kind === "word" &&
    !NOUNISH.has(tokens[i + 2].text);

  // "a" ↔ "an" in front of a replacement, unless the article itself is protected.
  const fixArticle = (i: number, r: string) => {
    const art = tokens[i - 2];
    if (!spaced(i - 1) || !free(art) || !/^an?$/i.test(art.text) || out[i - 2] !== art.text) return;
    const want = (/^A/.test(art.text) ? capFirst : lowerFirst)(vowelSound(r) ? "an" : "a");
    if (safe(want)) out[i - 2] = want;
  };

  /** Rewrite from token i (a free word); returns the last token index consumed. */
  const rewrite = (i: number, start: boolean, first: boolean): number => {
    const t = tokens[i];
    const lower = lowerFirst(t.text);
    let cap = /^[A-Z]/.test(t.text);
    if (cap && !start) return i; // a capitalised word mid-sentence is a name or a title
    let prefix = "";
    if (
      first && cap && IMPERATIVES.has(lower) && verbLike(i) && safe(lower) && rng.int(3) === 0
    ) {
      const p = capFirst(rng.pick(PREFIXES));
      if (safe(p)) [prefix, cap, out[i]] = [p, false, lower];
    }
    const ident = tokens[i + 2];
    if (start && lower === "use" && spaced(i + 1) && ident?.kind === "word") {
      const isIdent = /_|[a-z][A-Z]/.test(ident.text) ||
        frozen.subarray(ident.start, ident.start + ident.text.length).includes(1);
      const r = (cap ? capFirst : lowerFirst)(rng.pick(["call", "invoke"]));
      if (isIdent && safe(r)) {
        out[i] = r;
        return i;
      }
    }
    let end = i;
    for (const e of INDEX.get(lower) ?? []) {
      if (e.where === "start" && (!start || (e.words.length === 1 && !verbLike(i)))) continue;
      if (e.where === "mid" && start) continue;
      if (e.where === "noun" && (start || NOUN_GUARD.has(prevWord(i)))) continue;
      const last = i + 2 * (e.words.length - 1);
      const matches = e.words.every((w, k) =>
        k === 0 ||
        (spaced(i + 2 * k - 1) && free(tokens[i + 2 * k]) && tokens[i + 2 * k].text === w)
      );
      if (!matches) continue;
      end = last;
      const options = e.outs.map((o) => (cap ? capFirst(o) : o)).filter(safe);
      if (options.length === 0 || rng.next() < KEEP) break;
      const r = rng.pick(options);
      out.fill("", i, last + 1);
      out[i] = r;
      fixArticle(i, r);
      break;
    }
    if (prefix) out[i] = prefix + lowerFirst(out[i]);
    return end;
  };

  let start = true;
  let first = true;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === "other") {
      start = (start && /^\s*$/.test(t.text)) || BOUNDARY.test(t.text);
      first &&= /^\s*$/.test(t.text);
      continue;
    }
    if (free(t)) i = rewrite(i, start, first);
    start = first = false;
  }
  const result = out.join("");
  // Safety net: a multi-word protected string could still be formed across a replacement edge.
  return sameCounts(before, guard.counts(result)) ? result : text;
}
