import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import { Tokenizer } from "@huggingface/tokenizers";
import type { ToolDef } from "../../tools/types.ts";
import { createRng } from "../../core/rng.ts";
import { GREEDY, sampleToken } from "./sampler.ts";
import { parseToolCalls } from "./tool_calls.ts";
import { type TokenizerJson, tokenVocab, ToolCallMask } from "./token_mask.ts";

const json = JSON.parse(
  await Deno.readTextFile("models/tiny-random/tokenizer.json"),
) as TokenizerJson & Record<string, unknown>;
const tokenizer = new Tokenizer(json, {});
const SIZE = 1287, EOS = [1282, 1280], OPEN = 1283;
const vocab = tokenVocab(json, { size: SIZE, eos: EOS });

const TOOLS: ToolDef[] = [{
  name: "search_books",
  description: "",
  parameters: {
    type: "object",
    properties: {
      query: { type: "string" },
      limit: { type: "integer" },
      genres: { type: "array", items: { enum: ["sf", "crime"] } },
    },
    required: ["query"],
  },
}, {
  name: "borrow",
  description: "",
  parameters: {
    type: "object",
    properties: {
      book_id: { type: "string" },
      member: { type: "string" },
      rush: { type: "boolean" },
    },
    required: ["book_id", "member"],
  },
}];

/** Decode with random logits under the mask, the way the decoder does: mask, then sample. */
function decode(mask: ToolCallMask, opts: { seed: number; max: number; temperature: number }) {
  const rng = createRng(opts.seed), noise = createRng(opts.seed + 1000);
  const constrain = mask.constrain(opts.max);
  const out: number[] = [OPEN]; // the model opened a call
  while (out.length < opts.max) {
    const logits = Float32Array.from({ length: SIZE }, () => noise.next() * 8);
    constrain(out, logits);
    const t = sampleToken(logits, { ...GREEDY, temperature: opts.temperature }, rng);
    if (EOS.includes(t)) break;
    out.push(t);
  }
  return out;
}

Deno.test("token mask: random logits under the mask always write calls that parse and fit the schema", () => {
  const ajv = new Ajv2020({ strict: false });
  const mask = new ToolCallMask(vocab, TOOLS);
  let calls = 0;
  for (let seed = 0; seed < 40; seed++) {
    for (const temperature of [0, 1]) {
      const max = 60 + (seed % 5) * 20;
      const ids = decode(mask, { seed, max, temperature });
      assert.ok(ids.length <= max);
      const text = tokenizer.decode(ids, { skip_special_tokens: true });
      const msg = parseToolCalls(text, "t");
      assert.ok((msg.tool_calls ?? []).length >= 1, text);
      for (const c of msg.tool_calls!) {
        const tool = TOOLS.find((t) => t.name === c.function.name);
        assert.ok(tool, `not an offered tool: ${text}`);
        const args = JSON.parse(c.function.arguments);
        assert.ok(ajv.validate(tool.parameters, args), `${text}: ${ajv.errorsText()}`);
        calls++;
      }
    }
  }
  assert.ok(calls >= 80);
  assert.equal(mask.stats.deadEnds, 0, "a token always fits");
});

Deno.test("token mask: the tightest budget still closes the call", () => {
  const mask = new ToolCallMask(vocab, TOOLS);
  // `{"name":"search_books","arguments":{"query":""}}` + `</tool_call>`: the shortest call.
  const shortest = '{"name":"search_books","arguments":{"query":""}}'.length + 1;
  const ids = decode(mask, { seed: 3, max: 1 + shortest, temperature: 1 });
  const text = tokenizer.decode(ids, { skip_special_tokens: true });
  const call = parseToolCalls(text, "t").tool_calls?.[0].function;
  assert.equal(call?.name, "search_books", text);
  assert.equal(typeof JSON.parse(call.arguments).query, "string");
  assert.equal(ids.length, 1 + shortest, "every token was needed");
  // Without room for any call, the open tag is forbidden.
  const logits = new Float32Array(SIZE);
  mask.constrain(5)([], logits);
  assert.equal(logits[OPEN], -Infinity);
  assert.equal(logits[EOS[0]], 0, "ending the turn stays allowed");
});

Deno.test("token mask: outside calls nothing is masked; inside, only what continues the call", () => {
  const mask = new ToolCallMask(vocab, TOOLS);
  const constrain = mask.constrain(256);
  const free = Float32Array.from({ length: SIZE }, (_, i) => i);
  constrain([], free);
  assert.deepEqual(free, Float32Array.from({ length: SIZE }, (_, i) => i));
  const head = tokenizer.encode('\n{"name": "bor', { add_special_tokens: false }).ids;
  const logits = new Float32Array(SIZE);
  constrain([OPEN, ...head], logits);
  const allowed = [...logits.keys()].filter((i) => logits[i] === 0);
  const texts = allowed.map((i) => tokenizer.decode([i], { skip_special_tokens: false }));
  assert.ok(
    texts.length > 0 && texts.every((t) => "row".startsWith(t) || t.startsWith("row")),
    texts.join("|"),
  );
});
