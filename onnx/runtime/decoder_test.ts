import assert from "node:assert/strict";
import { createRng } from "../../core/rng.ts";
import { Decoder, type GenerateRequest } from "./decoder.ts";
import { checkSession, loadModelFolder } from "./model_folder.ts";
import { NativeTensor } from "./native.ts";
import { openSession } from "./providers.ts";
import type { ModelSession } from "./session.ts";
import { bareGreedy } from "./reference_loop.ts";
import { GREEDY } from "./sampler.ts";

const model = await loadModelFolder("models/tiny-random");
// Every test runs on both bindings: the C API one (caches stay in onnxruntime) and onnxruntime-node.
const bindings = await Promise.all(
  (["auto", "onnxruntime-node"] as const).map((binding) =>
    openSession(model.onnxPath, ["cpu"], { intraOpThreads: 1, binding })
  ),
);
const shape = checkSession(model, bindings[0].session);
const none = new Set<number>();
const prompt = model.tokenizer.encode(
  model.template.render([{ role: "user", content: "Find the book about lanterns, please." }], [{
    name: "search_books",
    description: "Find books whose title contains a phrase.",
    parameters: { type: "object", properties: { query: { type: "string" } } },
  }]),
  { add_special_tokens: false },
).ids;
/** Prompts of different lengths (rows need padding) that differ early (no shared cache). */
const prompts = Array.from(
  { length: 6 },
  (_, i) => [100 + i, ...prompt.slice(0, prompt.length - 7 * i)],
);
const req = (ids: number[], more: Partial<GenerateRequest> = {}): GenerateRequest => ({
  ids,
  sampling: GREEDY,
  rng: createRng(1),
  maxNewTokens: 12,
  eos: none,
  ...more,
});

