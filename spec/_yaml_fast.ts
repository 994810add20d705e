/**
 * The fast way to a YAML file's plain value (spec/yaml.ts's parseYaml): js-yaml, on the documents
 * it reads exactly as the `yaml` package does; spec/yaml_test.ts holds the two side by side.
 */
import {
  constructFromEvents,
  CORE_SCHEMA as JS_YAML_CORE_SCHEMA,
  defineScalarTag,
  type Event,
  EVENT_ID,
  NOT_RESOLVED,
  parseEvents,
  SCALAR_STYLE,
} from "js-yaml";

/**
 * The plain value of a document js-yaml reads exactly as the `yaml` package would, or undefined
 * when the full parse must decide: js-yaml refused it (a syntax error, a duplicate key, a nesting
 * as deep as `maxDepth`), it has an anchor, alias or tag (the full way counts alias expansions and
 * knows its own tags and anchor names), a directive or several documents, or a key is `null`
 * (js-yaml names it "null", `yaml` "").
 *
 * A large file is read in pieces (`chunkChars` of text each, at least): each top-level key on
 * its own, and a long block list under one (`tools:`, `tasks:`) a run of items at a time. js-yaml
 * keeps an event of about 100 bytes for every node of what it reads, 2.5 times the size of the
 * value it builds; in pieces those events never all live at once. Any piece that does not read
 * cleanly sends the whole text the usual way, so the pieces change what it costs, never what
 * comes out.
 */
export function fastYamlValue(
  text: string,
  maxDepth: number,
  opts: { chunkChars?: number } = {},
): { value: unknown } | undefined {
  // A tab (js-yaml takes some as indentation): the full way decides.
  if (text.includes("\t")) return undefined;
  const chunkChars = opts.chunkChars ?? 1 << 20;
  const value = (text.length > chunkChars ? inPieces(text, maxDepth, chunkChars) : undefined) ??
    readOne(text, maxDepth);
  return value === undefined || hasKey(value.value, "null") ? undefined : value;
}

/** One document through js-yaml, or undefined (see fastYamlValue for why). */
function readOne(text: string, maxDepth: number): { value: unknown } | undefined {
  let events: Event[];
  try {
    events = parseEvents(text, { maxDepth });
  } catch (err) {
    return /deficient indentation/.test(String((err as Error)?.message))
      ? readFlowClosers(text, maxDepth)
      : undefined;
  }
  return construct(text, events);
}

/**
 * A document whose multi-line flow collections end on a line of their own at the indentation of
 * the key or `-` they belong to, as `deno fmt` writes them:
 *
 * ```yaml
 *     query: {
 *       type: string,
 *     }
 * ```
 *
 * The `yaml` package takes that closing bracket (the outermost one only: an inner collection's
 * closing bracket, and every item, must be indented further); js-yaml wants every line of a flow
 * collection indented further than its key. So those closing brackets are read one space further
 * in, which changes nothing else: the bracket must be where the collection ends and outside any
 * scalar and comment, as the events of the text read show; any other case takes the full way.
 */
function readFlowClosers(text: string, maxDepth: number): { value: unknown } | undefined {
  const lines = closerLines(text);
  if (lines.length === 0) return undefined;
  try {
    // Every candidate moved in, read, and sorted into the brackets that end a collection in block
    // context (moved in rightly) and any other (in a scalar, or inner: left where they were).
    const all = shifted(text, lines);
    const events = parseEvents(all, { maxDepth });
    const outer = outerClosers(all, events, lines.map((at, i) => at + i));
    if (outer.every(Boolean)) return construct(all, events);
    const some = lines.filter((_, i) => outer[i]);
    const text2 = shifted(text, some);
    const events2 = parseEvents(text2, { maxDepth });
    // Read again with fewer moved: the kept ones must still end a collection in block context.
    if (!outerClosers(text2, events2, some.map((at, i) => at + i)).every(Boolean)) return undefined;
    return construct(text2, events2);
  } catch {
    return undefined;
  }
}

/**
 * Starts of the lines that begin with `]` or `}` after their indentation, but for those that look
 * to be in a block scalar (indented further than a line ending in `|` or `>`): moving one of those
 * in would change where its scalar's lines start. Only a guess at what to try: outerClosers decides.
 */
function closerLines(text: string): number[] {
  const out: number[] = [];
  let scalar = -1;
  for (let at = 0; at < text.length; at = text.indexOf("\n", at) + 1 || text.length) {
    let indent = 0;
    while (text[at + indent] === " ") indent++;
    const c = text[at + indent];
    const blank = c === "\n" || c === "\r" || c === undefined;
    if (scalar >= 0 && (blank || indent > scalar)) continue;
    scalar = -1;
    if (c === "]" || c === "}") out.push(at);
    const eol = text.indexOf("\n", at);
    if (BLOCK_HEADER.test(text.slice(at + indent, eol === -1 ? text.length : eol))) scalar = indent;
  }
  return out;
}

