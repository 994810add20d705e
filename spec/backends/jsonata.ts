/**
 * The declarative backend: `errors`, `effect` and `result` as JSONata over the state. A tool with
 * no other backend key is one; its `effect:` is what marks it as this kind.
 * @module
 */
import type { BackendKind } from "./backend_kind.ts";

/** The JSON Schema of its key in a `tools:` entry (its branch of spec/schema/env.json). */
export const effectSchema = {
  type: "object",
  description:
    "Table name \u2192 JSONata expression giving the table's new rows (sees the state before the call).",
  additionalProperties: { $ref: "#/$defs/expr" },
} as const;

/** The JSONata backend's spec side. */
export const jsonataKind: BackendKind<"jsonata"> = {
  kind: "jsonata",
  key: "effect",
  schema: effectSchema,
  example: {
    env: {
      env: "ex-jsonata",
      state: { notes: [] },
      tools: [{
        name: "add_note",
        description: "Add a note.",
        parameters: {
          type: "object",
          properties: { text: { type: "string" } },
          required: ["text"],
        },
        effect: { notes: "$append(state.notes, [{'text': $args.text}])" },
        result: "{'ok': true, 'count': $count(state.notes)}",
      }],
      tasks: [{
        id: "t1",
        query: "Add a note saying hi.",
        gold: [{ tool: "add_note", args: { text: "hi" } }],
        check: { state: "$count(state.notes[text='hi']) = 1" },
      }],
    },
  },
  parse: () => Promise.resolve({ kind: "jsonata" }),
};
