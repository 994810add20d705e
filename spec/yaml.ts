import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from "yaml";
import process from "node:process";
import { SpecError, type SpecIssue } from "./errors.ts";
import { fastYamlValue } from "./_yaml_fast.ts";

/** A parsed YAML (or JSON) file: its plain value and a way to find where a JSON pointer sits. */
export interface Located<T = unknown> {
  file: string;
  value: T;
  /** Line/col (1-based) of the value at `pointer`, or of its key when `key` is set; nearest parent if absent. */
  locate(pointer: string, opts?: { key?: boolean }): { line: number; col: number };
  /**
   * Pointers, relative to `pointer`, of the integral numbers under it written as floats (`1.0`,
   * `2e3`): a spelling the parsed value loses and Python-typed checks (BFCL's) tell apart.
   */
  floatsUnder?(pointer: string): string[];
}

/**
 * A maker of located issues for one document: `at(pointer, message, hint)` finds the line and
 * column of `pointer` in `doc`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { issuesAt, parseYaml } from "./yaml.ts";
 * const at = issuesAt(parseYaml("a:\n  b: 1\n", "x.yaml"));
 * assert.ok(at("/a/b", "bad").line === 2);
 * ```
 */
export function issuesAt(
  doc: Located,
): (pointer: string, message: string, hint?: string) => SpecIssue {
  return (pointer, message, hint) => ({
    file: doc.file,
    pointer,
    ...doc.locate(pointer),
    message,
    hint,
  });
}

/** Escape one JSON-pointer segment. */
export function pointerSegment(s: string | number): string {
  return String(s).replaceAll("~", "~0").replaceAll("/", "~1");
}

/** Deepest nesting of mappings and lists a spec may have (specs need a handful of levels). */
export const MAX_YAML_DEPTH = 64;

/** Most alias expansions in one document: more is an alias bomb, not a spec. */
export const MAX_YAML_ALIASES = 1000;

/**
 * Parse YAML text keeping source positions; throws SpecError on syntax errors.
 *
 * Most files take a fast path: js-yaml builds the plain value (YAML 1.2 core schema, as the
 * `yaml` package does) without a syntax tree, and the `yaml` package's Document, which knows
 * where every node sits, is built only when something asks where a pointer is (an error to
 * report). Anything the fast path does not take as it is — an alias, a nesting near the limit,
 * a `null` key, a syntax error — goes the full way, whose errors and values are the reference
 * (spec/yaml_test.ts checks both ways agree on generated documents).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseYaml } from "./yaml.ts";
 * const doc = parseYaml("a:\n  b: 1\n", "x.yaml");
 * assert.ok(doc.locate("/a/b").line === 2);
 * ```
 */
export function parseYaml(text: string, file: string): Located {
  const fast = fastYamlValue(text, MAX_YAML_DEPTH);
  if (fast === undefined) return composeYaml(text, file, true);
  let full: Located | null | undefined;
  const composed = () => {
    if (full === undefined) {
      try {
        full = composeYaml(text, file, false);
      } catch {
        full = null; // the two parsers disagree on this text: point at its start
      }
    }
    return full;
  };
  return {
    file,
    value: fast.value,
    locate(pointer, opts) {
      return composed()?.locate(pointer, opts) ?? { line: 1, col: 1 };
    },
    // The spelling of a number is the syntax tree's to know: built when a check asks (bfcl mode).
    floatsUnder(pointer) {
      return composed()?.floatsUnder?.(pointer) ?? [];
    },
  };
}

