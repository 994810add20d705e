import assert from "node:assert/strict";
import { loadSuite } from "../spec/mod.ts";
import { runSuite } from "../runners/run.ts";
import { prompts } from "../runners/prompts.ts";
import { declarativeEnv } from "../tools/mod.ts";
import { loadEnv } from "../spec/mod.ts";
import { openaiAgent } from "../runners/agents/openai.ts";
import type { EpisodeRecord } from "../runners/events.ts";
import { runCli } from "../testdata/cli.ts";
import { createApp, createModelApp } from "./app.ts";
import { closeServedModels, complete, openServedModels, type ServedModel } from "./openai_api.ts";

const TINY = { name: "tiny", path: "models/tiny-random" };
const MINI = { name: "mini", path: "models/toolmaster-mini/trial-sft" };

const TOOLS = [{
  type: "function",
  function: {
    name: "search_books",
    description: "Find books whose title contains a phrase.",
    parameters: {
      type: "object",
      properties: { query: { type: "string", description: "Words from the title" } },
      required: ["query"],
    },
  },
}];

/** Serve models on 127.0.0.1 (a free port) for the length of `fn`. */
async function withServer(
  fn: (base: string, models: Map<string, ServedModel>) => Promise<void>,
  specs = [TINY],
) {
  const models = await openServedModels(specs, { device: ["cpu"] });
  const app = createModelApp({ models });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  try {
    await fn(`http://127.0.0.1:${server.addr.port}/v1`, models);
  } finally {
    await server.shutdown();
    await closeServedModels(models);
  }
}

