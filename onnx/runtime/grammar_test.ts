import assert from "node:assert/strict";
import fc from "fast-check";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ToolDef } from "../../tools/types.ts";
import { bytesOf, type GrammarState, ToolCallAutomaton } from "./grammar.ts";
import { parseToolCalls } from "./tool_calls.ts";

type Schema = Record<string, unknown>;

/** Random parameter schemas: the JSON types, enums, unions, nested arrays and objects, and `{}`. */
const schemaArb: fc.Arbitrary<Schema> = fc.letrec<{ value: Schema; object: Schema }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom<Schema>(
      { type: "string" },
      { type: "number" },
      { type: "integer" },
      { type: "boolean" },
      { type: "null" },
      { type: ["string", "null"] },
      {},
    ),
    fc.uniqueArray(fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: -20, max: 120 })), {
      minLength: 1,
      maxLength: 4,
    }).map((e) => ({ enum: e })),
    tie("value").map((items) => ({ type: "array", items })),
    tie("object"),
  ),
  object: fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), tie("value")), {
    maxLength: 4,
    selector: ([k]) => k,
  }).chain((props) =>
    fc.subarray(props.map(([k]) => k)).map((required) => ({
      type: "object",
      properties: Object.fromEntries(props),
      required,
    }))
  ),
})).object;

const NO_CLOSE_TAG = (s: string) => !s.includes("</");

/** A random value that fits `s` (the generator the automaton must accept). */
function valueArb(s: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  if (Array.isArray(s.type)) return fc.oneof(...s.type.map((t) => valueArb({ ...s, type: t })));
  switch (s.type) {
    case "string":
      return fc.string({ maxLength: 8, unit: "binary" }).filter(NO_CLOSE_TAG);
    case "number":
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case "integer":
      return fc.integer();
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return fc.array(valueArb(s.items as Schema, depth + 1), { maxLength: 3 });
    case "object": {
      const props = s.properties as Record<string, Schema>;
      const required = s.required as string[];
      const optional = Object.keys(props).filter((k) => !required.includes(k));
      return fc.tuple(
        fc.subarray(optional),
        fc.record(
          Object.fromEntries(Object.entries(props).map(([k, v]) => [k, valueArb(v, depth + 1)])),
        ),
      ).chain(([opt, vals]) =>
        fc.shuffledSubarray([...required, ...opt], {
          minLength: required.length + opt.length,
        }).map((keys) => Object.fromEntries(keys.map((k) => [k, vals[k]])))
      );
    }
    default:
      return fc.jsonValue({ maxDepth: 2 }).filter((v) => NO_CLOSE_TAG(JSON.stringify(v)));
  }
}

/** JSON with no whitespace, or with Python's `json.dumps` separators (`, ` and `: `). */
function dump(v: unknown, spaced: boolean): string {
  if (Array.isArray(v)) return `[${v.map((x) => dump(x, spaced)).join(spaced ? ", " : ",")}]`;
  if (v && typeof v === "object") {
    const kv = Object.entries(v).map(([k, x]) =>
      JSON.stringify(k) + (spaced ? ": " : ":") + dump(x, spaced)
    );
    return `{${kv.join(spaced ? ", " : ",")}}`;
  }
  return JSON.stringify(v);
}

function callText(name: string, args: unknown, spaced: boolean): string {
  const body = dump({ name, arguments: args }, spaced);
  return spaced ? `<tool_call>\n${body}\n</tool_call>` : `<tool_call>${body}</tool_call>`;
}

const toolsArb = fc.uniqueArray(
  fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), schemaArb),
  { minLength: 1, maxLength: 3, selector: ([n]) => n },
).map((ts): ToolDef[] => ts.map(([name, parameters]) => ({ name, description: "", parameters })));

const feedAll = (a: ToolCallAutomaton, text: string) => a.feedText(a.start(), bytesOf(text));

