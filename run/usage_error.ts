/**
 * Bad input from whoever runs tooltrial — a selection, a path, a report that cannot be rerun. The
 * CLI prints its message, with no stack trace, and exits 2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UsageError } from "./usage_error.ts";
 * const err = new UsageError("runs/x not found: give a report.json or a run folder");
 * assert.ok(err instanceof Error && err.message.startsWith("runs/x"));
 * ```
 */
export class UsageError extends Error {}
