import type { AssistantMessage, AssistantToolCall } from "../../core/messages.ts";

const BLOCK = /<tool_call>([\s\S]*?)(?:<\/tool_call>|$)/g;

/**
 * Read a model's reply in the Hermes/Qwen convention: every `<tool_call>{"name": …, "arguments": …}</tool_call>`
 * block is a call (several per turn are fine); the text outside the blocks is the message content.
 * A turn with no block is a plain message — the trial notes or the final answer.
 * A block that is not that JSON (or is cut off) becomes a call with an empty name and the block as
 * its arguments: the episode answers it with an `invalid_json` error and counts an invalid call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseToolCalls } from "./tool_calls.ts";
 * const m = parseToolCalls('<tool_call>\n{"name": "f", "arguments": {"x": 1}}\n</tool_call>', "t1");
 * assert.ok(m.tool_calls?.[0].function.name === "f");
 * ```
 */
export function parseToolCalls(text: string, idPrefix: string): AssistantMessage {
  const calls: AssistantToolCall[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const raw = m[1].trim();
    const id = `${idPrefix}_${calls.length}`;
    const parsed = readCall(raw);
    calls.push({
      id,
      type: "function",
      function: parsed ??
        {
          name: "",
          arguments: m[0].endsWith("</tool_call>") ? raw : `${raw} (cut off: no </tool_call>)`,
        },
    });
  }
  const content = text.replace(BLOCK, "").trim();
  if (calls.length === 0) return { role: "assistant", content };
  return { role: "assistant", content: content === "" ? null : content, tool_calls: calls };
}

function readCall(raw: string): { name: string; arguments: string } | null {
  let obj: unknown;
  try {
    obj = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return null;
  const { name, arguments: args0, parameters } = obj as Record<string, unknown>;
  const args = args0 ?? parameters ?? {};
  if (typeof name !== "string" || name === "") return null;
  if (typeof args === "string") return { name, arguments: args };
  if (typeof args !== "object" || args === null || Array.isArray(args)) return null;
  return { name, arguments: rawArguments(raw, args) };
}

/** The arguments exactly as the model wrote them, when they can be cut out; else re-serialized. */
function rawArguments(raw: string, args: object): string {
  const m = /"(?:arguments|parameters)"\s*:\s*/.exec(raw);
  if (m) {
    const end = raw.lastIndexOf("}");
    const cut = raw.slice(m.index + m[0].length, end).trim();
    try {
      if (JSON.stringify(JSON.parse(cut)) === JSON.stringify(args)) return cut;
    } catch { /* not the last key: fall through */ }
  }
  return JSON.stringify(args);
}