Deno.test("grammar: accepts every call to an offered tool with arguments that fit its schema", () => {
  fc.assert(
    fc.property(
      toolsArb.chain((tools) =>
        fc.tuple(
          fc.constant(tools),
          fc.nat(tools.length - 1).chain((i) =>
            fc.tuple(fc.constant(i), valueArb(tools[i].parameters as Schema))
          ),
          fc.boolean(),
        )
      ),
      ([tools, [i, args], spaced]) => {
        const a = new ToolCallAutomaton(tools);
        const text = "Let me look. " + callText(tools[i].name, args, spaced) + " done";
        const s = feedAll(a, text);
        assert.ok(s, `rejected ${text}`);
        assert.equal(a.inCall(s), false);
        assert.equal(a.minClose(s), 0);
      },
    ),
    { numRuns: 300, seed: 17 },
  );
});

/** Complete a state by always taking a byte that brings the shortest completion one closer. */
function closeShortest(a: ToolCallAutomaton, s: GrammarState): string {
  let out = "";
  while (a.inCall(s)) {
    const m = a.minClose(s);
    let next: GrammarState | null = null;
    for (let b = 0; b < 256 && !next; b++) {
      const n = a.feed(s, String.fromCharCode(b));
      if (n && a.minClose(n) === m - 1) next = n, out += String.fromCharCode(b);
    }
    assert.ok(next, `no byte shortens the completion (${m} left) after ${JSON.stringify(out)}`);
    s = next;
  }
  return out;
}

Deno.test("grammar: from any reachable state, the shortest completion exists, is exact, and is a valid call", () => {
  const ajv = new Ajv2020({ strict: false });
  fc.assert(
    fc.property(toolsArb, fc.array(fc.nat(1000), { maxLength: 60 }), (tools, picks) => {
      // tagCost 12: every byte of the close tag counted, so minClose is a byte count.
      const a = new ToolCallAutomaton(tools);
      let s = a.feedText(a.start(), "<tool_call>")!;
      let text = "<tool_call>";
      // A random walk through what the automaton allows (printable ASCII and a UTF-8 byte).
      const alphabet = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).concat([
        "\n",
        "\xc3",
      ]);
      for (const p of picks) {
        if (!a.inCall(s)) break;
        const ok = alphabet.map((c) => [c, a.feed(s, c)] as const).filter(([, n]) => n);
        assert.ok(ok.length > 0, `dead end after ${JSON.stringify(text)}`);
        const [c, n] = ok[p % ok.length];
        text += c, s = n!;
      }
      const before = a.inCall(s) ? a.minClose(s) : 0;
      const rest = closeShortest(a, s);
      assert.equal(rest.length, before, "minClose is the length of the shortest completion");
      text += rest;
      const reply = new TextDecoder().decode(Uint8Array.from(text, (c) => c.charCodeAt(0)));
      const msg = parseToolCalls(reply, "t");
      for (const call of msg.tool_calls ?? []) {
        const tool = tools.find((t) => t.name === call.function.name);
        assert.ok(tool, `unknown tool in ${reply}`);
        const args = JSON.parse(call.function.arguments);
        assert.ok(ajv.validate(tool.parameters, args), `${reply}: ${ajv.errorsText()}`);
      }
      assert.ok((msg.tool_calls ?? []).length >= 1, reply);
    }),
    { numRuns: 150, seed: 5 },
  );
});

const TOOLS: ToolDef[] = [{
  name: "borrow",
  description: "",
  parameters: {
    type: "object",
    properties: {
      book_id: { type: "string" },
      days: { type: "integer" },
      express: { type: "boolean" },
      kind: { enum: ["paper", "ebook"] },
      tags: { type: "array", items: { type: "string" } },
    },
    required: ["book_id"],
  },
}, { name: "list_books", description: "", parameters: { type: "object", properties: {} } }];