async function post(base: string, body: unknown) {
  const res = await fetch(`${base}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  // deno-lint-ignore no-explicit-any
  return { status: res.status, json: await res.json() as any };
}

/** A library task as the direct protocol opens it: what the trained policy saw in training. */
const library = await loadEnv("envs/library");
const LIBRARY = {
  model: "mini",
  messages: [
    { role: "system", content: prompts.direct() },
    { role: "user", content: library.tasks[0].query },
  ],
  tools: declarativeEnv(library).tools.map((t) => ({ type: "function", function: t })),
  max_tokens: 64,
  seed: 1,
};

const ask = (extra: Record<string, unknown> = {}) => ({
  model: "tiny",
  messages: [
    { role: "system", content: "You are a librarian." },
    { role: "user", content: 'Find the book "Dune".' },
  ],
  tools: TOOLS,
  max_tokens: 24,
  seed: 7,
  ...extra,
});

Deno.test("serve --model: GET /v1/models lists the served models in OpenAI's shape", async () => {
  await withServer(async (base) => {
    const list = await (await fetch(`${base}/models`)).json();
    assert.equal(list.object, "list");
    assert.deepEqual(list.data.map((m: { id: string }) => m.id), ["tiny", "mini"]);
    assert.equal(list.data[0].object, "model");
    assert.equal(list.data[0].owned_by, "tooltrial");
    const one = await fetch(`${base}/models/mini`);
    assert.equal((await one.json()).id, "mini");
    const none = await fetch(`${base}/models/nope`);
    assert.equal(none.status, 404);
    assert.equal((await none.json()).error.code, "model_not_found");
  }, [TINY, MINI]);
});

Deno.test("serve --model: a completion with tools answers in OpenAI's shape", async () => {
  await withServer(async (base) => {
    const { status, json } = await post(base, ask());
    assert.equal(status, 200);
    assert.equal(json.object, "chat.completion");
    assert.equal(json.model, "tiny");
    assert.match(json.id, /^chatcmpl-/);
    assert.equal(typeof json.created, "number");
    const choice = json.choices[0];
    assert.equal(choice.index, 0);
    assert.equal(choice.message.role, "assistant");
    assert.ok(["stop", "length", "tool_calls"].includes(choice.finish_reason));
    assert.equal(json.usage.total_tokens, json.usage.prompt_tokens + json.usage.completion_tokens);
    assert.ok(json.usage.completion_tokens <= 24 && json.usage.prompt_tokens > 50);
    // A reply that calls a tool: finish_reason tool_calls, each call in OpenAI's shape, its id
    // numbered by the turn (the assistant messages before it) as the in-process agent numbers it.
    const later = await post(base, {
      ...LIBRARY,
      tool_choice: { type: "function", function: { name: "search_books" } },
      messages: [...LIBRARY.messages, { role: "assistant", content: "Let me look." }, {
        role: "user",
        content: "Go on.",
      }],
    });
    assert.equal(later.json.choices[0].finish_reason, "tool_calls", JSON.stringify(later.json));
    const call = later.json.choices[0].message.tool_calls[0];
    assert.equal(call.id, "call_1_0");
    assert.equal(call.type, "function");
    assert.equal(call.function.name, "search_books");
    assert.equal(typeof call.function.arguments, "string");
  }, [TINY, MINI]);
});

Deno.test("serve --model: tool_choice none, a named function and required", async () => {
  await withServer(async (base) => {
    const none = await post(base, ask({ tool_choice: "none" }));
    assert.equal(none.json.choices[0].message.tool_calls, undefined);
    assert.equal(typeof none.json.choices[0].message.content, "string");
    // Without tools in the prompt, the prompt is shorter than with them.
    const auto = await post(base, ask());
    assert.ok(none.json.usage.prompt_tokens < auto.json.usage.prompt_tokens);
    // A named function: the reply starts as that call, whatever the model would have said.
    for (const name of ["search_books", "get_book"]) {
      const named = await post(base, {
        ...LIBRARY,
        tool_choice: { type: "function", function: { name } },
      });
      const call = named.json.choices[0].message.tool_calls[0];
      assert.equal(call.function.name, name, JSON.stringify(named.json));
      assert.equal(named.json.choices[0].finish_reason, "tool_calls");
    }
    const required = await post(base, {
      ...ask({ model: "mini", max_tokens: 48 }),
      tool_choice: "required",
    });
    assert.ok(required.json.choices[0].message.tool_calls.length >= 1);
    // The random model, forced, still answers with a call (an unreadable one is kept as written).
    const forced = await post(base, ask({ tool_choice: "required" }));
    assert.ok(forced.json.choices[0].message.tool_calls.length >= 1);
  }, [TINY, MINI]);
});

Deno.test("serve --model: bad requests are 400/404 in OpenAI's error shape, naming the parameter", async () => {
  await withServer(async (base) => {
    const cases: [unknown, number, string | null, RegExp][] = [
      ["{not json", 400, null, /not valid JSON/],
      [[1, 2], 400, null, /JSON object/],
      [{ ...ask(), model: undefined }, 400, "model", /GET \/v1\/models/],
      [ask({ model: "nope" }), 404, "model", /"nope" does not exist; served: tiny/],
      [ask({ n: 2 }), 400, "n", /n must be 1/],
      [ask({ stream: true }), 400, "stream", /stream: true is not supported/],
      [ask({ temprature: 1 }), 400, "temprature", /did you mean "temperature"/],
      [ask({ temperature: 3 }), 400, "temperature", /from 0 to 2: current value is 3/],
      [ask({ max_tokens: 0 }), 400, "max_tokens", /integer ≥ 1/],
      [ask({ max_tokens: 5, max_completion_tokens: 6 }), 400, "max_completion_tokens", /disagree/],
      [ask({ seed: 1.5 }), 400, "seed", /integer/],
      [ask({ stop: [""] }), 400, "stop", /non-empty/],
      [ask({ messages: [] }), 400, "messages", /non-empty list/],
      [ask({ messages: [{ role: "robot", content: "x" }] }), 400, "messages[0].role", /robot/],
      [
        ask({ messages: [{ role: "user", content: [{ type: "image_url" }] }] }),
        400,
        "messages[0].content[0]",
        /only text parts/,
      ],
      [
        ask({ messages: [{ role: "tool", content: "x" }] }),
        400,
        "messages[0].tool_call_id",
        /answers/,
      ],
      [ask({ tools: [{ type: "function" }] }), 400, "tools[0]", /"type": "function"/],
      [
        ask({ tool_choice: { type: "function", function: { name: "search_book" } } }),
        400,
        "tool_choice",
        /did you mean "search_books"/,
      ],
      [ask({ tools: undefined, tool_choice: "required" }), 400, "tool_choice", /needs tools/],
      [ask({ frequency_penalty: 0.5 }), 400, "frequency_penalty", /not supported/],
      [ask({ functions: [] }), 400, "functions", /send "tools"/],
      [
        ask({ messages: [{ role: "user", content: "x".repeat(40_000) }] }),
        400,
        "messages",
        /context is 8192/,
      ],
    ];
    for (const [body, status, param, message] of cases) {
      const r = await post(base, body);
      const what = JSON.stringify(body).slice(0, 80);
      assert.equal(r.status, status, what);
      assert.deepEqual(
        Object.keys(r.json.error).sort(),
        ["code", "message", "param", "type"],
        what,
      );
      assert.equal(r.json.error.type, "invalid_request_error", what);
      assert.equal(r.json.error.param, param, what);
      assert.match(r.json.error.message, message, what);
    }
    // Accepted and ignored at their no-op values, as OpenAI clients send them.
    const ok = await post(
      base,
      ask({
        user: "u",
        parallel_tool_calls: true,
        n: 1,
        stream: false,
        logprobs: false,
        response_format: { type: "text" },
      }),
    );
    assert.equal(ok.status, 200);
  });
});

Deno.test("serve --model: a body over the size limit is refused (413), with or without a length", async () => {
  const models = await openServedModels([TINY], { device: ["cpu"] });
  try {
    const app = createModelApp({ models, maxBodyBytes: 1000 });
    const big = JSON.stringify(ask({ messages: [{ role: "user", content: "x".repeat(2000) }] }));
    const json = { "content-type": "application/json" };
    const declared = await app.request("/v1/chat/completions", {
      method: "POST",
      headers: json,
      body: big,
    });
    assert.equal(declared.status, 413);
    const streamed = await app.request("/v1/chat/completions", {
      method: "POST",
      headers: json,
      body: new Blob([big]).stream(),
    });
    assert.equal(streamed.status, 413);
    assert.match((await streamed.json()).error.message, /too large: at most 1000 bytes/);
  } finally {
    await closeServedModels(models);
  }
});

Deno.test("serve --model: concurrent requests are all answered, batched, each as if alone", async () => {
  await withServer(async (base, models) => {
    const bodies = Array.from({ length: 12 }, (_, i) =>
      ask({
        seed: i,
        temperature: 0.9,
        messages: [{ role: "user", content: `Find book number ${i} please.` }],
      }));
    const together = await Promise.all(bodies.map((b) => post(base, b)));
    assert.ok(together.every((r) => r.status === 200));
    assert.ok(
      models.get("tiny")!.chat.decoder.stats.maxRows > 1,
      "requests in flight together share decode steps",
    );
    const alone = [];
    for (const b of bodies) alone.push(await post(base, b));
    const msg = (r: { json: { choices: { message: unknown }[] } }) => r.json.choices[0].message;
    assert.deepEqual(together.map(msg), alone.map(msg));
  });
});

Deno.test("serve --model: the same seed gives the same reply; another seed another one", async () => {
  await withServer(async (base) => {
    const body = ask({ temperature: 1, max_tokens: 32 });
    const a = await post(base, body), b = await post(base, body);
    const c = await post(base, { ...body, seed: 8 });
    assert.deepEqual(a.json.choices, b.json.choices);
    assert.notDeepEqual(a.json.choices, c.json.choices);
    // Greedy ignores the seed.
    const g1 = await post(base, ask({ temperature: 0, seed: 1 }));
    const g2 = await post(base, ask({ temperature: 0, seed: 2 }));
    assert.deepEqual(g1.json.choices, g2.json.choices);
  });
});

Deno.test("serve --model: a conversation's next request continues from its last reply's cache", async () => {
  // The trained policy's reply re-renders token for token (the random model's starts with a
  // space the message's content trims away, so it would share nothing past the prompt).
  const computed = async (replyCache: number) => {
    const models = await openServedModels([MINI], { device: ["cpu"], replyCache });
    try {
      const stats = models.get("mini")!.chat.decoder.stats;
      const first = await complete(models, LIBRARY);
      const before = stats.computed;
      const next = await complete(models, {
        ...LIBRARY,
        messages: [...LIBRARY.messages, first.choices[0].message, {
          role: "user",
          content: "And?",
        }],
      });
      assert.equal(first.usage.prompt_tokens_details.cached_tokens, 0);
      return { computed: stats.computed - before, next };
    } finally {
      await closeServedModels(models);
    }
  };
  const kept = await computed(64), none = await computed(0);
  assert.ok(
    kept.next.usage.prompt_tokens_details.cached_tokens >
      none.next.usage.prompt_tokens_details.cached_tokens,
  );
  assert.deepEqual(
    kept.next.choices,
    none.next.choices,
    "the cache changes the work, not the reply",
  );
  assert.ok(
    kept.computed < none.computed,
    `with the reply's cache the second turn computes less (${kept.computed} vs ${none.computed} tokens)`,
  );
});