for (const { session, binding } of bindings) {
  Deno.test(`decoder (${binding}): greedy tokens equal a bare session.run loop`, async () => {
    const d = new Decoder(session, shape);
    const r = await d.generate(req(prompt, { maxNewTokens: 40 }));
    assert.deepEqual(r.tokens, await bareGreedy(session, shape, { ids: prompt, tokens: 40 }));
    assert.equal(r.finish, "length");
    assert.equal(r.prefilled, prompt.length);
  });

  Deno.test(`decoder (${binding}): continuous batching gives each sequence the tokens it gets alone`, async () => {
    const alone = [];
    for (const [i, p] of prompts.entries()) {
      alone.push(
        (await new Decoder(session, shape).generate(req(p, { maxNewTokens: 6 + 3 * i }))).tokens,
      );
    }
    // Three slots for six sequences finishing at different steps: rows leave, the batch is
    // re-packed, and waiting sequences take the freed slots.
    const d = new Decoder(session, shape, { maxBatch: 3, prefixCache: 0 });
    const batched = await Promise.all(
      prompts.map((p, i) => d.generate(req(p, { maxNewTokens: 6 + 3 * i }))),
    );
    assert.deepEqual(batched.map((r) => r.tokens), alone);
    assert.equal(d.stats.maxRows, 3);
    assert.ok(d.stats.steps < alone.flat().length, "batched steps were shared");
  });

  Deno.test(`decoder (${binding}): a prompt continued from its cache (or another prompt's prefix) decodes the same`, async () => {
    const d = new Decoder(session, shape, { prefixCache: 0 });
    const first = await d.generate(req(prompt));
    // The next turn: the prompt, the reply, and more text — only the new part is computed.
    const next = [...prompt, ...first.tokens, 7, 8, 9];
    const cached = await d.generate(req(next, { cache: first.cache }));
    const fresh = await new Decoder(session, shape, { prefixCache: 0 }).generate(req(next));
    assert.deepEqual(cached.tokens, fresh.tokens);
    assert.equal(cached.prefilled, next.length - first.cache.ids.length);
    // A cache that diverges part-way is cut back to the shared prefix.
    const edited = [...prompt.slice(0, 20), 5, ...prompt.slice(21)];
    const cut = await d.generate(req(edited, { cache: first.cache }));
    assert.equal(cut.prefilled, edited.length - 20);
    assert.deepEqual(cut.tokens, (await new Decoder(session, shape).generate(req(edited))).tokens);
    // The shared prefix cache: a second episode with the same system prompt reuses the first's.
    // It saves compute, but the turn's prompt tokens count what the episode itself added, so the
    // figure does not depend on which other episodes ran first.
    const shared = new Decoder(session, shape);
    await shared.generate(req([...prompt, 1, 2]));
    const reused = shared.stats.reused;
    const other = await shared.generate(req([...prompt, 3, 4]));
    assert.equal(shared.stats.reused - reused, prompt.length);
    assert.equal(other.prefilled, prompt.length + 2);
    assert.deepEqual(
      other.tokens,
      (await new Decoder(session, shape).generate(req([...prompt, 3, 4]))).tokens,
    );
  });

  Deno.test(`decoder (${binding}): long prompts are prefilled in chunks with the same result`, async () => {
    const long = [...prompt, ...prompt, ...prompt].slice(0, 300);
    const chunked = await new Decoder(session, shape, { prefillChunk: 64 }).generate(req(long));
    const whole = await new Decoder(session, shape, { prefillChunk: 1024 }).generate(req(long));
    assert.deepEqual(chunked.tokens, whole.tokens);
  });

  Deno.test(`decoder (${binding}): eos ends a sequence (not emitted), stop predicates and max tokens too`, async () => {
    const d = new Decoder(session, shape);
    const greedy = (await d.generate(req(prompt, { maxNewTokens: 10 }))).tokens;
    const eos = await d.generate(req(prompt, { eos: new Set([greedy[4]]) }));
    assert.equal(eos.finish, "eos");
    assert.deepEqual(eos.tokens, greedy.slice(0, greedy.indexOf(greedy[4])));
    const stop = await d.generate(req(prompt, { stop: (g) => g.length === 3 }));
    assert.equal(stop.finish, "stop");
    assert.deepEqual(stop.tokens, greedy.slice(0, 3));
    // The cache holds exactly the tokens that were fed: the prompt and all but the last token.
    assert.deepEqual(stop.cache.ids, [...prompt, ...greedy.slice(0, 2)]);
  });

  Deno.test(`decoder (${binding}): the same seed samples the same tokens; another seed, others`, async () => {
    const hot = { temperature: 1.5, top_k: 50, top_p: 0.95 };
    const d = new Decoder(session, shape);
    const a = await d.generate(req(prompt, { sampling: hot, rng: createRng(7), maxNewTokens: 24 }));
    const b = await d.generate(req(prompt, { sampling: hot, rng: createRng(7), maxNewTokens: 24 }));
    const c = await d.generate(req(prompt, { sampling: hot, rng: createRng(8), maxNewTokens: 24 }));
    assert.deepEqual(a.tokens, b.tokens);
    assert.notDeepEqual(a.tokens, c.tokens);
  });

  Deno.test(`decoder (${binding}): a failing forward pass rejects the sequences in flight and the loop goes on`, async () => {
    let calls = 0;
    const flaky: ModelSession = {
      ...session,
      run: (f) => {
        calls++;
        return calls === 4 ? Promise.reject(new Error("device lost")) : session.run(f);
      },
    };
    const d = new Decoder(flaky, shape);
    const results = await Promise.allSettled([
      d.generate(req(prompts[0])),
      d.generate(req(prompts[1])),
    ]);
    assert.deepEqual(results.map((r) => r.status), ["rejected", "rejected"]);
    const after = await d.generate(req(prompts[0]));
    assert.equal(after.tokens.length, 12);
  });
}

Deno.test("decoder: both bindings give the same tokens, and the C API one frees every output", async () => {
  const [native, node] = bindings;
  assert.equal(native.binding, "c-api");
  assert.equal(node.binding, "onnxruntime-node");
  const before = NativeTensor.live;
  const run = (s: ModelSession) => {
    const d = new Decoder(s, shape, { maxBatch: 4 });
    return Promise.all(prompts.map((p, i) => d.generate(req(p, { maxNewTokens: 4 + 5 * i }))));
  };
  const a = await run(native.session), b = await run(node.session);
  assert.deepEqual(a.map((r) => r.tokens), b.map((r) => r.tokens));
  // Outputs are disposed as soon as they are replaced: none is left for the garbage collector.
  assert.equal(NativeTensor.live, before);
  await bareGreedy(native.session, shape, { ids: prompt, tokens: 5 });
  assert.equal(NativeTensor.live, before);
});
