/**
 * The HTML report's BFCL table (reports/bfcl_table.ts): per agent × protocol × variant, the
 * leaderboard's summaries and each category's accuracy, where tasks are imported BFCL entries.
 * @module
 */
import { BFCL_TABLE_NOTE, bfclCells } from "./bfcl_table.ts";
import { escapeHtml as esc } from "./escape.ts";
import { table } from "./_html_parts.ts";
import type { Report } from "./types.ts";

/** The BFCL categories table with its note; empty when no task is a BFCL entry. */
export function bfclHtml(report: Report): string {
  const t = bfclCells(report.bfcl ?? []);
  if (!t) return "";
  return `<h3 id="bfcl">BFCL categories</h3>${
    table(t.head.map(esc), t.body.map((r) => r.map(esc)), {
      numeric: t.head.map((_, i) => i).filter((i) => i >= 3),
    })
  }<p class="note">${esc(BFCL_TABLE_NOTE.join(" "))}</p>`;
}