Deno.test("serve --model: stop strings end the reply and are left out of it", async () => {
  await withServer(async (base) => {
    const full = await post(base, ask({ tool_choice: "none", max_tokens: 40 }));
    const text: string = full.json.choices[0].message.content;
    const stop = text.slice(6, 9);
    assert.ok(stop.trim().length > 0, `reply long enough to cut: ${JSON.stringify(text)}`);
    const cut = await post(base, ask({ tool_choice: "none", max_tokens: 40, stop }));
    assert.equal(cut.json.choices[0].finish_reason, "stop");
    assert.equal(cut.json.choices[0].message.content, text.slice(0, text.indexOf(stop)).trim());
  });
});

Deno.test("serve --model: mounted beside the environment API, behind its token", async () => {
  const models = await openServedModels([TINY], { device: ["cpu"] });
  try {
    const { app } = createApp({
      suite: await loadSuite("testdata/good/suite.yaml"),
      models,
      token: "t0k",
    });
    assert.equal((await app.request("/v1/models")).status, 401);
    const auth = { authorization: "Bearer t0k" };
    const list = await (await app.request("/v1/models", { headers: auth })).json();
    assert.equal(list.data[0].id, "tiny");
    const res = await app.request("/v1/chat/completions", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify(ask()),
    });
    assert.equal(res.status, 200);
    assert.equal((await app.request("/v1/envs", { headers: auth })).status, 200);
  } finally {
    await closeServedModels(models);
  }
});