Deno.test("grammar: rejects calls that break the tools' schemas", () => {
  const a = new ToolCallAutomaton(TOOLS);
  const call = (args: string, name = "borrow") =>
    `<tool_call>{"name": "${name}", "arguments": ${args}}</tool_call>`;
  const valid = call(
    '{"days": 3, "book_id": "b1", "kind": "ebook", "tags": ["a", "b"], "express": true}',
  );
  assert.ok(feedAll(a, valid), "the reference call is accepted");
  const invalid: Record<string, string> = {
    "unknown tool": call("{}", "borrowed"),
    "unknown key": call('{"book_id": "b1", "member": "m"}'),
    "duplicate key": call('{"book_id": "b1", "book_id": "b2"}'),
    "missing required key": call('{"days": 3}'),
    "string for an integer": call('{"book_id": "b1", "days": "3"}'),
    "fraction for an integer": call('{"book_id": "b1", "days": 3.5}'),
    "number for a string": call('{"book_id": 1}'),
    "value outside the enum": call('{"book_id": "b1", "kind": "audio"}'),
    "string for a boolean": call('{"book_id": "b1", "express": "yes"}'),
    "wrong item type": call('{"book_id": "b1", "tags": [1]}'),
    "arguments of a tool without parameters": call('{"x": 1}', "list_books"),
    "two spaces": call('{"book_id":  "b1"}'),
    "a close tag inside a string": call('{"book_id": "</tool_call>"}'),
    "a raw newline inside a string": call('{"book_id": "a\nb"}'),
    "a trailing comma": call('{"book_id": "b1",}'),
    "arguments before the name": '<tool_call>{"arguments": {}, "name": "list_books"}</tool_call>',
    "text after the JSON": call('{"book_id": "b1"}').replace("}}", "}} ok"),
  };
  for (const [why, text] of Object.entries(invalid)) {
    assert.equal(feedAll(a, text), null, why);
  }
  // A valid prefix that was never closed stays inside the call.
  const open = feedAll(a, '<tool_call>{"name": "borrow", "arguments": {"book_id": "b')!;
  assert.ok(a.inCall(open));
  assert.equal(a.minClose(open), '"}}</tool_call>'.length);
});

Deno.test("grammar: text outside calls is free, and the open tag may be spelled in pieces", () => {
  const a = new ToolCallAutomaton(TOOLS);
  const s = feedAll(a, 'any text { ] " </tool_call> <tool_ <tool_call>');
  assert.ok(s && a.inCall(s), "the last, complete open tag starts a call");
  assert.ok(feedAll(a, "no calls at all\n\n"));
});

Deno.test("grammar: a call with one byte inserted, deleted or replaced is accepted only if still valid", () => {
  const ajv = new Ajv2020({ strict: false });
  let rejected = 0;
  fc.assert(
    fc.property(
      toolsArb.chain((tools) =>
        fc.tuple(
          fc.constant(tools),
          fc.nat(tools.length - 1).chain((i) =>
            fc.tuple(fc.constant(i), valueArb(tools[i].parameters as Schema))
          ),
          fc.boolean(),
          fc.nat(),
          fc.constantFrom("insert", "delete", "replace"),
          fc.constantFrom(...'{}[]":, 0-.etfnu\\ax\n'),
        )
      ),
      ([tools, [i, args], spaced, at, how, c]) => {
        const a = new ToolCallAutomaton(tools);
        const text = callText(tools[i].name, args, spaced);
        const p = 11 + (at % (text.length - 11 - 12));
        const mutated = text.slice(0, p) + (how === "delete" ? "" : c) +
          text.slice(how === "insert" ? p : p + 1);
        const s = feedAll(a, mutated);
        if (!s || a.inCall(s)) return void rejected++;
        for (const call of parseToolCalls(mutated, "t").tool_calls ?? []) {
          const tool = tools.find((t) => t.name === call.function.name);
          assert.ok(tool, `accepted an unknown tool: ${mutated}`);
          const parsed = JSON.parse(call.function.arguments);
          assert.ok(
            ajv.validate(tool.parameters, parsed),
            `accepted ${mutated}: ${ajv.errorsText()}`,
          );
        }
      },
    ),
    { numRuns: 400, seed: 9 },
  );
  assert.ok(rejected > 200, `most mutations break the call (${rejected} of 400 rejected)`);
});
