import { join } from "node:path";
import { assertValidReport, type Report, reportFromLogs } from "../reports/mod.ts";
import { LogError } from "../runners/mod.ts";
import { UsageError } from "./usage_error.ts";

/**
 * Load a report: a report.json, or a run folder (its report.json, else rebuilt from its log).
 * A path that is neither, or a report that fails its schema, is a {@linkcode UsageError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadReport } from "./load_report.ts";
 * import { UsageError } from "./usage_error.ts";
 * const err = await loadReport("no/such/run").catch((e) => e);
 * assert.ok(err instanceof UsageError);
 * ```
 */
export async function loadReport(path: string): Promise<Report> {
  let file = path;
  try {
    if ((await Deno.stat(path)).isDirectory) {
      file = join(path, "report.json");
      try {
        await Deno.stat(file);
      } catch {
        return await reportFromLogs([join(path, "episodes.jsonl")]).catch((err) => {
          throw err instanceof LogError || err instanceof Deno.errors.NotFound
            ? new UsageError(`${path}: ${err.message}`)
            : err;
        });
      }
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${path} not found: give a report.json or a run folder`);
  }
  let data: unknown;
  try {
    data = JSON.parse(await Deno.readTextFile(file));
  } catch (err) {
    throw new UsageError(`${file}: not a readable JSON report (${(err as Error).message})`);
  }
  try {
    assertValidReport(data);
  } catch (err) {
    throw new UsageError(`${file}: ${(err as Error).message}`);
  }
  return data;
}
