import type { Message } from "../../core/messages.ts";

/** A tool result as a scripted agent reads it back from the conversation text. */
export interface SeenResult {
  name: string;
  ok: boolean;
  /** Parsed JSON content, or the raw text. */
  value: unknown;
  /** The error kind and message when the call failed. */
  error?: { kind: string; message: string };
}

/** Tool results that answer the most recent assistant message (what a model would read next). */
export function latestResults(messages: readonly Message[]): SeenResult[] {
  const out: SeenResult[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role !== "tool") break;
    out.unshift(readResult(m.name, m.content));
  }
  return out;
}

/** Interpret a tool message: `{"error": kind, "message": text}` is a failure, anything else a result. */
export function readResult(name: string, content: string): SeenResult {
  let value: unknown = content;
  try {
    value = JSON.parse(content);
  } catch { /* keep text */ }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    const keys = Object.keys(v);
    if (keys.length === 2 && typeof v.error === "string" && typeof v.message === "string") {
      return { name, ok: false, value, error: { kind: v.error, message: v.message } };
    }
  }
  return { name, ok: true, value };
}

/** What a scripted agent says when it could not do the task. */
export const GIVE_UP = "I could not complete this task with the available tools.";

/** A fault the same call may get past by trying again (timeout, rate limit, 503). */
export function transient(r: SeenResult): boolean {
  return !r.ok && r.error?.kind === "unavailable";
}

/** How often scripted agents retry a call that hit a transient fault. */
export const MAX_RETRIES = 5;
