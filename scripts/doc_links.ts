/**
 * The relative links of Markdown docs, and whether each one's file and `#anchor` exist.
 * `scripts/doc_links_test.ts` runs it over README.md and docs/*.md.
 *
 * @module
 */

/**
 * A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { slug } from "./doc_links.ts";
 * assert.ok(slug("Training stages: `deno task train training.yaml`") ===
 *   "training-stages-deno-task-train-trainingyaml");
 * ```
 */
export function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

/** The anchors of a Markdown file's headings (outside code blocks), repeated ones numbered. */
export function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    const f = line.match(/^\s*(`{3,}|~{3,})/);
    if (f && (!fence || f[1].startsWith(fence))) fence = fence ? undefined : f[1];
    const h = !fence && !f && line.match(/^#{1,6}\s+(.*)$/);
    if (!h) continue;
    const base = slug(h[1]);
    let s = base;
    for (let n = 1; out.has(s); n++) s = `${base}-${n}`;
    out.add(s);
  }
  return out;
}

/** A relative link of a Markdown file: its 1-based line, target path (may be empty) and anchor. */
export interface DocLink {
  /** 1-based line of the link. */
  line: number;
  /** The file it points to, relative to the linking file; empty for a link within the file. */
  path: string;
  /** The `#anchor`, without `#`, if any. */
  anchor?: string;
}

/**
 * The relative links (`[text](path#anchor)`) of a Markdown file, outside code; links with a
 * scheme (`https:`, `mailto:`) are left out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { relativeLinks } from "./doc_links.ts";
 * const links = relativeLinks("See [spec](docs/spec.md#validation) and [site](https://x.org).");
 * assert.ok(links.length === 1 && links[0].anchor === "validation");
 * ```
 */
export function relativeLinks(markdown: string): DocLink[] {
  const out: DocLink[] = [];
  let fence = false;
  markdown.split("\n").forEach((line, k) => {
    if (/^\s*(`{3,}|~{3,})/.test(line)) fence = !fence;
    if (fence) return;
    const text = line.replace(/`[^`]*`/g, "``");
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z][\w+.-]*:/i.test(target)) continue;
      const [path, anchor] = target.split("#", 2);
      out.push({ line: k + 1, path, ...(anchor !== undefined ? { anchor } : {}) });
    }
  });
  return out;
}
