import assert from "node:assert/strict";
import fc from "fast-check";
import { createRng } from "../core/mod.ts";
import { paraphrase, ProtectedStrings } from "./paraphrase.ts";

const SAMPLES: [string, string[]][] = [
  [
    "Search the catalogue. Every filter given must match. Returns a list (possibly empty) of " +
    "short records: book_id, title, authors, year, genres and `available` (true when at least " +
    "one copy can be borrowed right now). Use get_book for ISBN, copy counts and hold counts.",
    ["book_id", "get_book"],
  ],
  [
    "List calendar events, earliest first. All filters are optional and combine: a date range " +
    "(inclusive), a person (as organizer or attendee), a room, and words in the title. Cancelled " +
    "events are left out unless include_cancelled is true.",
    ["include_cancelled", "list_events"],
  ],
  [
    "Create a confirmed event. The organizer is counted automatically; list only the other " +
    "people in attendee_ids. room_id is optional (leave it out for a video call). Returns the " +
    "new event with its id.",
    ["attendee_ids", "room_id", "create_event"],
  ],
  [
    "Get one event in full: organizer and attendees with names, headcount, and the room's " +
    'name and floor. Event id such as "ev-1024".',
    ["event_id", "get_event"],
  ],
  [
    "Cancel one of a member's holds. If the hold was ready, the copy passes to the next member " +
    "in the queue, or goes back on the shelf if nobody else is waiting.",
    ["hold_id", "ready", "cancel_hold"],
  ],
  [
    "Check a book out to a member. Refused when the member is suspended or owes 10.00 or more " +
    "in unpaid fines. At most 2 renewals per loan.",
    ["suspended", "checkout_book"],
  ],
  [
    "Record a payment toward one fine. amount defaults to the whole outstanding balance; a " +
    "smaller amount is a partial payment. The fine is marked paid once fully covered.",
    ["amount", "paid", "pay_fine"],
  ],
  [
    "Look up an order by id, e.g. ORD-104. Returns the order with its items, the total amount " +
    "and the current status. See https://shop.example.com/docs/orders for details.",
    ["order_id", "get_order"],
  ],
  [
    "Remove an item from the cart. The quantity must be at least 1 and at most the quantity " +
    "in the cart. Returns an error if the item is not in the cart.",
    ["remove_item", "quantity", "sku"],
  ],
  [
    "Book a meeting room for a time slot on 2024-05-01. The room must be free for the whole " +
    "slot and have every item listed. Optionally require a minimum capacity.",
    ["book_room", "capacity"],
  ],
  [
    "Update the shipping address of an order that has not shipped yet. Only orders with " +
    "status pending can be updated. Returns the updated order.",
    ["update_address", "pending", "status"],
  ],
];

/** Whole-word occurrences, the same notion of "word" the protect option uses. */
function countWord(text: string, word: string): number {
  const esc = word.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return [...text.matchAll(new RegExp(`(?<![\\p{L}\\p{N}_])${esc}(?![\\p{L}\\p{N}_])`, "gu"))]
    .length;
}

const run = (text: string, seed: number, protect: string[] = []) =>
  paraphrase(text, createRng(seed), { protect: new Set(protect) });

Deno.test("empty and whitespace-only text come back unchanged", () => {
  assert.equal(run("", 1), "");
  assert.equal(run("  \n\t ", 1), "  \n\t ");
});

Deno.test("typical descriptions are reworded, and differently per seed", () => {
  for (const seed of [1, 2, 3]) {
    for (const [text, protect] of SAMPLES) assert.notEqual(run(text, seed, protect), text);
  }
  const differ = SAMPLES.filter(([t, p]) => run(t, 1, p) !== run(t, 2, p)).length;
  assert.ok(differ >= SAMPLES.length * 0.7, `only ${differ} of ${SAMPLES.length} differ`);
});

