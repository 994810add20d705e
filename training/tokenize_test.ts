import assert from "node:assert/strict";
import { loadSuite } from "../spec/mod.ts";
import { loadModelFolder } from "../onnx/runtime/model_folder.ts";
import { scriptedAgent } from "../runners/agents/mod.ts";
import { runEpisode } from "../runners/episode.ts";
import { variantEnvs } from "../runners/run.ts";
import { episodeMessages, styleProtocol } from "./synthesize.ts";
import { tokenizeChat } from "./tokenize.ts";

Deno.test("tokenizeChat: the ids are what the ONNX agent feeds, the mask is the assistant turns", async () => {
  const suite = await loadSuite("suite.yaml");
  const model = await loadModelFolder("models/tiny-random");
  const env = suite.envs[0];
  const variant = suite.variants.find((v) => v.name === "renamed")!;
  const venv = variantEnvs(suite)(env.name, variant, 3);
  const rec = await runEpisode(venv, env.tasks[1], {
    agent: scriptedAgent({ name: "explorer", kind: "scripted", scripted: "explorer", options: {} }),
    protocol: styleProtocol("trial", 6),
    episode: { id: "e", seed: 1, sample: 0 },
  });
  assert.ok(rec.success, "the explorer solves this task (else the test proves little)");
  const messages = episodeMessages(rec.events);
  const opts = { template: model.template, tokenizer: model.tokenizer, endTurn: "<|im_end|>" };
  const { ids, mask, prefix } = tokenizeChat({ messages, tools: venv.tools }, opts);
  assert.equal(ids.length, mask.length);
  const decode = (xs: number[]) => model.tokenizer.decode(xs, { skip_special_tokens: false });
  // The whole conversation round-trips.
  assert.equal(
    decode(ids),
    model.template.render(messages, venv.tools, { addGenerationPrompt: false }),
  );
  // Before each assistant turn, the ids are exactly the agent's encoding of the prompt it would see.
  const turns = messages.flatMap((m, i) => (m.role === "assistant" ? [i] : []));
  assert.ok(turns.length >= 3);
  let masked = "";
  let start = 0;
  for (const i of turns) {
    const prompt = model.template.render(messages.slice(0, i), venv.tools);
    const agentIds = model.tokenizer.encode(prompt, { add_special_tokens: false }).ids;
    start = agentIds.length;
    assert.deepEqual(ids.slice(0, start), agentIds, `prompt before message ${i}`);
    assert.equal(mask[start - 1], 0);
    assert.equal(mask[start], 1);
    let end = start;
    while (mask[end] === 1) end++;
    const turn = decode(ids.slice(start, end));
    assert.ok(turn.endsWith("<|im_end|>"), turn);
    masked += turn;
  }
  // Nothing but assistant turns is masked in.
  assert.equal(decode(ids.filter((_, i) => mask[i] === 1)), masked);
  // The prefix is the system turn (instructions + tool list).
  assert.equal(
    decode(ids.slice(0, prefix)),
    model.template.render(messages.slice(0, 1), venv.tools, { addGenerationPrompt: false }),
  );
});