/** A line that ends with a block scalar's header (`key: |`, `- >-`, `|2 # note`). */
const BLOCK_HEADER = /(?:^|[\s:-])[|>][-+0-9]*[ ]*(?:#.*)?\r?$/;

/** `text` with one space put before each of the line starts `at` (ascending). */
function shifted(text: string, at: number[]): string {
  let out = "";
  let from = 0;
  for (const a of at) {
    out += text.slice(from, a) + " ";
    from = a;
  }
  return out + text.slice(from);
}

/**
 * For each line start in `lines` (ascending; each line's first character after its indentation is
 * `]` or `}`), whether that bracket ends a flow collection that sits in block context: outside
 * every scalar (the events' ranges, quotes included) and comment, and the bracket depth of the
 * text before it, counted the same way, is 1.
 */
function outerClosers(text: string, events: Event[], lines: number[]): boolean[] {
  const ranges: number[] = [];
  for (const e of events) {
    if (e.type !== EVENT_ID.SCALAR || e.valueStart === -1) continue;
    const quoted = e.style === SCALAR_STYLE.SINGLE_QUOTED ||
      e.style === SCALAR_STYLE.DOUBLE_QUOTED;
    ranges.push(quoted ? e.valueStart - 1 : e.valueStart, quoted ? e.valueEnd + 1 : e.valueEnd);
  }
  const out = lines.map(() => false);
  const targets = new Map(
    lines.map((at, i) => [at + /^ */.exec(text.slice(at, at + 256))![0].length, i]),
  );
  let depth = 0;
  let r = 0;
  for (let at = 0; at < text.length; at++) {
    while (r < ranges.length && ranges[r + 1] <= at) r += 2;
    if (r < ranges.length && ranges[r] <= at) {
      at = ranges[r + 1] - 1;
      continue;
    }
    const c = text[at];
    if (c === "#" && (at === 0 || " \n\r".includes(text[at - 1]))) {
      const eol = text.indexOf("\n", at);
      if (eol === -1) break;
      at = eol;
    } else if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") {
      const i = targets.get(at);
      if (i !== undefined) out[i] = depth === 1;
      depth--;
    }
  }
  return out;
}

/** What the full way reads differently on a block scalar's header line (see construct). */
const HEADER_INDICATORS = /[|>](?:[-+]?[1-9]|[1-9]?\+)/;

