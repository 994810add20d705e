import type { VariantSummary } from "./types.ts";

/** How a renderer writes a name (as code) and plain text (escaped). */
export interface SawFormat {
  code(s: string): string;
  text(s: string): string;
}

/** One visible tool that differs from the canonical interface. */
export interface SawRow {
  name: string;
  /** The environment's tool it reaches; null for a distractor or a deprecated name. */
  canonical: string | null;
  /** Formatted `seen ← canonical` parameter pairs. */
  params: string[];
  /** Formatted notes: deprecations, formats, faults, added parameters, unit factors, missing docs. */
  notes: string[];
}

/**
 * The rows of "What the agent saw" for one variant and environment: each visible tool that differs
 * from its canonical tool, with notes read from the operators' recorded changes. Markdown and HTML
 * format the same rows.
 */
export function sawRows(v: VariantSummary, f: SawFormat): SawRow[] {
  const notes = new Map<string, string[]>();
  const note = (tool: string, s: string) => {
    let n = notes.get(tool);
    if (!n) notes.set(tool, n = []);
    if (!n.includes(s)) n.push(s);
  };
  for (const op of v.ops) {
    for (const c of op.changes) {
      const from = f.code(c.from ?? ""), to = c.to ?? "", detail = f.text(c.note ?? "");
      if (c.what === "deprecated") note(c.tool, `replaces ${from} (deprecated; ${detail})`);
      else if (c.what === "output format") note(c.tool, `results as ${f.text(to)}`);
      else if (c.what === "faults") note(c.tool, `faults (${detail})`);
      else if (c.what === "paraphrased") note(c.tool, "reworded docs");
      else if (c.what === "params reordered") note(c.tool, "params reordered");
      else if (c.what === "distractor") note(c.tool, `distractor: ${from}`);
      else if (c.what === "deprecated name") {
        note(c.tool, `deprecated name: every call answers "use ${f.text(to)} instead"`);
      }
    }
  }
  const rows: SawRow[] = [];
  for (const t of v.tools) {
    const n = [...(notes.get(t.name) ?? [])];
    if (!t.described) n.push("no description");
    for (const a of t.added) n.push(`requires new ${f.code(a)}`);
    for (const [p, x] of Object.entries(t.scaled)) n.push(`${f.code(p)} × ${f.text(String(x))}`);
    const params = Object.entries(t.params).map(([seen, canon]) =>
      `${f.code(seen)} ← ${f.code(canon)}`
    );
    if (t.canonical === t.name && params.length === 0 && n.length === 0) continue;
    rows.push({ name: t.name, canonical: t.canonical, params, notes: n });
  }
  return rows;
}
