/** OpenAI-style chat messages: what agents read and write. */
export interface AssistantToolCall {
  /** Call id, echoed in the answering tool message. */
  id: string;
  /** Always `function`. */
  type: "function";
  /** Tool name and its arguments as JSON text. */
  function: { name: string; arguments: string };
}

/** One chat message: system, user, assistant, or a tool's answer. */
export type Message =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | AssistantMessage
  | { role: "tool"; tool_call_id: string; name: string; content: string };

/** An assistant turn: text, tool calls, or both. */
export interface AssistantMessage {
  /** Message discriminant. */
  role: "assistant";
  /** The assistant's text (null when it only calls tools). */
  content: string | null;
  /** Tool calls of the turn, answered in order. */
  tool_calls?: AssistantToolCall[];
  /**
   * Tokens this turn cost a model agent: the prompt tokens it computed (what its cache did not
   * already hold) and the tokens it generated. Counted into the episode's metrics, not logged.
   */
  usage?: {
    prompt_tokens: number;
    completion_tokens: number;
    /** What the turn cost in USD, where the suite gives the endpoint's prices. */
    cost_usd?: number;
  };
}

/**
 * Build an assistant message that calls tools (arguments serialized as JSON text, or `text` as
 * given: an API's own arguments text, whose number spelling such as `1.0` a checker may read).
 */
export function callTools(
  calls: { name: string; args: Record<string, unknown>; text?: string }[],
  idPrefix = "call",
): AssistantMessage {
  return {
    role: "assistant",
    content: null,
    tool_calls: calls.map((c, i) => ({
      id: `${idPrefix}_${i}`,
      type: "function",
      function: { name: c.name, arguments: c.text ?? JSON.stringify(c.args) },
    })),
  };
}

/** Build a plain assistant reply (an answer, or the notes that end a trial phase). */
export function say(text: string): AssistantMessage {
  return { role: "assistant", content: text };
}
