/**
 * A stand-in model on loopback that plays a *user* over OpenAI's `/v1/chat/completions`, for
 * tests of a suite's `user:` agent. It answers from the request alone, deterministically, the way
 * a user model is meant to read it: the facts under "## What you know" in the system prompt, the
 * tools it is offered, the conversation with roles flipped (the agent's messages are `user`).
 * To the agent's last message it answers, in order: with the facts whose words the message
 * names (each once); else by calling an offered tool whose name's words the message names (each
 * once); after its own tool call, with what the tool said; else with `###STOP###`. Every request
 * is recorded.
 */

interface Request {
  model: string;
  messages: {
    role: string;
    content: string | null;
    tool_calls?: { function: { name: string } }[];
  }[];
  tools?: { function: { name: string } }[];
  seed?: number;
}

/** The server, its URL (up to /v1) and the requests it got. */
export interface UserServer {
  url: string;
  requests: Request[];
  close(): Promise<void>;
}

/** Start the stand-in user on 127.0.0.1 (a free port). */
export function userServer(): UserServer {
  const s: UserServer = { url: "", requests: [], close: () => Promise.resolve() };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (req.method === "GET" && path === "/v1/models") {
      return Response.json({ object: "list", data: [{ id: "user-model", object: "model" }] });
    }
    if (req.method !== "POST" || path !== "/v1/chat/completions") {
      return new Response("not found", { status: 404 });
    }
    const body = await req.json() as Request;
    s.requests.push(body);
    return Response.json(reply(body));
  });
  s.url = `http://127.0.0.1:${server.addr.port}/v1`;
  s.close = () => server.shutdown();
  return s;
}

const words = (text: string) => new Set(text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean));

/** What the user says or does next, from the request alone. */
function reply(body: Request) {
  const msgs = body.messages;
  const last = msgs.at(-1)!;
  if (last.role === "tool") return say(`Done. My phone says: ${last.content}`);
  const system = msgs[0].role === "system" ? msgs[0].content ?? "" : "";
  const mine = msgs.filter((m) => m.role === "assistant");
  const said = mine.map((m) => m.content ?? "").join("\n");
  const heard = words(last.content ?? "");
  // "- phone number: 555-0101" lines under "## What you know".
  const known = /## What you know\n[^\n]*\n((?:- [^\n]+\n?)+)/.exec(system)?.[1] ?? "";
  const facts = [...known.matchAll(/^- ([^:]+): (.+)$/gm)].map((m) => [m[1], m[2]] as const);
  const tell = facts.filter(([k, v]) =>
    !said.includes(v) && [...words(k)].every((w) => heard.has(w))
  );
  if (tell.length > 0) return say(tell.map(([, v]) => v).join(", "));
  const called = new Set(mine.flatMap((m) => (m.tool_calls ?? []).map((c) => c.function.name)));
  const tool = (body.tools ?? []).map((t) => t.function.name).find((name) =>
    !called.has(name) && name.split("_").every((w) => heard.has(w))
  );
  if (tool) return call(tool);
  return say("Thanks, that is all. ###STOP###");
}

function say(content: string) {
  return completion({ role: "assistant", content }, "stop");
}

function call(name: string) {
  return completion({
    role: "assistant",
    content: null,
    tool_calls: [{ id: `call_${name}`, type: "function", function: { name, arguments: "{}" } }],
  }, "tool_calls");
}

function completion(message: unknown, finish: string) {
  return {
    id: "chatcmpl-user",
    object: "chat.completion",
    model: "user-model",
    choices: [{ index: 0, message, finish_reason: finish }],
    usage: { prompt_tokens: 30, completion_tokens: 6, total_tokens: 36 },
  };
}
