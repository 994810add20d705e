/**
 * The HTML report's table of every metric column (reports/metric_registry.ts), one row per
 * agent × protocol × variant.
 * @module
 */
import { escapeHtml as esc } from "./escape.ts";
import { metricColumns } from "./metric_registry.ts";
import { table } from "./_html_parts.ts";
import type { Report } from "./types.ts";

/** Every metric column of the report's overall rows, folded under a summary line. */
export function metricsTable(report: Report): string {
  const rows = report.overall;
  if (rows.length === 0) return "";
  const columns = metricColumns().filter((m) => m.column.shown?.(rows) ?? true);
  const keys = ["agent", "protocol", "variant"] as const;
  const body = rows.map((r) => [
    ...keys.map((k) => esc(r[k] ?? "")),
    ...columns.map((m) => esc(m.column.cell(r))),
  ]);
  return `<details class="metrics"><summary>Every metric by agent, protocol and variant</summary>${
    table([...keys, ...columns.map((m) => esc(m.column.label))], body, {
      numeric: columns.map((_, i) => i + keys.length),
    })
  }</details>`;
}
