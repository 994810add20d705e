import assert from "node:assert/strict";
import fc from "fast-check";
import { parseDocument } from "yaml";
import { parseEvents } from "js-yaml";
import { MAX_YAML_ALIASES, MAX_YAML_DEPTH, parseYaml } from "./yaml.ts";
import { fastYamlValue, inPieces } from "./_yaml_fast.ts";
import { SpecError } from "./errors.ts";

// The reference: what the `yaml` package alone makes of a text (parseYaml's full way).
function reference(text: string): { value: unknown } | { error: true } {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, logLevel: "error" });
  if (doc.errors.length > 0) return { error: true };
  try {
    return { value: doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) };
  } catch {
    return { error: true };
  }
}

function ours(text: string): { value: unknown } | { error: true } {
  try {
    return { value: parseYaml(text, "gen.yaml").value };
  } catch (err) {
    assert.ok(err instanceof SpecError, `not a SpecError: ${err}\n--- text:\n${text}`);
    return { error: true };
  }
}

// Plain scalars the YAML 1.2 core schema resolves (or pointedly does not: 1.1 forms stay strings).
const plains = [
  "null",
  "Null",
  "NULL",
  "~",
  "true",
  "True",
  "TRUE",
  "false",
  "FALSE",
  "yes",
  "no",
  "on",
  "off",
  "y",
  "0",
  "-0",
  "+0",
  "12",
  "+12",
  "-12",
  "012",
  "0o17",
  "0o8",
  "0x1F",
  "0xg",
  "0b101",
  "1_000",
  "1.5",
  "-1.5",
  ".5",
  "1.",
  "+.5",
  "1e3",
  "1E-3",
  "-1.2e+3",
  ".inf",
  "-.Inf",
  "+.INF",
  ".nan",
  ".NaN",
  "2001-12-14",
  "12:30",
  "1:20:30",
  "9007199254740993",
  "1e400",
  "abc",
  "a b",
  "a-b",
  "a.b",
  "été",
  "a#b",
  "x:y",
  "-x",
  "?x",
  "a'b",
  'a"b',
  "%x",
  "@x",
  "!x",
  "&x",
  "*x",
  "|x",
].map((s) => ({ s }));
const words = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
const plain = fc.oneof(fc.constantFrom(...plains), words.map((s) => ({ s })));
const dq = fc.array(
  fc.oneof(
    words,
    fc.constantFrom(
      "\\n",
      "\\t",
      "\\u00e9",
      "\\x41",
      '\\"',
      "\\\\",
      "\\/",
      "\\N",
      "\\_",
      "\\L",
      "\\P",
      "\\0",
      "\\e",
      "\\U0001F600",
      " ",
      "'",
      "#",
      ": ",
      "é",
      "\\q",
      "\n  } ",
      "\n]",
    ),
  ),
  { maxLength: 5 },
).map((p) => ({ s: `"${p.join("")}"` }));
const sq = fc.array(fc.oneof(words, fc.constantFrom("''", " ", '"', "\\n", "#", ": ")), {
  maxLength: 4,
}).map((p) => ({ s: `'${p.join("")}'` }));
const blockScalar = fc.record({
  head: fc.constantFrom("|", "|-", "|+", ">", ">-", ">+", "|2"),
  lines: fc.array(
    fc.oneof(words, fc.constantFrom("", "  more", "a  b", "# no comment", "}", "]", " } x", "],")),
    {
      minLength: 1,
      maxLength: 4,
    },
  ),
});
const scalar = fc.oneof({ weight: 4, arbitrary: plain }, dq, sq);
const key = fc.oneof(
  { weight: 5, arbitrary: words },
  fc.constantFrom("null", "~", "true", "1", "0x1F", '"a b"', "'q'", "<<", "__proto__", "-1", '""'),
);

/**
 * A flow collection written over several lines, as `deno fmt` writes them: an item a line at
 * `item` columns in from the key (or `-`) it belongs to, then the closing bracket on a line of its
 * own at `close` columns in (0: under the key, where the `yaml` package takes it).
 */
interface Lines {
  item: number;
  close: number;
  comma: boolean;
}

type Tree =
  | { s: string }
  | { head: string; lines: string[] }
  | { map: [string, Tree][]; flow: boolean; anchor?: string; ml?: Lines }
  | { seq: Tree[]; flow: boolean; anchor?: string; ml?: Lines }
  | { alias: string };

const lines = fc.option(
  fc.record({
    item: fc.constantFrom(0, 1, 2, 2, 4),
    close: fc.constantFrom(-1, 0, 0, 0, 1, 2),
    comma: fc.boolean(),
  }),
  { nil: undefined, freq: 2 },
);

