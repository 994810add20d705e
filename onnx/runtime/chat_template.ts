import { Template } from "@huggingface/jinja";
import type { ToolDef } from "../../tools/types.ts";
import type { Message } from "../../core/messages.ts";

/**
 * The chat template the tiny models ship with: Hermes/Qwen2.5 markup (`<|im_start|>role … <|im_end|>`,
 * tools as JSON lines inside `<tools>`, calls as `<tool_call>{"name": …, "arguments": …}</tool_call>`,
 * results inside `<tool_response>` in a user turn). Written for tooltrial; any model folder may bring
 * its own template instead — the loader renders whatever `tokenizer_config.json` holds.
 */
export const HERMES_TEMPLATE = String.raw`
{%- if messages[0].role == 'system' -%}
  {%- set system = messages[0].content -%}{%- set rest = messages[1:] -%}
{%- else -%}
  {%- set system = 'You are a helpful assistant.' -%}{%- set rest = messages -%}
{%- endif -%}
{{- '<|im_start|>system\n' + system -}}
{%- if tools -%}
  {{- '\n\n# Tools\nThe functions you can call, one JSON signature per line:\n<tools>' -}}
  {%- for tool in tools -%}{{- '\n' + (tool | tojson) -}}{%- endfor -%}
  {{- '\n</tools>\nCall a function by writing its name and a JSON object of arguments between tool_call tags:\n' -}}
  {{- '<tool_call>\n{"name": "<function name>", "arguments": {<arguments>}}\n</tool_call>' -}}
{%- endif -%}
{{- '<|im_end|>\n' -}}
{%- for m in rest -%}
  {%- if m.role == 'tool' -%}
    {%- if loop.first or rest[loop.index0 - 1].role != 'tool' -%}{{- '<|im_start|>user' -}}{%- endif -%}
    {{- '\n<tool_response>\n' + m.content + '\n</tool_response>' -}}
    {%- if loop.last or rest[loop.index0 + 1].role != 'tool' -%}{{- '<|im_end|>\n' -}}{%- endif -%}
  {%- elif m.role == 'assistant' and m.tool_calls -%}
    {{- '<|im_start|>assistant' -}}
    {%- if m.content -%}{{- '\n' + m.content -}}{%- endif -%}
    {%- for tc in m.tool_calls -%}
      {{- '\n<tool_call>\n{"name": "' + tc.function.name + '", "arguments": ' -}}
      {%- if tc.function.arguments is string -%}{{- tc.function.arguments -}}
      {%- else -%}{{- tc.function.arguments | tojson -}}{%- endif -%}
      {{- '}\n</tool_call>' -}}
    {%- endfor -%}
    {{- '<|im_end|>\n' -}}
  {%- else -%}
    {{- '<|im_start|>' + m.role + '\n' + (m.content or '') + '<|im_end|>\n' -}}
  {%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\n' -}}{%- endif -%}`;

/**
 * Hermes markup with compact tool cards: one line per tool — its name, its typed parameters (`?` for
 * optional ones, enum values spelt out) and the first sentence of its description — instead of the
 * full JSON schema. A tool list of ~1,800 tokens becomes ~300, which is what a small policy trained
 * on a CPU can afford to read. Calls, results and turns render exactly as in `HERMES_TEMPLATE`.
 */
export const COMPACT_TEMPLATE = HERMES_TEMPLATE.replace(
  String
    .raw`{{- '\n\n# Tools\nThe functions you can call, one JSON signature per line:\n<tools>' -}}
  {%- for tool in tools -%}{{- '\n' + (tool | tojson) -}}{%- endfor -%}`,
  String
    .raw`{{- '\n\n# Tools\nOne function per line: name(parameter: type) what it does.\n<tools>' -}}
  {%- for tool in tools -%}{%- set f = tool.function -%}{%- set req = f.parameters.required or [] -%}
    {{- '\n' + f.name + '(' -}}
    {%- for k, v in (f.parameters.properties or {}) | items -%}
      {%- if not loop.first -%}{{- ', ' -}}{%- endif -%}
      {{- k -}}{%- if k not in req -%}{{- '?' -}}{%- endif -%}{{- ': ' -}}
      {%- if v.enum and v.enum | length <= 6 -%}{%- for e in v.enum -%}{%- if not loop.first -%}{{- '|' -}}{%- endif -%}{{- e | tojson -}}{%- endfor -%}
      {%- elif v.type is string -%}{{- v.type -}}
      {%- elif v.type -%}{{- v.type | join('|') -}}
      {%- else -%}{{- 'any' -}}{%- endif -%}
    {%- endfor -%}
    {{- ')' -}}
    {%- if f.description -%}{%- set d = f.description.split('. ')[0].split(': ')[0] | trim -%}
      {{- ' ' + d -}}{%- if not d.endswith('.') -%}{{- '.' -}}{%- endif -%}
    {%- endif -%}
  {%- endfor -%}`,
);

/** A compiled chat template. */
export interface ChatTemplate {
  /** Render a conversation and its tools into prompt text. */
  render(
    messages: readonly Message[],
    tools: readonly ToolDef[],
    opts?: { addGenerationPrompt?: boolean },
  ): string;
}

/**
 * Compile a Jinja chat template (as in `tokenizer_config.json`), called the way transformers'
 * `apply_chat_template` calls it: `messages`, `tools` in OpenAI format, `add_generation_prompt`,
 * and the special-token strings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileTemplate, HERMES_TEMPLATE } from "./chat_template.ts";
 * const t = compileTemplate(HERMES_TEMPLATE);
 * const text = t.render([{ role: "user", content: "hi" }], []);
 * assert.ok(text.endsWith("<|im_start|>assistant\n"));
 * ```
 */
export function compileTemplate(
  source: string,
  specials: Record<string, string> = {},
): ChatTemplate {
  const template = new Template(source);
  return {
    render(messages, tools, opts = {}) {
      return template.render({
        messages,
        tools: tools.length > 0
          ? tools.map((t) => ({
            type: "function",
            function: { name: t.name, description: t.description, parameters: t.parameters },
          }))
          : undefined,
        add_generation_prompt: opts.addGenerationPrompt ?? true,
        ...specials,
      });
    },
  };
}
