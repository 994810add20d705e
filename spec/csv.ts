/** A CSV syntax problem at a 1-based line and column. */
export class CsvError extends Error {
  readonly line: number;
  readonly col: number;
  constructor(message: string, line: number, col: number) {
    super(message);
    this.name = "CsvError";
    this.line = line;
    this.col = col;
  }
}

/**
 * Parse RFC 4180 CSV (quoted fields, "" escapes, CRLF or LF) into records keyed by the header.
 * Cells that look like numbers become numbers, true/false become booleans, empty cells become null.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCsv } from "./csv.ts";
 * const rows = parseCsv('id,title,year\nb1,"Dune, Part 1",1965\n');
 * assert.ok(rows[0].title === "Dune, Part 1" && rows[0].year === 1965);
 * ```
 */
export function parseCsv(text: string): Record<string, unknown>[] {
  const records = parseCsvCells(text);
  if (records.length === 0) return [];
  const [header, ...body] = records;
  const seen = new Set<string>();
  header.cells.forEach((h, i) => {
    if (h === "") throw new CsvError(`empty column name in header (column ${i + 1})`, 1, 1);
    if (seen.has(h)) throw new CsvError(`duplicate column name "${h}" in header`, 1, 1);
    seen.add(h);
  });
  return body.map((r) => {
    if (r.cells.length !== header.cells.length) {
      throw new CsvError(
        `row has ${r.cells.length} cells but the header has ${header.cells.length}`,
        r.line,
        1,
      );
    }
    const row: Record<string, unknown> = {};
    header.cells.forEach((h, i) => row[h] = csvValue(r.cells[i], r.quoted[i]));
    return row;
  });
}

const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** Unquoted cells that look like numbers/booleans become them; quoted cells stay strings. */
export function csvValue(cell: string, quoted: boolean): unknown {
  if (quoted) return cell;
  if (cell === "") return null;
  if (cell === "true") return true;
  if (cell === "false") return false;
  if (NUMBER.test(cell)) return Number(cell);
  return cell;
}

interface CsvRecord {
  line: number;
  cells: string[];
  quoted: boolean[];
}

/** Split CSV text into records of raw cells (no type conversion). Blank lines are skipped. */
export function parseCsvCells(text: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let i = 0, line = 1, col = 1;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < n) {
    const rec: CsvRecord = { line, cells: [], quoted: [] };
    for (;;) {
      let cell = "";
      let quoted = false;
      if (text[i] === '"') {
        quoted = true;
        const startLine = line, startCol = col;
        i++, col++;
        for (;;) {
          if (i >= n) throw new CsvError("unclosed quoted field", startLine, startCol);
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              cell += '"', i += 2, col += 2;
              continue;
            }
            i++, col++;
            break;
          }
          if (c === "\n") line++, col = 0;
          cell += c, i++, col++;
        }
        if (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") {
          throw new CsvError(
            'unexpected character after a closing quote; double a quote inside a quoted field as ""',
            line,
            col,
          );
        }
      } else {
        while (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") {
          if (text[i] === '"') {
            throw new CsvError(
              'quote inside an unquoted field; quote the whole field and double inner quotes ("")',
              line,
              col,
            );
          }
          cell += text[i], i++, col++;
        }
      }
      rec.cells.push(cell);
      rec.quoted.push(quoted);
      if (i < n && text[i] === ",") {
        i++, col++;
        continue;
      }
      break;
    }
    if (text[i] === "\r") i++;
    if (text[i] === "\n") i++;
    line++, col = 1;
    const blank = rec.cells.length === 1 && rec.cells[0] === "" && !rec.quoted[0];
    if (!blank) out.push(rec);
  }
  return out;
}