Deno.test("protected names, identifiers, quotes, numbers, dates and URLs survive", () => {
  for (const [text, protect] of SAMPLES) {
    for (let seed = 0; seed < 20; seed++) {
      const out = run(text, seed, protect);
      const keep = [
        ...protect,
        ...(text.match(/`[^`]*`|"[^"]*"|https?:\/\/\S+|\d{4}-\d{2}-\d{2}|[\w-]*\d[\w.-]*/g) ?? []),
      ];
      for (const k of keep) assert.equal(countWord(out, k), countWord(text, k), `${k} in ${out}`);
      assert.ok(!out.includes("undefined"));
    }
  }
});

Deno.test("examples: phrases, capitalisation, templates", () => {
  const outs = Array.from({ length: 40 }, (_, s) => run("Returns the updated event.", s));
  assert.ok(outs.every((o) => o.endsWith(" event.") && /^[A-Z]/.test(o)));
  assert.ok(outs.some((o) => o.startsWith("This tool returns ") || o.startsWith("It returns ")));
  assert.ok(outs.some((o) => o.startsWith("Gives back ")));
  const phrases = Array.from({ length: 40 }, (_, s) => run("Needs at least one book_id.", s));
  assert.ok(phrases.some((o) => /no fewer than|a minimum of/.test(o)));
  assert.ok(phrases.every((o) => o.endsWith(" one book_id.")));
  const eg = Array.from({ length: 20 }, (_, s) => run("Card number, e.g. M2001.", s));
  assert.ok(eg.some((o) => o === "Card number, for example M2001."));
  const use = Array.from({ length: 20 }, (_, s) => run("Use get_book for ISBN.", s));
  assert.ok(use.every((o) => /^(Use|Call|Invoke) get_book for ISBN\.$/.test(o)));
  assert.ok(use.some((o) => o !== "Use get_book for ISBN."));
});

Deno.test("sentence-initial nouns are not read as verbs; a/an follow the new word", () => {
  for (let s = 0; s < 30; s++) {
    assert.equal(run("Book id, e.g. B1001.", s).slice(0, 5), "Book ");
    assert.ok(run("List of ids.", s).startsWith("List of "));
    assert.ok(!/\ba [aeiou]/i.test(run("Returns a record of a person.", s)));
  }
});

Deno.test("a protected dictionary word is neither replaced nor introduced", () => {
  for (let s = 0; s < 30; s++) {
    const out = run("Search the list. Returns a list of records, e.g. the list of ids.", s, [
      "list",
      "returns",
      "entries",
    ]);
    assert.equal(countWord(out, "list"), 3);
    assert.equal(countWord(out, "entries"), 0);
  }
});

const POOL = [
  "search",
  "returns",
  "list",
  "a list",
  "at least",
  "at most",
  "look up",
  "e.g.",
  "must",
  "every",
  "id",
  "ids",
  "record",
  "the",
  "a",
  "an",
  "item",
  "optional",
  "is optional",
  "Use this to",
  "Returns",
  "Search",
  "Book",
  "cancel",
  "update",
  "only",
  "for example",
  "if true",
  ".",
  ",",
  ";",
  "(",
  ")",
];
const IDENTS = ["book_id", "getBook", "B1001", "ORD-104", "max_loans", "M2001", "ev-1024"];
const safeChars = fc.constantFrom(..."abc XYZ 019.,;:-_()".split(""));
const quoted = fc.tuple(fc.constantFrom('"', "'", "`"), fc.string({ unit: safeChars }))
  .map(([q, s]) => `${q}${s.trim() || "x"}${q}`);
const number = fc.oneof(
  fc.nat({ max: 100000 }).map(String),
  fc.double({ min: 0, max: 1000, noNaN: true }).map((d) => d.toFixed(2)),
  fc.date({ min: new Date(2000, 0, 1), max: new Date(2099, 0, 1), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
);
const piece = fc.oneof(fc.constantFrom(...POOL), fc.constantFrom(...IDENTS), quoted, number);
const doc = fc.array(piece, { maxLength: 40 }).map((p) => p.join(" "));

Deno.test("property: same text and seed give the same output", () => {
  fc.assert(
    fc.property(doc, fc.integer(), (text, seed) => {
      assert.equal(run(text, seed), run(text, seed));
    }),
    { seed: 42, numRuns: 300 },
  );
});

Deno.test("property: protected words, quotes, numbers and identifiers are preserved", () => {
  fc.assert(
    fc.property(
      fc.array(piece, { maxLength: 40 }),
      fc.subarray(["list", "returns", "id", "a", "search", "record", "at least", "every"]),
      fc.integer(),
      (pieces, protect, seed) => {
        const text = pieces.join(" ");
        const out = run(text, seed, protect);
        const keep = [...protect, ...pieces.filter((p) => !POOL.includes(p))];
        for (const k of keep) assert.equal(countWord(out, k), countWord(text, k), k);
      },
    ),
    { seed: 42, numRuns: 500 },
  );
});

Deno.test("property: never throws on arbitrary strings and never writes undefined", () => {
  const noisy = fc.oneof(
    fc.string(),
    fc.string({ unit: "binary" }),
    fc.string({ unit: fc.constantFrom(..."'\"`‘’“”_-. e.g.i.e.Use a list\n".split("")) }),
  );
  fc.assert(
    fc.property(noisy, fc.integer(), (text, seed) => {
      const out = run(text, seed, text.split(/\s+/).slice(0, 3));
      assert.equal(typeof out, "string");
      assert.equal(out.includes("undefined"), text.includes("undefined"));
    }),
    { seed: 42, numRuns: 1000 },
  );
});

Deno.test("ProtectedStrings finds what one whole-word regex per string finds", () => {
  // The index must agree with the definition it replaces: for each string, the non-overlapping
  // matches of /(?<![\p{L}\p{N}_])string(?![\p{L}\p{N}_])/gu.
  const unit = fc.constantFrom(..."ab_1 -.é".split(""));
  const word = fc.string({ unit, minLength: 1, maxLength: 4 });
  fc.assert(
    fc.property(
      fc.array(word, { maxLength: 6 }),
      fc.string({ unit, maxLength: 30 }),
      (ps, text) => {
        const want = new Map<string, number>();
        for (const p of new Set(ps.filter((p) => p.trim() !== ""))) {
          const esc = p.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
          const re = new RegExp(`(?<![\\p{L}\\p{N}_])${esc}(?![\\p{L}\\p{N}_])`, "gu");
          const n = [...text.matchAll(re)].length;
          if (n > 0) want.set(p, n);
        }
        assert.deepEqual(new ProtectedStrings(ps).counts(text), want);
      },
    ),
    { seed: 17, numRuns: 2000 },
  );
});

Deno.test("paraphrasing with a 10,000-name protected set costs one pass per description", () => {
  // Built once (as the variant operator does), the index makes each call independent of the
  // set's size; the output is the one a plain Set of the same names gives.
  const names = Array.from({ length: 10_000 }, (_, i) => `tool_${i}`);
  const index = new ProtectedStrings(names);
  const [text] = SAMPLES[0];
  const a = paraphrase(`${text} See tool_42.`, createRng(3), { protect: index });
  const b = paraphrase(`${text} See tool_42.`, createRng(3), { protect: new Set(names) });
  assert.equal(a, b);
  assert.ok(a.includes("tool_42"));
});