/** The full way: the `yaml` package's Document, its located errors, and (if asked) the value. */
function composeYaml(text: string, file: string, withValue: boolean): Located {
  const lineCounter = new LineCounter();
  const doc = withPlainEnv(() =>
    parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  );
  const pos = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  if (doc.errors.length > 0) {
    // The parser recursed past the stack (a nesting far beyond any spec's): it says so once per
    // level; one issue, at the outermost, is enough.
    const deep = doc.errors.filter((e) => /call stack/i.test(e.message));
    if (deep.length > 0) {
      const at = flowDepthAt(text, MAX_YAML_DEPTH + 1) ?? Math.min(...deep.map((e) => e.pos[0]));
      const { line, col } = pos(at);
      throw new SpecError([deepIssue(file, line, col)]);
    }
    const issues: SpecIssue[] = doc.errors.map((e) => {
      const { line, col } = pos(e.pos[0]);
      const first = e.message.split("\n")[0];
      return {
        file,
        line,
        col,
        pointer: "",
        message: `YAML syntax error: ${first}`,
        hint: yamlHint(e.code),
      };
    });
    throw new SpecError(issues);
  }
  // Nesting is checked once, up front; where a pointer sits is looked up on demand by walking
  // down the syntax tree (a 10k-tool spec has a million nodes: a map of every pointer cost more
  // time and memory than the rest of loading).
  const deep = (node: unknown, depth: number, ptr: () => string): void => {
    if (depth > MAX_YAML_DEPTH) {
      const n = node as Node;
      const p = pos(n.range?.[0] ?? 0);
      throw new SpecError([deepIssue(file, p.line, p.col, ptr())]);
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isMap(pair.value) || isSeq(pair.value)) {
          deep(pair.value, depth + 1, () => `${ptr()}/${pointerSegment(keyText(pair.key))}`);
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        if (isMap(item) || isSeq(item)) deep(item, depth + 1, () => `${ptr()}/${i}`);
      });
    }
  };
  deep(doc.contents, 0, () => "");
  let value: unknown;
  try {
    if (withValue) value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    throw new SpecError([aliasIssue(doc, file, pos, (err as Error).message)]);
  }
  /** The offset of the value (or key) a pointer names; the nearest parent's when it is absent. */
  const offsetOf = (pointer: string, key: boolean): number | undefined => {
    let node = doc.contents as unknown;
    let at = (node as Node | null)?.range?.[0];
    if (pointer === "") return at;
    for (const raw of pointer.slice(1).split("/")) {
      const seg = raw.replaceAll("~1", "/").replaceAll("~0", "~");
      if (isMap(node)) {
        const pair = node.items.find((p) => keyText(p.key) === seg);
        if (!pair) return at;
        const kn = pair.key as Node | null;
        const vn = pair.value as Node | null;
        at = vn?.range?.[0] ?? kn?.range?.[0] ?? at;
        node = vn;
        if (key && kn?.range) at = kn.range[0];
      } else if (isSeq(node)) {
        const item = node.items[Number(seg)] as Node | undefined;
        if (!/^\d+$/.test(seg) || !item) return at;
        at = item.range?.[0] ?? at;
        node = item;
      } else return at;
    }
    // `key` asks for the key of the last segment only: a value's own position otherwise.
    return at;
  };
  /** The node a pointer names, or undefined. */
  const nodeAt = (pointer: string): unknown => {
    let node = doc.contents as unknown;
    if (pointer === "") return node;
    for (const raw of pointer.slice(1).split("/")) {
      const seg = raw.replaceAll("~1", "/").replaceAll("~0", "~");
      if (isMap(node)) node = node.items.find((p) => keyText(p.key) === seg)?.value;
      else if (isSeq(node)) node = /^\d+$/.test(seg) ? node.items[Number(seg)] : undefined;
      else return undefined;
    }
    return node;
  };
  return {
    file,
    value,
    locate(pointer, opts) {
      const off = offsetOf(pointer, opts?.key === true);
      return off === undefined ? { line: 1, col: 1 } : pos(off);
    },
    floatsUnder(pointer) {
      const out: string[] = [];
      const walk = (node: unknown, at: string) => {
        if (isMap(node)) {
          for (const p of node.items) walk(p.value, `${at}/${pointerSegment(keyText(p.key))}`);
        } else if (isSeq(node)) node.items.forEach((x, i) => walk(x, `${at}/${i}`));
        else if (isScalar(node) && typeof node.value === "number" && Number.isInteger(node.value)) {
          if (/[.eE]/.test(node.source ?? "")) out.push(at);
        }
      };
      walk(nodeAt(pointer), "");
      return out;
    },
  };
}

