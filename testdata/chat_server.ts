/**
 * A stand-in model server on loopback for tests: it speaks OpenAI's `/v1/chat/completions` and
 * Anthropic's `/v1/messages`, and plays a small generic policy — call the first offered tool with
 * the item id it finds in the user's query (under the tool's first required parameter), then answer
 * with what the tool returned. Every request is recorded.
 */

interface ChatRequest {
  model: string;
  messages: { role: string; content: unknown; tool_calls?: unknown[] }[];
  tools?: {
    type?: string;
    function?: { name: string; parameters?: Schema };
    name?: string;
    input_schema?: Schema;
  }[];
  seed?: number;
  system?: string;
}

type Schema = { properties?: Record<string, unknown>; required?: string[] };

/** What the server should do with the next requests, in order, before it answers normally. */
export type Scripted =
  | { status: number; retryAfter?: string; body?: string }
  | { reply: unknown };

export interface ChatServer {
  url: string;
  /** Every request body, in arrival order (answered or not). */
  requests: ChatRequest[];
  /** Requests per path. */
  paths: string[];
  /** When each request arrived (ms since the epoch). */
  times: number[];
  /** Most requests being answered at the same time. */
  maxInFlight: number;
  /** Answers to give before the policy's, consumed one per request. */
  script: Scripted[];
  close(): Promise<void>;
}

/** Start the stand-in on 127.0.0.1 (a free port); `delayMs` holds each answer back that long. */
export function chatServer(opts: { delayMs?: number } = {}): ChatServer {
  let inFlight = 0;
  const s: ChatServer = {
    url: "",
    requests: [],
    paths: [],
    times: [],
    maxInFlight: 0,
    script: [],
    close: () => Promise.resolve(),
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (req.method === "GET" && path === "/v1/models") {
      return Response.json({ object: "list", data: [{ id: "stand-in", object: "model" }] });
    }
    if (req.method !== "POST" || (path !== "/v1/chat/completions" && path !== "/v1/messages")) {
      return new Response("not found", { status: 404 });
    }
    const body = await req.json() as ChatRequest;
    s.requests.push(body);
    s.paths.push(path);
    s.times.push(Date.now());
    inFlight++;
    s.maxInFlight = Math.max(s.maxInFlight, inFlight);
    try {
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      const next = s.script.shift();
      if (next && "status" in next) {
        return new Response(next.body ?? `{"error": {"message": "status ${next.status}"}}`, {
          status: next.status,
          headers: next.retryAfter ? { "retry-after": next.retryAfter } : {},
        });
      }
      if (next) return Response.json(next.reply);
      const act = policy(body);
      return Response.json(
        path === "/v1/messages" ? anthropicReply(act) : openaiReply(act),
      );
    } finally {
      inFlight--;
    }
  });
  s.url = `http://127.0.0.1:${server.addr.port}/v1`;
  s.close = () => server.shutdown();
  return s;
}

type Act = { call: { name: string; args: Record<string, unknown> } } | { say: string };

/** Call the first tool with the query's item id; after a result, say what it returned. */
function policy(body: ChatRequest): Act {
  const last = body.messages.at(-1)!;
  const lastText = textOf(last.content);
  const toolResult = last.role === "tool" ||
    (Array.isArray(last.content) &&
      (last.content as { type?: string }[]).some((b) => b.type === "tool_result"));
  if (toolResult) return { say: `The tool said: ${lastText}` };
  const query = body.messages.filter((m) => m.role === "user").map((m) => textOf(m.content))
    .join(" ");
  const tool = body.tools?.[0];
  const name = tool?.function?.name ?? tool?.name;
  const schema = tool?.function?.parameters ?? tool?.input_schema;
  const param = schema?.required?.[0] ?? Object.keys(schema?.properties ?? {})[0];
  if (!name || !param) return { say: "I cannot help with that." };
  return { call: { name, args: { [param]: /\bw\d+\b/.exec(query)?.[0] ?? "w1" } } };
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((b: { text?: string; content?: string }) => b.text ?? b.content ?? "").join(
    " ",
  );
}

function openaiReply(act: Act) {
  const message = "say" in act ? { role: "assistant", content: act.say } : {
    role: "assistant",
    content: null,
    tool_calls: [{
      id: "call_1",
      type: "function",
      function: { name: act.call.name, arguments: JSON.stringify(act.call.args) },
    }],
  };
  return {
    id: "chatcmpl-1",
    object: "chat.completion",
    model: "stand-in",
    choices: [{ index: 0, message, finish_reason: "say" in act ? "stop" : "tool_calls" }],
    usage: { prompt_tokens: 40, completion_tokens: 8, total_tokens: 48 },
  };
}

function anthropicReply(act: Act) {
  return {
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "stand-in",
    content: "say" in act
      ? [{ type: "text", text: act.say }]
      : [{ type: "tool_use", id: "toolu_1", name: act.call.name, input: act.call.args }],
    stop_reason: "say" in act ? "end_turn" : "tool_use",
    usage: { input_tokens: 30, output_tokens: 6 },
  };
}
