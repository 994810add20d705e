import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
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
 * import { issuesAt, parseYaml } from "./yaml.ts";
 * const at = issuesAt(parseYaml("a:\n  b: 1\n", "x.yaml"));
 * console.assert(at("/a/b", "bad").line === 2);
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
 * import { parseYaml } from "./yaml.ts";
 * const doc = parseYaml("a:\n  b: 1\n", "x.yaml");
 * console.assert(doc.locate("/a/b").line === 2);
 * ```
 */
export function parseYaml(text: string, file: string): Located {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const pos = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  if (doc.errors.length > 0) {
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
  const walk = (node: Node | null | undefined, ptr: string) => {
    if (!node) return;
    if (node.range) valueAt.set(ptr, node.range[0]);
    if (isMap(node)) {
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const child = `${ptr}/${pointerSegment(k)}`;
        const kn = pair.key as Node | null;
        if (kn?.range) keyAt.set(child, kn.range[0]);
        if (pair.value) walk(pair.value as Node, child);
        else if (kn?.range) valueAt.set(child, kn.range[0]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item as Node, `${ptr}/${i}`));
    }
  };
  walk(doc.contents as Node, "");
  const value = doc.toJS({ maxAliasCount: 1000 });
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
