import { Document, isMap, isSeq, type Node, Scalar } from "yaml";
import { PyFloat } from "../tasks/calls/mod.ts";

/** The value with each PyFloat a YAML scalar that keeps its float spelling (`1.0`). */
function spelled(v: unknown): unknown {
  if (v instanceof PyFloat) return Object.assign(new Scalar(v.value), { minFractionDigits: 1 });
  if (Array.isArray(v)) return v.map(spelled);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, spelled(x)]));
  }
  return v;
}

/**
 * A spec as YAML text: a comment header, block style, except that nodes whose path (keys and
 * `*` for list items) matches a pattern in `flow` are written on one line (`{ tool: x, args: { … }
 * }`); a `*` in a pattern also matches any key. `comments` puts comment lines above nodes, each
 * named by its exact path (`["tasks", 0]`). Numbers read as PyFloats (`1.0`) keep that spelling.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderYaml } from "./render.ts";
 * const text = renderYaml({ a: [{ b: 1 }] }, { header: ["hello"], flow: ["a/*"] });
 * assert.ok(text === "# hello\n\na:\n  - { b: 1 }\n");
 * ```
 */
export function renderYaml(
  value: unknown,
  opts: {
    header: string[];
    flow?: string[];
    comments?: { path: (string | number)[]; lines: string[] }[];
  },
): string {
  // A value used twice is written twice, not as a YAML anchor and alias.
  const doc = new Document(spelled(value), { aliasDuplicateObjects: false });
  const flow = new Set(opts.flow ?? []);
  const starred = (opts.flow ?? []).filter((f) => f.includes("*")).map((f) =>
    f.split("/").map((seg) => (seg === "*" ? "" : seg))
  );
  const matches = (path: string) => {
    if (flow.has(path)) return true;
    const segs = path.split("/");
    return starred.some((f) =>
      f.length === segs.length && f.every((seg, i) => seg === "" || seg === segs[i])
    );
  };
  const walk = (node: unknown, path: string) => {
    if (matches(path) && (isMap(node) || isSeq(node))) {
      (node as Node & { flow: boolean }).flow = true;
      return;
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = String((pair.key as { value?: unknown })?.value ?? pair.key);
        walk(pair.value, path ? `${path}/${key}` : key);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) walk(item, `${path}/*`);
    }
  };
  walk(doc.contents, "");
  const commented = (lines: string[]) => lines.map((l) => ` ${l}`.trimEnd()).join("\n");
  for (const c of opts.comments ?? []) {
    const node = doc.getIn(c.path, true) as Node | undefined;
    if (node && c.lines.length) node.commentBefore = commented(c.lines);
  }
  doc.commentBefore = commented(opts.header);
  return doc.toString({ lineWidth: 100, flowCollectionPadding: true });
}