const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 3, arbitrary: scalar },
    blockScalar,
    fc.record({
      map: fc.array(fc.tuple(key, tie("node")), { maxLength: 4 }),
      flow: fc.boolean(),
      anchor: fc.option(fc.constantFrom("a", "b"), { nil: undefined }),
      ml: lines,
    }),
    fc.record({
      seq: fc.array(tie("node"), { maxLength: 4 }),
      flow: fc.boolean(),
      anchor: fc.option(fc.constantFrom("a", "b"), { nil: undefined }),
      ml: lines,
    }),
    fc.constantFrom({ alias: "a" }, { alias: "b" }),
  ),
})).node;

/** JSON text, or a marker for a value an alias made circular (deepStrictEqual compares those). */
function json(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return "circular";
  }
}

const isBlockScalar = (t: Tree): t is { head: string; lines: string[] } => "head" in t;

/** A flow rendering (block scalars inside flow become double-quoted strings). */
function flow(t: Tree): string {
  if ("s" in t) return t.s;
  if ("alias" in t) return `*${t.alias}`;
  if (isBlockScalar(t)) return JSON.stringify(t.lines.join("\n"));
  const a = t.anchor ? `&${t.anchor} ` : "";
  if ("map" in t) return `${a}{${t.map.map(([k, v]) => `${k}: ${flow(v)}`).join(", ")}}`;
  return `${a}[${t.seq.map(flow).join(", ")}]`;
}

/** A flow collection over several lines (its `ml`), its key (or `-`) at indentation `ind`. */
function flowLines(t: Tree & { ml?: Lines }, ind: number): string {
  if (!("map" in t || "seq" in t) || !t.ml || (("map" in t ? t.map : t.seq).length === 0)) {
    return flow(t);
  }
  const at = ind + t.ml.item;
  const items = "map" in t
    ? t.map.map(([k, v]) => `${k}: ${flowLines(v, at)}`)
    : t.seq.map((v) => flowLines(v, at));
  const pad = " ".repeat(at);
  const [open, close] = "map" in t ? ["{", "}"] : ["[", "]"];
  return `${t.anchor ? `&${t.anchor} ` : ""}${open}\n${items.map((x) => pad + x).join(",\n")}${
    t.ml.comma ? "," : ""
  }\n${" ".repeat(Math.max(0, ind + t.ml.close))}${close}`;
}

/** What follows "key:" or "- " at indentation `ind`. */
function after(t: Tree, ind: number): string {
  if ("s" in t || "alias" in t) return ` ${flow(t)}`;
  if (isBlockScalar(t)) {
    const pad = " ".repeat(ind + 2);
    return ` ${t.head}\n${t.lines.map((l) => (l ? pad + l : "")).join("\n")}`;
  }
  if (t.flow || ("map" in t ? t.map.length === 0 : t.seq.length === 0)) {
    return ` ${t.flow ? flowLines(t, ind) : flow(t)}`;
  }
  return `${t.anchor ? ` &${t.anchor}` : ""}\n${block(t, ind + 2)}`;
}

function block(t: Tree, ind: number): string {
  const pad = " ".repeat(ind);
  if ("map" in t && !t.flow && t.map.length > 0) {
    return t.map.map(([k, v]) => `${pad}${k}:${after(v, ind)}`).join("\n");
  }
  if ("seq" in t && !t.flow && t.seq.length > 0) {
    return t.seq.map((v) => `${pad}-${after(v, ind)}`).join("\n");
  }
  return pad + after(t, ind).trimStart();
}

const mutation = fc.option(
  fc.tuple(
    fc.nat(),
    fc.constantFrom(
      "\t",
      ":",
      "-",
      '"',
      "'",
      "[",
      "{",
      "}",
      "]",
      "#",
      "&a ",
      "*a",
      "!",
      "|",
      "?",
      " ",
      "\n",
      "%",
      "`",
      "  ",
      ",",
      "\n---\n",
      "!!str ",
    ),
  ),
  { nil: undefined },
);

/** Whether js-yaml alone refuses the text for a line indented less than its flow collection. */
function deficient(text: string): boolean {
  try {
    parseEvents(text, { maxDepth: MAX_YAML_DEPTH });
    return false;
  } catch (err) {
    return /deficient indentation/.test(String(err));
  }
}

