// What an episode's step does with a call that is not one (unreadable), and small helpers.
import type { State } from "../spec/types.ts";
import { fail } from "../tools/declarative.ts";
import type { Observation } from "../tools/types.ts";

/** The answer to a tool call whose name could not be read (a model's malformed block). */
export function unreadableCall(state: State, raw: string | Record<string, unknown>) {
  const text = typeof raw === "string" ? raw : JSON.stringify(raw);
  const shown = text.length > 200 ? text.slice(0, 200) + "…" : text;
  return {
    state,
    canonical: null,
    observation: fail(
      "invalid_json",
      `could not read this tool call: ${shown}. Write {"name": "<tool>", "arguments": {…}} as JSON.`,
    ),
  };
}

/** A failure of the machinery behind a tool (reported with `details.backend`), not of its logic. */
export function isBackendFailure(o: Observation): boolean {
  if (o.ok || (o.error.kind !== "tool_crash" && o.error.kind !== "unavailable")) return false;
  const d = o.error.details as { backend?: unknown } | undefined;
  return typeof d?.backend === "string";
}

/** JSON text parsed, or the text itself when it is not JSON. */
export function parseMaybe(raw: string | Record<string, unknown>): unknown {
  if (typeof raw !== "string") return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Milliseconds to the microsecond. */
export function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
