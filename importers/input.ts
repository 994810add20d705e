import { readSpecFile } from "../spec/files.ts";
import { SpecError, type SpecIssue } from "../spec/errors.ts";
import { parseYaml } from "../spec/yaml.ts";

/** One JSON document of an input file (the whole file, or one line of a JSONL file). */
export interface InputRecord {
  /** The parsed document. */
  value: unknown;
  /** A located issue at a JSON pointer inside this record. */
  issue(pointer: string, message: string, hint?: string): SpecIssue;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Line and column (1-based) of a character offset. */
function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

/** Where V8's JSON.parse message says the error is, as an offset into `text`. */
function errorOffset(message: string, text: string): number | undefined {
  const lc = message.match(/line (\d+) column (\d+)/);
  if (lc) {
    const lines = text.split("\n");
    return lines.slice(0, Number(lc[1]) - 1).reduce((n, l) => n + l.length + 1, 0) +
      Number(lc[2]) - 1;
  }
  const pos = message.match(/position (\d+)/);
  return pos ? Number(pos[1]) : undefined;
}

/** Where a JSON syntax error is: from V8's message, else from the YAML parser's view of it. */
function syntaxErrorAt(text: string, message: string): { line: number; col: number } {
  const off = errorOffset(message, text);
  if (off !== undefined) return lineCol(text, off);
  try {
    parseYaml(text, "");
  } catch (err) {
    if (err instanceof SpecError) return { line: err.issues[0].line, col: err.issues[0].col };
  }
  return { line: 1, col: 1 };
}

function record(
  file: string,
  text: string,
  firstLine: number,
  value: unknown = JSON.parse(text),
): InputRecord {
  let doc: ReturnType<typeof parseYaml> | undefined;
  return {
    value,
    issue(pointer, message, hint) {
      // Positions are found lazily: only a record with a problem pays for the YAML parse.
      try {
        doc ??= parseYaml(text, file);
      } catch { /* JSON that YAML reads differently: point at the record */ }
      const at = doc?.locate(pointer) ?? { line: 1, col: 1 };
      return { file, line: at.line + firstLine - 1, col: at.col, pointer, message, hint };
    },
  };
}

/**
 * Read a JSON file, or a JSON Lines file (one document per line, as BFCL's data files are), as
 * located records (`parse` reads each document: JSON.parse unless given). Unreadable files and
 * syntax errors throw a SpecError naming file:line:col.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readJsonRecords } from "./input.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/q.jsonl`, '{"id": "a"}\n{"id": "b"}\n');
 * const recs = await readJsonRecords(`${dir}/q.jsonl`, { what: "questions file" });
 * assert.ok(recs.length === 2 && recs[1].issue("/id", "x").line === 2);
 * ```
 */
export async function readJsonRecords(
  file: string,
  opts: { what: string; parse?: (text: string) => unknown },
): Promise<InputRecord[]> {
  const parse = opts.parse ?? JSON.parse;
  const text = await readSpecFile(file, { what: opts.what });
  const trimmed = text.trim();
  if (trimmed === "") {
    throw new SpecError([{
      file,
      line: 1,
      col: 1,
      pointer: "",
      message: `${opts.what} is empty`,
      hint: "give a JSON file or a JSON Lines file (one JSON object per line)",
    }]);
  }
  let whole: unknown;
  let wholeError: Error | undefined;
  try {
    whole = parse(text);
  } catch (err) {
    wholeError = err as Error;
  }
  if (!wholeError) return [record(file, text, 1, whole)];
  // Not one JSON document: JSON Lines, when every non-blank line is one.
  const lines = text.split("\n");
  const first = lines.find((l) => l.trim() !== "")!;
  if (file.endsWith(".jsonl") || parses(first)) {
    const out: InputRecord[] = [];
    for (const [i, line] of lines.entries()) {
      if (line.trim() === "") continue;
      try {
        out.push(record(file, line, i + 1, parse(line)));
      } catch (err) {
        const msg = (err as Error).message;
        throw new SpecError([{
          file,
          line: i + 1,
          col: syntaxErrorAt(line, msg).col,
          pointer: "",
          message: `not JSON: ${msg.replace(/\s+/g, " ")}`,
          hint: "JSON Lines needs one complete JSON object per line",
        }]);
      }
    }
    return out;
  }
  throw new SpecError([{
    file,
    ...syntaxErrorAt(text, wholeError.message),
    pointer: "",
    message: `not JSON: ${wholeError.message.replace(/\s+/g, " ")}`,
    hint: "the file must be JSON (or JSON Lines: one JSON object per line)",
  }]);
}
