import assert from "node:assert/strict";
import type { EpisodeEvent } from "../runners/events.ts";
import { episodeJson, episodeText } from "./episode_text.ts";

const id = "e/renamed/t1/a/direct/0.1";
const events = [
  {
    v: 1,
    type: "episode",
    episode: id,
    index: 3,
    env: "e",
    task: "t1",
    variant: "renamed",
    split: "unseen_task",
    agent: "a",
    protocol: "direct",
    run_seed: 0,
    seed: 7,
    sample: 1,
  },
  {
    v: 1,
    type: "message",
    episode: id,
    phase: "execute",
    message: { role: "user", content: "Q?" },
  },
  {
    v: 1,
    type: "tool",
    episode: id,
    phase: "execute",
    call: { id: "c0", name: "teg", arguments: { di: "x" } },
    canonical: { tool: "get", args: { id: "x" } },
    observation: { ok: false, error: { kind: "tool_error", message: "no x" } },
    invalid: false,
    ms: 1,
  },
  {
    v: 1,
    type: "tool",
    episode: id,
    phase: "execute",
    call: { id: "c1", name: "teg", arguments: { di: "y" } },
    canonical: { tool: "get", args: { id: "y" } },
    observation: { ok: true, result: { text: "y".repeat(500) } },
    invalid: false,
    ms: 1,
  },
  {
    v: 1,
    type: "message",
    episode: id,
    phase: "execute",
    message: { role: "assistant", content: "done \x1b[2J\x07" },
  },
  {
    v: 1,
    type: "result",
    episode: id,
    success: false,
    answer: "done \x1b[2J\x07",
    checks: [{ name: "equals", passed: false, detail: "expected 42" }],
    metrics: {
      calls: 2,
      trial_calls: 0,
      invalid_calls: 0,
      trial_invalid_calls: 0,
      failed_calls: 1,
      backend_failures: 0,
      self_corrections: 1,
      turns: 3,
      ast_match: false,
      tokens: 321,
      cost_usd: 0.0012,
    },
    error: null,
    ms: 2,
    digest: "0".repeat(64),
  },
] as EpisodeEvent[];

Deno.test("episode text: header, calls with their canonical form, cut results, checks", () => {
  const text = episodeText(events, { color: false, width: 100 });
  const lines = text.split("\n");
  assert.equal(
    lines[0],
    "✗ e/t1 · a · renamed · direct · seed 0 #1 · unseen_task · equals check · 2 calls · 321 tokens · $0.0012",
  );
  assert.equal(lines[1], `  ${id}`);
  assert.equal(lines[2], "  user     Q?");
  assert.equal(lines[3], `  call     teg {"di":"x"}`);
  assert.equal(lines[4], `           = get {"id":"x"}`);
  assert.equal(lines[5], "  error    tool_error: no x");
  const result = lines.find((l) => l.startsWith("  result "))!;
  assert.ok(result.length <= 100 + 20 && result.endsWith("… (511 chars)"), result);
  // A model's output cannot drive the terminal: control characters are written out.
  assert.ok(text.includes("  answer   done \\x1b[2J\\x07"), text);
  assert.ok(!text.includes("\x1b"));
  assert.equal(lines.at(-1), "  checks   ✗ equals: expected 42");
});

Deno.test("episode text: colour marks errors and failed checks only when asked", () => {
  const text = episodeText(events, { color: true, width: 100 });
  assert.ok(text.startsWith("\x1b[31m✗\x1b[0m \x1b[1me/t1\x1b[0m"));
  assert.ok(text.includes("\x1b[31m  error    tool_error: no x\x1b[0m"));
  assert.ok(text.includes("\x1b[31m  checks   ✗ equals: expected 42\x1b[0m"));
});

Deno.test("episode json: identity, outcome and failure kind on top, the events between", () => {
  const j = episodeJson(events);
  assert.equal(j.episode, id);
  assert.equal(j.failure, "equals check");
  assert.equal(j.success, false);
  assert.equal("digest" in j, false);
  assert.deepEqual((j.events as EpisodeEvent[]).map((e) => e.type), [
    "message",
    "tool",
    "tool",
    "message",
  ]);
});