Deno.test("fast YAML path gives the yaml package's value or its error, on generated documents", () => {
  let fastOk = 0;
  let fast = 0;
  let cut = 0;
  fc.assert(
    fc.property(tree, mutation, (t, mut) => {
      let text = block(t, 0) + "\n";
      if (mut) {
        const at = mut[0] % (text.length + 1);
        text = text.slice(0, at) + mut[1] + text.slice(at);
      }
      const want = reference(text);
      const got = ours(text);
      const quick = fastYamlValue(text, MAX_YAML_DEPTH);
      if (quick) {
        fast++;
        assert.ok("value" in want, `the fast way accepted what yaml rejects:\n${text}`);
        assert.deepStrictEqual(quick.value, want.value, text);
      }
      // Read in pieces as small as they come (each top-level key, each list item on its own).
      const pieces = fastYamlValue(text, MAX_YAML_DEPTH, { chunkChars: 1 });
      assert.deepStrictEqual(pieces, quick, `in pieces:\n${text}`);
      if (pieces) assert.equal(json(pieces.value), json(quick!.value), `in pieces:\n${text}`);
      if (pieces && inPieces(text, MAX_YAML_DEPTH, 1)) cut++;
      if ("error" in want) {
        assert.ok("error" in got, `accepted what yaml rejects:\n${text}`);
      } else {
        assert.ok("value" in got, `rejected what yaml accepts:\n${text}`);
        assert.deepStrictEqual(got.value, want.value, text);
        // Key order matters too (tools, effects and tables are visited in file order).
        assert.equal(json(got.value), json(want.value), text);
        fastOk++;
      }
    }),
    { seed: 24, numRuns: 4000 },
  );
  // Most documents must take the fast way, or this test compares the full way with itself.
  assert.ok(
    fastOk > 2000 && fast > 1500 && cut > 20,
    `${fastOk} documents parsed, ${fast} the fast way, ${cut} of them in pieces`,
  );
});

/**
 * A tree as `deno fmt` might leave it: without what sends a document the full way whatever its
 * flow collections (anchors, aliases, `|+` and `|2` headers), its flow collections written over
 * lines in the ways `ways` lists, taken in turn.
 */
function formatted(t: Tree, ways: Lines[], at = { i: 0 }): Tree {
  if ("alias" in t) return { s: t.alias };
  if (isBlockScalar(t)) return { ...t, head: t.head.replace(/[+2]/, "") || "|" };
  if ("s" in t) return t;
  const ml = t.flow ? ways[at.i++ % ways.length] : undefined;
  if ("map" in t) {
    return { ...t, anchor: undefined, ml, map: t.map.map(([k, v]) => [k, formatted(v, ways, at)]) };
  }
  return { ...t, anchor: undefined, ml, seq: t.seq.map((v) => formatted(v, ways, at)) };
}

const ways = fc.array(
  fc.record({
    item: fc.constantFrom(0, 2, 2, 2, 3, 4),
    close: fc.constantFrom(-1, 0, 0, 0, 0, 1, 2),
    comma: fc.boolean(),
  }),
  { minLength: 1, maxLength: 6 },
);

// A block mapping or list of trees (flow collections sit in block context there).
const documents = fc.tuple(
  fc.array(fc.tuple(key, tree), { minLength: 1, maxLength: 4 }),
  ways,
  fc.boolean(),
)
  .map(([entries, w, list]): Tree => {
    const items = entries.map(([k, t]): [string, Tree] => [k, formatted(t, w)]);
    return list ? { seq: items.map(([, t]) => t), flow: false } : { map: items, flow: false };
  });

Deno.test("multi-line flow collections as deno fmt writes them: the yaml package's value or its error", () => {
  let closers = 0;
  let fast = 0;
  fc.assert(
    fc.property(documents, fc.oneof(fc.constant(undefined), mutation), (t, mut) => {
      let text = block(t, 0) + "\n";
      if (mut) {
        const at = mut[0] % (text.length + 1);
        text = text.slice(0, at) + mut[1] + text.slice(at);
      }
      const want = reference(text);
      const quick = fastYamlValue(text, MAX_YAML_DEPTH);
      if (quick) {
        fast++;
        assert.ok("value" in want, `the fast way accepted what yaml rejects:\n${text}`);
        assert.equal(json(quick.value), json(want.value), text);
        assert.deepStrictEqual(quick.value, want.value, text);
        if (deficient(text)) closers++;
      }
      const pieces = fastYamlValue(text, MAX_YAML_DEPTH, { chunkChars: 1 });
      assert.deepStrictEqual(pieces, quick, `in pieces:\n${text}`);
      const got = ours(text);
      assert.equal("error" in got, "error" in want, text);
      if ("value" in got && "value" in want) assert.equal(json(got.value), json(want.value), text);
    }),
    { seed: 23, numRuns: 3000 },
  );
  // js-yaml alone refuses these (a closing bracket under its key): they must still go fast.
  assert.ok(
    closers > 200 && fast > 1500,
    `${fast} the fast way, ${closers} of them with a closing bracket under its key`,
  );
});

