import type { TextTokenizer } from "../onnx/runtime/model_folder.ts";
import type { ChatTemplate } from "../onnx/runtime/chat_template.ts";
import type { Message } from "../core/messages.ts";
import type { ToolDef } from "../tools/types.ts";

/** One training example in the chat format TRL's SFTTrainer and OpenAI fine-tuning accept. */
export interface ChatExample {
  /** The conversation, tool calls included. */
  messages: Message[];
  /** OpenAI-style tool list: `{type: "function", function: {name, description, parameters}}`. */
  tools: {
    type: "function";
    function: { name: string; description: string; parameters: unknown };
  }[];
  /** Where the conversation came from (synthesized data has it; a curriculum selects by it). */
  meta?: { env: string; task: string; variant: string; seed: number };
}

/** Token ids of a rendered conversation and which of them the model is trained to produce. */
export interface TokenizedExample {
  /** Token ids of the whole rendered conversation. */
  ids: number[];
  /** 1 where the token belongs to an assistant turn (its end-of-turn token included), else 0. */
  mask: number[];
  /**
   * Tokens of the system turn (instructions and tool list): conversations in the same environment,
   * variant and protocol share them, so a trainer may compute them once per batch.
   */
  prefix: number;
}

/** OpenAI-style tools from tool definitions. */
export function openaiTools(tools: readonly ToolDef[]): ChatExample["tools"] {
  return tools.map((t) => ({
    type: "function",
    function: { name: t.name, description: t.description, parameters: t.parameters },
  }));
}

/**
 * Render a conversation with the chat template and tokenize it so that the ids are the ones the
 * ONNX agent feeds when it plays the same conversation: each assistant turn starts where the
 * template's generation prompt ends. The mask marks assistant tokens only (loss on them alone).
 *
 * @example
 * ```ts ignore
 * const { ids, mask } = tokenizeChat(example, { template, tokenizer, endTurn: "<|im_end|>" });
 * ```
 */
export function tokenizeChat(
  ex: { messages: readonly Message[]; tools: readonly ToolDef[] },
  opts: { template: ChatTemplate; tokenizer: TextTokenizer; endTurn: string },
): TokenizedExample {
  const { template, tokenizer, endTurn } = opts;
  const segments: [string, number][] = [];
  let cursor = 0;
  const full = template.render(ex.messages, ex.tools, { addGenerationPrompt: false });
  let system = false;
  if (ex.messages[0]?.role === "system") {
    const text = template.render(ex.messages.slice(0, 1), ex.tools, { addGenerationPrompt: false });
    if (full.startsWith(text)) segments.push([text, 0]), cursor = text.length, system = true;
  }
  for (let i = 0; i < ex.messages.length; i++) {
    if (ex.messages[i].role !== "assistant") continue;
    const before = template.render(ex.messages.slice(0, i), ex.tools, {
      addGenerationPrompt: true,
    });
    const after = template.render(ex.messages.slice(0, i + 1), ex.tools, {
      addGenerationPrompt: false,
    });
    if (!after.startsWith(before) || !full.startsWith(after)) {
      throw new Error(
        "the chat template does not render conversations prefix by prefix; assistant turns cannot be located",
      );
    }
    segments.push([full.slice(cursor, before.length), 0]);
    const turn = after.slice(before.length);
    const end = turn.indexOf(endTurn);
    const cut = end < 0 ? turn.length : end + endTurn.length;
    segments.push([turn.slice(0, cut), 1], [turn.slice(cut), 0]);
    cursor = after.length;
  }
  segments.push([full.slice(cursor), 0]);
  const ids: number[] = [], mask: number[] = [];
  let prefix = 0;
  for (const [i, [text, m]] of segments.entries()) {
    if (i === 1 && system) prefix = ids.length;
    if (text === "") continue;
    for (const id of tokenizer.encode(text, { add_special_tokens: false }).ids) {
      ids.push(id);
      mask.push(m);
    }
  }
  return { ids, mask, prefix };
}
