/**
 * An environment's state and what sits beside it: state tables (inline rows or data files next to
 * the spec), a task's own tables, the policy text and the clock.
 * @module
 */
import { dirname, join } from "node:path";
import { parseCsv } from "../csv.ts";
import { FIXED_NOW, parseNow } from "../expr.ts";
import { sha256Hex } from "../files.ts";
import type { Row, State } from "../types.ts";
import { pointerSegment } from "../yaml.ts";
import type { EnvContext } from "./context.ts";
import { taskTableIssues } from "./conversation.ts";
import type { RawEnv, RawTables } from "./raw.ts";

/**
 * Named tables (the env's or a task's) at pointer `base`: inline rows, or data files next to the
 * spec, read and hashed into `ctx.files`. A table that cannot be read is left out, its problem
 * recorded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseYaml } from "../yaml.ts";
 * import { envContext } from "./context.ts";
 * import { loadTables } from "./state.ts";
 * const ctx = envContext(parseYaml("state: {}\n", "testdata/good/mini.yaml"), []);
 * const t = await loadTables({ items: { file: "items.csv" }, log: [] }, { base: "/state", ctx });
 * assert.ok(t.items.length > 0 && ctx.files.length === 1 && Object.isFrozen(t.items));
 * ```
 */
export async function loadTables(
  defs: RawTables,
  opts: { base: string; ctx: EnvContext },
): Promise<Record<string, readonly Row[]>> {
  const { base, ctx } = opts;
  const out: Record<string, readonly Row[]> = {};
  for (const [table, def] of Object.entries(defs)) {
    if (Array.isArray(def)) {
      out[table] = deepFreeze(def);
      continue;
    }
    const dataPath = join(dirname(ctx.file), def.file);
    const ptr = `${base}/${pointerSegment(table)}/file`;
    let data: string;
    try {
      data = await Deno.readTextFile(dataPath);
    } catch {
      ctx.issues.push(
        ctx.at(
          ptr,
          `data file ${dataPath} not found`,
          `create it, or fix the path (relative to ${ctx.file})`,
        ),
      );
      continue;
    }
    ctx.files.push({ path: dataPath, sha256: await sha256Hex(data) });
    try {
      out[table] = deepFreeze(parseDataFile(def.file, data));
    } catch (err) {
      const e = err as Error & { line?: number; col?: number };
      ctx.issues.push({
        file: dataPath,
        line: e.line ?? 1,
        col: e.col ?? 1,
        pointer: "",
        message: `cannot read table "${table}": ${e.message}`,
        hint: def.file.endsWith(".csv")
          ? 'fix the CSV there: one header row, the same number of cells in every row, fields with commas or quotes in "…" with inner quotes doubled'
          : "the file must hold a list of objects (JSON) or one object per line (JSONL)",
      });
    }
  }
  return out;
}

/**
 * A task's own tables at pointer `p`, loaded like the env's and checked against the env's tables
 * (`state`) and the columns its tools may write (`columns`, null: any).
 */
export async function taskState(
  defs: RawTables,
  opts: { p: string; state: State; columns: Set<string> | null; ctx: EnvContext },
): Promise<State> {
  const { p, ctx } = opts;
  const own = await loadTables(defs, { base: p, ctx });
  for (const [table, rows] of Object.entries(own)) {
    ctx.issues.push(...taskTableIssues(table, rows, {
      env: opts.state,
      columns: opts.columns,
      pointer: `${p}/${pointerSegment(table)}`,
      at: ctx.at,
    }));
  }
  return deepFreeze(own);
}

/**
 * The env's clock: `now:` as epoch milliseconds, `FIXED_NOW` when absent, null (and a problem
 * recorded) when it is no date in the calendar.
 */
export function envNow(now: RawEnv["now"], ctx: EnvContext): number | null {
  const t = now === undefined ? FIXED_NOW : parseNow(now);
  if (t === null) {
    ctx.issues.push(ctx.at(
      "/now",
      `now: ${JSON.stringify(now)} is not a date in the calendar`,
      "write an ISO 8601 time such as 2026-03-02T09:00:00Z (a time without a zone is UTC)",
    ));
  }
  return t;
}

/** The policy's text: as written, or read from its file (hashed with the spec). */
export async function policyText(
  def: RawEnv["policy"],
  ctx: EnvContext,
): Promise<string | undefined> {
  if (def === undefined || typeof def === "string") return def?.trim();
  const path = join(dirname(ctx.file), def.file);
  try {
    const text = await Deno.readTextFile(path);
    ctx.files.push({ path, sha256: await sha256Hex(text) });
    if (text.trim() === "") {
      ctx.issues.push(
        ctx.at("/policy/file", `policy file ${path} is empty`, "write the policy in it"),
      );
    }
    return text.trim();
  } catch {
    ctx.issues.push(ctx.at(
      "/policy/file",
      `policy file ${path} not found`,
      `create it, or fix the path (relative to ${ctx.file})`,
    ));
    return undefined;
  }
}

/**
 * Parse a data file by its extension: CSV, JSONL (one object a line) or JSON (a list of objects).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDataFile } from "./state.ts";
 * assert.ok(parseDataFile("t.jsonl", '{"a":1}\n{"a":2}\n').length === 2);
 * ```
 */
export function parseDataFile(name: string, text: string): Row[] {
  if (name.endsWith(".csv")) return parseCsv(text);
  if (name.endsWith(".jsonl")) {
    return text.split("\n").flatMap((line, i) => {
      if (line.trim() === "") return [];
      try {
        const v = JSON.parse(line);
        if (typeof v !== "object" || v === null || Array.isArray(v)) {
          throw new Error("each line must be a JSON object");
        }
        return [v as Row];
      } catch (err) {
        throw Object.assign(new Error((err as Error).message), { line: i + 1, col: 1 });
      }
    });
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new Error(`invalid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(v) || v.some((r) => typeof r !== "object" || r === null || Array.isArray(r))) {
    throw new Error("a JSON table must be a list of objects");
  }
  return v as Row[];
}

/**
 * Freeze a value and everything in it, so no tool can change the shared initial state.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deepFreeze } from "./state.ts";
 * const s = deepFreeze({ items: [{ id: "w1" }] });
 * assert.ok(Object.isFrozen(s.items[0]));
 * ```
 */
export function deepFreeze<T>(v: T): T {
  if (v && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}