/** The value of one document's events, or undefined (see fastYamlValue for why). */
function construct(text: string, events: Event[]): { value: unknown } | undefined {
  try {
    let documents = 0;
    for (const e of events) {
      if (e.type === EVENT_ID.DOCUMENT) {
        if (++documents > 1 || e.directives.length > 0) return undefined;
      } else if (e.type === EVENT_ID.ALIAS) return undefined;
      else if (e.type !== EVENT_ID.POP && (e.anchorStart !== -1 || e.tagStart !== -1)) {
        return undefined;
      } else if (e.type === EVENT_ID.SCALAR && e.style >= SCALAR_STYLE.LITERAL_BLOCK) {
        // An explicit indentation indicator (`|2`: the two count from different columns at the
        // top level) or keep chomping (`|+`, whose trailing blank lines they count differently)
        // anywhere on the block scalar's header line: the full way decides.
        const head = text.lastIndexOf("\n", e.valueStart - 2) + 1;
        if (HEADER_INDICATORS.test(text.slice(head, e.valueStart))) return undefined;
      }
    }
    const docs = constructFromEvents(events, { source: text, schema: FAST_SCHEMA, maxAliases: 0 });
    return docs.length === 1 && docs[0] !== undefined ? { value: docs[0] } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A top-level mapping read a key at a time, a long block list under a plain key a run of items
 * at a time; undefined when the text is not cut that simply (then it is read whole).
 */
export function inPieces(
  text: string,
  maxDepth: number,
  chunkChars: number,
): { value: unknown } | undefined {
  // Line starts of the top-level keys: any line that starts with neither a space, a comment nor
  // a line break. A list, a document marker or a directive at the top: not cut.
  const tops: number[] = [];
  for (let at = 0; at < text.length; at = text.indexOf("\n", at) + 1 || text.length) {
    const c = text[at];
    if (c === " " || c === "#" || c === "\n" || c === "\r") continue;
    if (c === "-" || c === "." || c === "%") return undefined;
    tops.push(at);
  }
  if (tops.length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const [i, start] of tops.entries()) {
    // Comments and blank lines before the first key go with it.
    const from = i === 0 ? 0 : start;
    const end = tops[i + 1] ?? text.length;
    const eol = text.indexOf("\n", start);
    const header = text.slice(start, eol === -1 ? end : eol);
    const list = /^([A-Za-z_][A-Za-z0-9_-]*):[ ]*\r?$/.exec(header);
    let key: string;
    let v: unknown;
    if (list && eol !== -1 && end - from > chunkChars) {
      const items = listValue(
        text,
        { from: eol + 1, end, header: text.slice(from, eol + 1), key: list[1] },
        { maxDepth, chunkChars },
      );
      if (items === undefined) return undefined;
      [key, v] = [list[1], items];
    } else {
      const one = readOne(text.slice(from, end), maxDepth);
      const o = one?.value;
      if (!o || typeof o !== "object" || Array.isArray(o)) return undefined;
      const keys = Object.keys(o);
      if (keys.length !== 1) return undefined;
      [key, v] = [keys[0], (o as Record<string, unknown>)[keys[0]]];
    }
    if (key === "__proto__" || Object.hasOwn(out, key)) return undefined;
    out[key] = v;
  }
  return { value: out };
}

/**
 * The block list between `from` and `end` (after the line `header`, `key:`), read a run of
 * items at a time: each run is the document `header` + its items. Undefined unless the first
 * line with content is an item and every run reads as a list under `key`.
 */
function listValue(
  text: string,
  span: { from: number; end: number; header: string; key: string },
  o: { maxDepth: number; chunkChars: number },
): unknown[] | undefined {
  let pad = "";
  for (let at = span.from; at < span.end; at = text.indexOf("\n", at) + 1 || span.end) {
    const m = /^( *)(\S?)/.exec(text.slice(at, at + 256))!;
    if (m[2] === "" || m[2] === "#") continue;
    const next = text[at + m[1].length + 1];
    if (m[1] === "" || m[2] !== "-" || (next !== " " && next !== "\n" && next !== "\r")) {
      return undefined;
    }
    pad = m[1];
    break;
  }
  if (pad === "") return undefined;
  const items: unknown[] = [];
  let runStart = span.from;
  const flush = (to: number): boolean => {
    const o1 = readOne(span.header + text.slice(runStart, to), o.maxDepth)?.value;
    if (!o1 || typeof o1 !== "object" || Object.keys(o1).length !== 1) return false;
    const v = (o1 as Record<string, unknown>)[span.key];
    if (!Array.isArray(v)) return false;
    for (const x of v) items.push(x);
    runStart = to;
    return true;
  };
  for (let at = span.from; at < span.end; at = text.indexOf("\n", at) + 1 || span.end) {
    // A run ends where an item starts, once it is long enough.
    if (at - runStart < o.chunkChars || !text.startsWith(pad, at)) continue;
    const c = text[at + pad.length];
    const next = text[at + pad.length + 1];
    if (c === "-" && (next === " " || next === "\n" || next === "\r") && !flush(at)) {
      return undefined;
    }
  }
  return flush(span.end) ? items : undefined;
}

/**
 * js-yaml's core schema with the `yaml` package's numbers: js-yaml leaves a number too large
 * for a double (`1e400`) a string, `yaml` makes it Infinity. (Tagged scalars take the full way.)
 */
const FAST_SCHEMA = JS_YAML_CORE_SCHEMA.withTags(
  defineScalarTag("tag:yaml.org,2002:int", {
    implicit: true,
    implicitFirstChars: ["-", "+", ..."0123456789"],
    resolve: (s: string, explicit: boolean) =>
      explicit
        ? NOT_RESOLVED
        : /^[-+]?[0-9]+$/.test(s)
        ? parseInt(s, 10)
        : /^0o[0-7]+$/.test(s)
        ? parseInt(s.slice(2), 8)
        : /^0x[0-9a-fA-F]+$/.test(s)
        ? parseInt(s.slice(2), 16)
        : NOT_RESOLVED,
    identify: (v: unknown) => Number.isInteger(v),
  }),
  defineScalarTag("tag:yaml.org,2002:float", {
    implicit: true,
    implicitFirstChars: ["-", "+", ".", ..."0123456789"],
    resolve: (s: string, explicit: boolean) =>
      explicit
        ? NOT_RESOLVED
        : /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)
        ? (s.slice(-3).toLowerCase() === "nan"
          ? NaN
          : s[0] === "-"
          ? Number.NEGATIVE_INFINITY
          : Number.POSITIVE_INFINITY)
        : /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s) ||
            /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)
        ? parseFloat(s)
        : NOT_RESOLVED,
    identify: (v: unknown) => typeof v === "number",
  }),
);

/** Whether any mapping in a tree of plain values has the key `key`. */
function hasKey(v: unknown, key: string): boolean {
  if (Array.isArray(v)) {
    for (const x of v) if (x !== null && typeof x === "object" && hasKey(x, key)) return true;
  } else if (v !== null && typeof v === "object") {
    if (Object.hasOwn(v, key)) return true;
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== null && typeof x === "object" && hasKey(x, key)) return true;
    }
  }
  return false;
}
