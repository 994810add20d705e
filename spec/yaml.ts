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
import { SpecError, type SpecIssue } from "./errors.ts";

/** A parsed YAML (or JSON) file: its plain value and a way to find where a JSON pointer sits. */
export interface Located<T = unknown> {
  file: string;
  value: T;
  /** Line/col (1-based) of the value at `pointer`, or of its key when `key` is set; nearest parent if absent. */
  locate(pointer: string, opts?: { key?: boolean }): { line: number; col: number };
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

/**
 * Parse YAML text keeping source positions; throws SpecError on syntax errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseYaml } from "./yaml.ts";
 * const doc = parseYaml("a:\n  b: 1\n", "x.yaml");
 * assert.ok(doc.locate("/a/b").line === 2);
 * ```
 */
/** Deepest nesting of mappings and lists a spec may have (specs need a handful of levels). */
export const MAX_YAML_DEPTH = 64;

/** Most alias expansions in one document: more is an alias bomb, not a spec. */
export const MAX_YAML_ALIASES = 1000;

export function parseYaml(text: string, file: string): Located {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
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
  const valueAt = new Map<string, number>();
  const keyAt = new Map<string, number>();
  const walk = (node: Node | null | undefined, ptr: string, depth = 0) => {
    if (!node) return;
    if (depth > MAX_YAML_DEPTH && node.range) {
      const p = pos(node.range[0]);
      throw new SpecError([deepIssue(file, p.line, p.col, ptr)]);
    }
    if (node.range) valueAt.set(ptr, node.range[0]);
    if (isMap(node)) {
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const child = `${ptr}/${pointerSegment(k)}`;
        const kn = pair.key as Node | null;
        if (kn?.range) keyAt.set(child, kn.range[0]);
        if (pair.value) walk(pair.value as Node, child, depth + 1);
        else if (kn?.range) valueAt.set(child, kn.range[0]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item as Node, `${ptr}/${i}`, depth + 1));
    }
  };
  walk(doc.contents as Node, "");
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    throw new SpecError([aliasIssue(doc, file, pos, (err as Error).message)]);
  }
  return {
    file,
    value,
    locate(pointer, opts) {
      let p = pointer;
      for (;;) {
        const off = (opts?.key ? keyAt.get(p) : undefined) ?? valueAt.get(p);
        if (off !== undefined) return pos(off);
        if (p === "") return { line: 1, col: 1 };
        p = p.slice(0, p.lastIndexOf("/"));
      }
    },
  };
}

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
    const n = node as Node & { anchor?: string };
    if (n.anchor) anchors.add(n.anchor);
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
