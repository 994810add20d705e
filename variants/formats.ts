import { csvValue } from "../spec/csv.ts";

/** How a tool's JSON result is shown to the agent under the `output_format` variant. */
export type OutputFormat = "json" | "csv" | "text";

/**
 * Render a JSON value as the agent will read it.
 *
 * - `json`: compact `JSON.stringify` (`null` for undefined).
 * - `csv`: RFC 4180 with LF line endings and no trailing newline. An array of objects is a table
 *   (header = union of keys in first-seen order, missing key → empty cell); a single object is a
 *   one-row table; anything else is a one-column table headed `value` (a scalar is one row). An
 *   empty array, or a table with no columns, is `""`. Nested arrays/objects go in as their compact
 *   JSON (not joined with `; `, so nothing is lost). null → empty cell. Strings that `parseCsv`
 *   would revive (`""`, `true`, `false`, numbers) are quoted, so the text parses back exactly.
 * - `text`: `key: value` lines for an object; `[1]`, `[2]`, … blocks separated by a blank line for
 *   an array of objects; `- item` lines for any other array; `(no results)` for an empty array.
 *   Strings are raw unless they hold a line break (then JSON-quoted); nested values are compact JSON.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderResult } from "./formats.ts";
 * const books = [{ book_id: "b1", title: "Dune, Part 1", year: 1965 }];
 * assert.ok(renderResult(books, "csv") === 'book_id,title,year\nb1,"Dune, Part 1",1965');
 * assert.ok(renderResult(books, "text") === "[1]\nbook_id: b1\ntitle: Dune, Part 1\nyear: 1965");
 * assert.ok(renderResult(books, "json") === JSON.stringify(books));
 * ```
 */
export function renderResult(value: unknown, format: OutputFormat): string {
  switch (format) {
    case "json":
      return compactJson(value);
    case "csv":
      return renderCsv(value);
    case "text":
      return renderText(value);
  }
}

/** `JSON.stringify` answers undefined (not a string) for undefined, functions and symbols. */
function compactJson(value: unknown): string {
  return JSON.stringify(value) ?? "null";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Own keys only: a missing "constructor" key must not read Object.prototype.constructor. */
function field(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

// ---- csv ----

function renderCsv(value: unknown): string {
  let header: string[];
  let rows: unknown[][];
  if (Array.isArray(value) && value.length > 0 && value.every(isRecord)) {
    [header, rows] = table(value);
  } else if (isRecord(value)) {
    [header, rows] = table([value]);
  } else if (Array.isArray(value)) {
    [header, rows] = [["value"], value.map((v) => [v])];
  } else {
    [header, rows] = [["value"], [[value]]];
  }
  if (header.length === 0 || rows.length === 0) return "";
  return [header.map(csvString), ...rows.map((r) => r.map(csvCell))]
    .map((cells) => cells.join(","))
    .join("\n");
}

function table(records: Record<string, unknown>[]): [string[], unknown[][]] {
  const keys = new Set<string>();
  for (const r of records) for (const k of Object.keys(r)) keys.add(k);
  const header = [...keys];
  return [header, records.map((r) => header.map((k) => field(r, k)))];
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return ""; // as JSON would: null
    return Object.is(value, -0) ? "-0" : String(value); // "-0" so -0 parses back as -0
  }
  if (typeof value === "string") return csvString(value);
  return csvString(compactJson(value));
}

/** Quote what RFC 4180 needs, and whatever parseCsv would otherwise revive as non-string. */
function csvString(s: string): string {
  const quote = /[",\r\n]|^\s|\s$|^\uFEFF/.test(s) || csvValue(s, false) !== s;
  return quote ? `"${s.replaceAll('"', '""')}"` : s;
}

// ---- text ----

function renderText(value: unknown): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "(no results)";
    if (value.every(isRecord)) {
      return value.map((r, i) => [`[${i + 1}]`, ...keyLines(r)].join("\n")).join("\n\n");
    }
    return value.map((v) => `- ${textValue(v)}`).join("\n");
  }
  if (isRecord(value)) {
    const lines = keyLines(value);
    return lines.length === 0 ? "(no fields)" : lines.join("\n");
  }
  return typeof value === "string" ? value : textValue(value);
}

function keyLines(record: Record<string, unknown>): string[] {
  return Object.keys(record).map((k) => `${textString(k)}: ${textValue(field(record, k))}`);
}

function textValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return textString(value);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "null";
  if (typeof value === "boolean") return String(value);
  return compactJson(value);
}

/** A raw line break would split one `key: value` line in two, so such strings are JSON-quoted. */
function textString(s: string): string {
  return /[\r\n]/.test(s) ? JSON.stringify(s) : s;
}