Deno.test("serve --model: the CLI serves a model folder; a bad --model exits 2", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", "serve", "--model", "tiny=models/tiny-random", "--port", "0"],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    let m: RegExpMatchArray | null = null;
    while (!(m = seen.match(/serving models on (http:\/\/[\d.]+:\d+)/))) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the server exited: ${seen}`);
      seen += value;
    }
    assert.match(seen, /tiny \(models\/tiny-random, cpu\)/);
    const base = `${m[1]}/v1`;
    assert.equal((await (await fetch(`${base}/models`)).json()).data[0].id, "tiny");
    const r = await post(base, ask());
    assert.equal(r.status, 200);
    assert.equal(r.json.model, "tiny");
    child.kill("SIGTERM");
    assert.equal((await child.status).code, 0);
    await reader.cancel();
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }
  const bad = await runCli("serve", "--model", "=models/tiny-random");
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--model must be NAME=PATH/);
  const missing = await runCli("serve", "--model", "x=models/nowhere");
  assert.equal(missing.code, 2);
  assert.match(missing.err, /models\/nowhere.*model folder not found/);
});

/** What must match between the in-process agent and the served model: everything but timings and tokens. */
function episodes(recs: EpisodeRecord[]) {
  return recs.map((r) => ({
    id: r.id,
    success: r.success,
    answer: r.answer,
    error: r.error,
    calls: r.metrics.calls + r.metrics.trial_calls,
    invalid: r.metrics.invalid_calls,
    turns: r.metrics.turns,
    events: r.events.filter((e) => e.type === "message" || e.type === "tool").map((e) => {
      const { ms: _ms, ...rest } = e as { ms?: number };
      if ("message" in rest) {
        const { usage: _u, ...message } = rest.message as { usage?: unknown };
        return { ...rest, message };
      }
      return rest;
    }),
  }));
}

for (
  const [label, model, sampling] of [
    ["the trained policy, greedy", MINI, ""],
    ["the random model, sampled with a seed", TINY, ", temperature: 0.9"],
  ] as const
) {
  Deno.test(`serve --model: ${label} over HTTP plays the same episodes as in process`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "tooltrial-served-" });
    try {
      const file = `${dir}/suite.yaml`;
      await Deno.writeTextFile(
        file,
        `tooltrial: 1
suite: served
envs: [${Deno.cwd()}/envs/library, ${Deno.cwd()}/envs/shop]
tasks_per_env: 3
variants:
  renamed: [ { rename_tools: { level: medium } } ]
agents:
  policy: { onnx: ${Deno.cwd()}/${model.path}, device: [cpu], max_new_tokens: 64${sampling} }
protocols:
  direct: {}
  trial: { trial_budget: 2 }
`,
      );
      const suite = await loadSuite(file);
      const local = await runSuite(suite, { concurrency: 4 });
      await withServer(async (base) => {
        const agent = openaiAgent({
          name: "policy",
          kind: "openai",
          options: {},
          openai: {
            base_url: base,
            model: model.name,
            temperature: sampling ? 0.9 : 0,
            max_tokens: 64,
            timeout_s: 60,
            retries: 0,
            concurrency: 16,
            cache: false,
          },
        });
        const served = await runSuite(suite, {
          concurrency: 4,
          open: new Map([["policy", agent]]),
        });
        assert.equal(served.length, local.length);
        assert.ok(local.length >= 12);
        assert.ok(
          local.some((r) => r.metrics.calls + r.metrics.trial_calls > 0),
          "episodes that call tools",
        );
        assert.deepEqual(episodes(served), episodes(local));
      }, [model]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("serve --model + bench: a suite's openai agent on the served policy gives the in-process agent's episodes; a rerun replays the cache", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tooltrial-served-bench-" });
  const suite = (agent: string) =>
    `tooltrial: 1
suite: served
envs: [${Deno.cwd()}/envs/library, ${Deno.cwd()}/envs/convert]
tasks_per_env: 2
variants:
  renamed: [ { rename_tools: { level: medium } } ]
agents:
  policy: ${agent}
protocols:
  direct: {}
  trial: { trial_budget: 2 }
`;
  // Everything an episode did, without timings, tokens and the run id.
  const played = async (run: string) =>
    (await Deno.readTextFile(`${run}/episodes.jsonl`)).trim().split("\n").map((l) => JSON.parse(l))
      .filter((e) => e.type !== "run" && e.type !== "variant").map((e) =>
        JSON.stringify(
          e,
          // The digest chains the timings too.
          (k, v) =>
            ["ms", "usage", "tokens", "prompt_tokens", "provider", "digest"].includes(k)
              ? undefined
              : v,
        )
      );
  try {
    await withServer(async (base) => {
      await Deno.writeTextFile(
        `${dir}/local.yaml`,
        suite(`{ onnx: ${Deno.cwd()}/${MINI.path}, device: [cpu], max_new_tokens: 64 }`),
      );
      await Deno.writeTextFile(
        `${dir}/served.yaml`,
        suite(`{ openai: { base_url: ${base}, model: ${MINI.name}, max_tokens: 64 } }`),
      );
      const local = await runCli("bench", `${dir}/local.yaml`, "--out", `${dir}/a`, "--quiet");
      assert.equal(local.code, 0, local.err);
      const served = await runCli(
        "bench",
        `${dir}/served.yaml`,
        "--out",
        `${dir}/b`,
        "--cache-dir",
        `${dir}/cache`,
      );
      assert.equal(served.code, 0, served.err);
      const a = await played(`${dir}/a`), b = await played(`${dir}/b`);
      assert.equal(a.length, b.length);
      assert.ok(a.filter((e) => e.includes('"type":"result"')).length === 16);
      assert.deepEqual(b, a);
      const requests = Number(/(\d+) requests to the endpoint/.exec(served.err)?.[1]);
      assert.ok(requests >= 16, served.err);
      // A rerun elsewhere replays every reply: the same episodes, no request.
      const again = await runCli(
        "bench",
        `${dir}/served.yaml`,
        "--out",
        `${dir}/c`,
        "--cache-dir",
        `${dir}/cache`,
      );
      assert.equal(again.code, 0, again.err);
      assert.match(again.err, / 0 requests to the endpoint, \d+ replayed/);
      assert.deepEqual(await played(`${dir}/c`), a);
    }, [MINI]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve --model with grammar: a required call from random weights names an offered tool with schema-valid arguments", async () => {
  const models = await openServedModels([TINY], { device: ["cpu"], grammar: true });
  const app = createModelApp({ models });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const base = `http://127.0.0.1:${server.addr.port}/v1`;
  try {
    const tools = declarativeEnv(library).tools;
    for (const seed of [1, 2, 3, 4]) {
      const r = await post(base, {
        ...LIBRARY,
        model: "tiny",
        tool_choice: "required",
        temperature: 1,
        max_tokens: 96,
        seed,
      });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      const call = r.json.choices[0].message.tool_calls?.[0];
      assert.ok(call, JSON.stringify(r.json.choices[0]));
      const tool = tools.find((t) => t.name === call.function.name);
      assert.ok(tool, `offered tool: ${call.function.name}`);
      const args = JSON.parse(call.function.arguments);
      const known = Object.keys((tool.parameters.properties ?? {}) as object);
      assert.ok(Object.keys(args).every((k) => known.includes(k)), call.function.arguments);
    }
  } finally {
    await server.shutdown();
    await closeServedModels(models);
  }
});