/**
 * Run `f` (synchronous) with `process.env` a plain object. The yaml package's parser reads
 * `process.env.LOG_TOKENS` once per token, and under Deno each read is a call into the runtime:
 * a tenth of the time to parse a large spec. Nothing else runs while `f` does, and the real
 * environment is back before anything else can look.
 */
function withPlainEnv<T>(f: () => T): T {
  const env = process.env;
  let tokens: string | undefined;
  try {
    tokens = env.LOG_TOKENS;
  } catch { /* no permission to read the environment: the parser could not either */ }
  process.env = tokens === undefined ? {} : { LOG_TOKENS: tokens };
  try {
    return f();
  } finally {
    process.env = env;
  }
}

/** A mapping key as the pointer segment that names it. */
const keyText = (k: unknown) => isScalar(k) ? String(k.value) : String(k);

function yamlHint(code: string): string {
  switch (code) {
    case "DUPLICATE_KEY":
      return "each key may appear once in a mapping; remove or rename the second one";
    case "MISSING_CHAR":
      return "a quote or bracket opened earlier is never closed; close it on the line where the value ends";
    case "BAD_INDENT":
      return "check the indentation: nested keys need more spaces than their parent, and list items start with '- '";
    case "BLOCK_AS_IMPLICIT_KEY":
      return "a key seems to span several lines; check for a missing ':' or an unclosed quote";
    case "MULTILINE_IMPLICIT_KEY":
      return "quote values that contain ': ' or start with a special character";
    default:
      return "quote strings that contain ':', '#', '{' or '[' and check brackets and indentation";
  }
}

function deepIssue(file: string, line: number, col: number, pointer = ""): SpecIssue {
  return {
    file,
    line,
    col,
    pointer,
    message: `nested too deeply (limit ${MAX_YAML_DEPTH} levels of mappings and lists)`,
    hint:
      "a spec needs a few levels: check for brackets opened and never closed, or flatten the data",
  };
}

/** An alias that cannot be expanded: located at the alias it names (or the first alias). */
function aliasIssue(
  doc: ReturnType<typeof parseDocument>,
  file: string,
  pos: (offset: number) => { line: number; col: number },
  why: string,
): SpecIssue {
  const anchors = new Set<string>();
  let unresolved: { source: string; at: number } | undefined;
  let first: number | undefined;
  visit(doc, (_key, node) => {
    const n = node as (Node & { anchor?: string }) | null;
    if (n?.anchor) anchors.add(n.anchor);
    if (isAlias(node)) {
      first ??= node.range?.[0];
      if (!unresolved && !anchors.has(node.source)) {
        unresolved = { source: node.source, at: node.range?.[0] ?? 0 };
      }
    }
  });
  if (unresolved) {
    return {
      file,
      ...pos(unresolved.at),
      pointer: "",
      message: `alias *${unresolved.source} names no anchor set before it`,
      hint: `define &${unresolved.source} on a value above this line, or write the value here`,
    };
  }
  const bomb = /excessive alias count/i.test(why);
  return {
    file,
    ...pos(first ?? 0),
    pointer: "",
    message: bomb
      ? `aliases expand past the limit (${MAX_YAML_ALIASES} expansions): an alias bomb?`
      : `aliases cannot be expanded: ${why}`,
    hint: bomb
      ? "write the repeated values out, or reuse fewer nested aliases"
      : "check the anchors (&name) and aliases (*name) of the file",
  };
}

/**
 * Where brackets first nest `depth` deep (`[` and `{` outside quotes and comments), if they do:
 * where to point at for a nesting the parser could not even finish.
 */
function flowDepthAt(text: string, depth: number): number | undefined {
  let d = 0;
  let quote = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#") { while (i < text.length && text[i] !== "\n") i++; }
    else if (c === "[" || c === "{") {
      if (++d >= depth) return i;
    } else if (c === "]" || c === "}") d = Math.max(0, d - 1);
  }
  return undefined;
}