Deno.test("every built-in environment and suite takes the fast way, to the yaml package's value", async () => {
  const files = [
    ...[...Deno.readDirSync("envs")].filter((d) => d.isDirectory).map((d) =>
      `envs/${d.name}/env.yaml`
    ),
    "suite.yaml",
    "suites/full.yaml",
  ];
  for (const f of files) {
    const text = await Deno.readTextFile(f);
    const quick = fastYamlValue(text, MAX_YAML_DEPTH);
    assert.ok(quick, `${f} goes the slow way`);
    const want = reference(text);
    assert.ok("value" in want);
    assert.equal(json(quick.value), json(want.value), f);
  }
  assert.ok(files.length >= 10);
});

Deno.test("a large spec read in pieces (a top-level key, a run of list items) reads the same", () => {
  // The shape of a large spec: top-level keys, most of them long block lists.
  const spec = fc.array(
    fc.tuple(
      fc.oneof(words, fc.constantFrom("tools", "tasks", '"q k"', "null")),
      fc.oneof(
        { weight: 3, arbitrary: fc.array(tree, { minLength: 1, maxLength: 6 }) },
        tree.map((t) => [t]),
      ),
      fc.boolean(),
    ),
    { minLength: 1, maxLength: 4 },
  ).map((entries) => ({
    map: entries.map(([k, items, list]): [string, Tree] => [
      k,
      list ? { seq: items, flow: false } : items[0],
    ]),
    flow: false,
  }));
  let cut = 0;
  fc.assert(
    fc.property(spec, mutation, fc.integer({ min: 1, max: 40 }), (t, mut, chunkChars) => {
      let text = `# a comment\n${block(t, 0)}\n`;
      if (mut) {
        const at = mut[0] % (text.length + 1);
        text = text.slice(0, at) + mut[1] + text.slice(at);
      }
      const whole = fastYamlValue(text, MAX_YAML_DEPTH);
      const pieces = fastYamlValue(text, MAX_YAML_DEPTH, { chunkChars });
      assert.deepStrictEqual(pieces, whole, `in pieces of ${chunkChars}:\n${text}`);
      if (pieces) assert.equal(json(pieces.value), json(whole!.value), text);
      if (pieces && inPieces(text, MAX_YAML_DEPTH, chunkChars)) cut++;
      const want = reference(text);
      if (pieces) assert.deepStrictEqual(pieces.value, "value" in want ? want.value : want, text);
    }),
    { seed: 7, numRuns: 1500 },
  );
  assert.ok(cut > 100, `only ${cut} documents read in pieces`);
});

Deno.test("nesting: the limit holds on both ways, and an error found later is still located", () => {
  const nested = (n: number) => "[".repeat(n) + "]".repeat(n) + "\n";
  const blockMaps = (n: number) =>
    Array.from({ length: n }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n") + " 1\n";
  for (const make of [nested, blockMaps]) {
    // The outermost collection is level 0: MAX_YAML_DEPTH + 1 collections are allowed.
    assert.ok(parseYaml(make(MAX_YAML_DEPTH + 1), "ok.yaml").value !== undefined);
    assert.throws(
      () => parseYaml(make(MAX_YAML_DEPTH + 2), "deep.yaml"),
      (e) => e instanceof SpecError && /nested too deeply \(limit 64/.test(e.issues[0].message),
    );
  }
  // A plain document (the fast way) still knows where each pointer sits.
  const doc = parseYaml('tools:\n  - name: a\n    result: "x"\n  - name: b\n', "e.yaml");
  assert.ok(fastYamlValue("tools:\n  - name: a\n", MAX_YAML_DEPTH) !== undefined);
  assert.deepEqual(doc.locate("/tools/1/name"), { line: 4, col: 11 });
  assert.deepEqual(doc.locate("/tools/0/result", { key: true }), { line: 3, col: 5 });
});

Deno.test("an alias to a missing anchor beside an empty key is a located error, not a crash", () => {
  // `x:| k` in a flow mapping leaves a pair whose key is empty: the search for the anchor once
  // crashed on it (exit 1, a stack trace).
  assert.throws(
    () => parseYaml("{iw: *a, x:| k}\n", "e.yaml"),
    (e) =>
      e instanceof SpecError && /alias \*a names no anchor/.test(e.issues[0].message) &&
      e.issues[0].line === 1 && e.issues[0].col === 6,
  );
});
