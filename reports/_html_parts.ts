/**
 * Small HTML helpers shared by the report's sections.
 * @module
 */
import { escapeHtml as esc } from "./escape.ts";

/** Text as inline code. */
export const code = (s: unknown) => `<code>${esc(s)}</code>`;

/** Distinct values in first-seen order, optionally ranked by a preferred order. */
export function distinct(values: Iterable<string | undefined>, preferred: readonly string[] = []) {
  const seen = [...new Set([...values].filter((v): v is string => v !== undefined))];
  const rank = (v: string) => {
    const i = preferred.indexOf(v);
    return i < 0 ? preferred.length : i;
  };
  return seen.map((v, i) => ({ v, i })).sort((a, b) => rank(a.v) - rank(b.v) || a.i - b.i)
    .map(({ v }) => v);
}

/** The report's agents, protocols, variants and splits, in display order. */
export interface Axes {
  agents: string[];
  protocols: string[];
  variants: string[];
  splits: string[];
}

/** A table with a header row; `numeric` columns are right-aligned. */
export function table(head: string[], rows: string[][], opts: { numeric?: number[] } = {}): string {
  const cls = (i: number) => opts.numeric?.includes(i) ? ` class="n"` : "";
  return `<div class="scroll"><table><thead><tr>${
    head.map((h, i) => `<th${cls(i)} scope="col">${h}</th>`).join("")
  }</tr></thead><tbody>${
    rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${c}</td>`).join("")}</tr>`).join("")
  }</tbody></table></div>`;
}

/** A map key from several parts. */
export const key = (...parts: (string | undefined)[]) => parts.join("\u0000");
