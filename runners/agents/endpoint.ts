import { join } from "node:path";
import { createHash } from "node:crypto";
import { Deadlines } from "../../core/mod.ts";
import type { EndpointAgentSpec, EndpointOptions } from "../../spec/types.ts";
import { type Agent, AgentSetupError } from "../agent.ts";
import type { AssistantMessage, Message } from "../../core/messages.ts";
import type { ToolDef } from "../../tools/types.ts";
import { ResponseCache } from "./response_cache.ts";

/** How one HTTP API is spoken: the request for a turn and the assistant message in its reply. */
export interface Wire {
  /** `openai` or `anthropic`: part of the cache file name and of errors. */
  api: string;
  /** The path after `base_url` that a turn is posted to. */
  path: string;
  headers(key: string | undefined): Record<string, string>;
  /** The request body of one turn (what the cache key hashes, too). */
  body(
    o: EndpointOptions,
    turn: { messages: readonly Message[]; tools: readonly ToolDef[]; seed: number },
  ): Record<string, unknown>;
  /** The assistant turn in a reply body; malformed replies become unreadable calls, never throws. */
  read(reply: unknown): AssistantMessage;
}

/** Where a run keeps endpoint replies, and whether it reads them back. */
export interface EndpointRunOptions {
  /** Folder of the response cache (one JSONL file per API and model); none: no cache. */
  cacheDir?: string;
  /** Ignore the agents' `cache:` and call the endpoint for every turn (replies are still stored). */
  noCache?: boolean;
}

/** What an endpoint agent has done so far: for the progress line and the end-of-run summary. */
export interface EndpointStats {
  /** Requests answered by the endpoint. */
  live: number;
  /** Turns answered from the response cache. */
  cached: number;
  inFlight: number;
  /** Retries after 429, 5xx or a network error. */
  retries: number;
  promptTokens: number;
  completionTokens: number;
}

/** An agent that calls a model over HTTP: its stats, and a check that the endpoint answers. */
export interface EndpointAgent extends Agent {
  readonly stats: EndpointStats;
  /** The response cache file, when the agent replays from one. */
  readonly cacheFile?: string;
  /**
   * Make sure the endpoint can be reached before any episode runs. Throws AgentSetupError (bad
   * input: exit 2) naming the agent and URL when it cannot and the cache cannot stand in for it.
   */
  check(): Promise<string | undefined>;
}

/** The longest a `Retry-After` header may make a request wait. */
const MAX_RETRY_AFTER_MS = 120_000;

/**
 * An agent behind an HTTP model API, spoken through `wire`: each turn posts the conversation and
 * the tools as the variant shows them. Replies are cached by a hash of the request body (model,
 * messages, tools, sampling, seed) when `cache` is on; 429s (honouring `Retry-After` for every
 * request of the agent), 5xx and network errors are retried with backoff.
 */
export function endpointAgent(
  spec: EndpointAgentSpec,
  wire: Wire,
  run: EndpointRunOptions = {},
): EndpointAgent {
  const o = spec.kind === "openai" ? spec.openai : spec.anthropic;
  const key = o.api_key_env ? Deno.env.get(o.api_key_env) : undefined;
  if (o.api_key_env && !key) {
    throw new AgentSetupError(
      `agent ${spec.name}: the environment variable ${o.api_key_env} (api_key_env) is not set; export it, or remove api_key_env for a server without keys`,
    );
  }
  const url = `${o.base_url}${wire.path}`;
  const headers = { "content-type": "application/json", ...wire.headers(key) };
  const stats: EndpointStats = {
    live: 0,
    cached: 0,
    inFlight: 0,
    retries: 0,
    promptTokens: 0,
    completionTokens: 0,
  };
  const cacheFile = run.cacheDir === undefined
    ? undefined
    : join(run.cacheDir, `${wire.api}-${slug(o.model)}.jsonl`);
  let cache: Promise<ResponseCache> | undefined;
  const openCache = () => cache ??= ResponseCache.open(cacheFile!);
  // Replies are stored only where a stored reply is the reply (cache: on, by default at temperature
  // 0); --no-cache calls the endpoint every turn and refreshes what is stored.
  const store = o.cache && cacheFile !== undefined;
  const replay = store && !run.noCache;
  // Requests of this agent wait until then: a 429's Retry-After holds back every request in flight.
  let notBefore = 0;
  let offline = false;

  const post = async (body: string): Promise<{ reply: unknown; ms: number }> => {
    let last = "";
    for (let attempt = 0; attempt <= o.retries; attempt++) {
      const wait = Math.max(notBefore - Date.now(), attempt > 0 ? backoffMs(attempt) : 0);
      if (attempt > 0) stats.retries++;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      let res: Response;
      let text: string;
      const t0 = performance.now();
      const ctl = new AbortController();
      const done = requestDeadlines.watch(o.timeout_s * 1000, () => ctl.abort());
      try {
        res = await fetch(url, { method: "POST", headers, body, signal: ctl.signal });
        text = await res.text();
      } catch (err) {
        if (noPermission(err)) {
          throw new Error(`no network permission for ${url}: run with --allow-net`);
        }
        last = ctl.signal.aborted
          ? `no answer within timeout_s (${o.timeout_s} s)`
          : err instanceof Error
          ? err.message
          : String(err);
        continue;
      } finally {
        done();
      }
      if (res.ok) {
        try {
          return { reply: JSON.parse(text), ms: performance.now() - t0 };
        } catch {
          // A body that is not JSON is a malformed reply: the turn's call cannot be read.
          return { reply: { unreadable: text.slice(0, 200) }, ms: performance.now() - t0 };
        }
      }
      last = `${res.status} ${text.slice(0, 300)}`;
      if (res.status === 429) {
        const after = retryAfterMs(res.headers.get("retry-after"));
        if (after !== undefined) notBefore = Math.max(notBefore, Date.now() + after);
      } else if (res.status < 500) break;
    }
    throw new Error(`${url} failed: ${last}`);
  };

  return {
    name: spec.name,
    info: { kind: spec.kind, provider: "remote", model: `${o.model} @ ${o.base_url}` },
    concurrency: o.concurrency,
    stats,
    ...(store ? { cacheFile } : {}),
    async close() {
      if (cache) await (await cache).close();
    },
    async check() {
      const entries = replay ? (await openCache()).size : 0;
      let res: Response;
      try {
        res = await fetch(`${o.base_url}/models`, {
          headers,
          signal: AbortSignal.timeout(Math.min(10, o.timeout_s) * 1000),
        });
        await res.body?.cancel();
      } catch (err) {
        if (noPermission(err)) {
          throw new AgentSetupError(
            `agent ${spec.name}: no network permission for ${o.base_url}: run with --allow-net (deno task bench and deno task tooltrial allow it)`,
          );
        }
        const why = err instanceof Error ? err.message : String(err);
        if (entries > 0) {
          offline = true;
          return `${spec.name}: ${o.base_url} cannot be reached (${why}); replaying from the cache only (${entries} replies in ${cacheFile}): a turn not in it fails its episode`;
        }
        throw new AgentSetupError(
          `agent ${spec.name}: cannot reach ${o.base_url} (${why}); start the server, or fix base_url in the suite`,
        );
      }
      if (res.status === 401 || res.status === 403) {
        throw new AgentSetupError(
          `agent ${spec.name}: ${o.base_url} refused the request (${res.status})${
            o.api_key_env
              ? `: check the key in ${o.api_key_env}`
              : ": it needs an API key — name the variable holding it with api_key_env"
          }`,
        );
      }
      return undefined;
    },
    start(ctx) {
      return {
        async act(messages, tools): Promise<AssistantMessage> {
          const request = wire.body(o, { messages, tools, seed: ctx.seed });
          const body = JSON.stringify(request);
          // The seed is part of the key even where the API takes none (Anthropic's).
          const hash = store
            ? createHash("sha256").update(`${wire.api}\n${ctx.seed}\n${body}`).digest("hex")
            : "";
          let reply: unknown;
          const hit = replay ? (await openCache()).get(hash) : undefined;
          if (hit !== undefined) {
            stats.cached++;
            reply = hit;
          } else {
            if (offline) {
              throw new Error(
                `${url} cannot be reached and this turn is not in the cache ${cacheFile}`,
              );
            }
            stats.inFlight++;
            try {
              const r = await post(body);
              reply = r.reply;
              stats.live++;
              if (store) await (await openCache()).put(hash, reply, r.ms);
            } finally {
              stats.inFlight--;
            }
          }
          const turn = wire.read(reply);
          if (turn.usage) {
            stats.promptTokens += turn.usage.prompt_tokens;
            stats.completionTokens += turn.usage.completion_tokens;
            if (o.price) {
              turn.usage.cost_usd = (turn.usage.prompt_tokens * o.price.input +
                turn.usage.completion_tokens * o.price.output) / 1e6;
            }
          }
          return turn;
        },
      };
    },
  };
}

/**
 * Every endpoint request's time limit, on one shared ticker (a timer per request was 3–8% of the
 * client's CPU at thousands of loopback requests a second). A run waits for its episodes, not it.
 */
const requestDeadlines = new Deadlines(250, { unref: true });

/** Whether fetch failed for want of a network permission (Deno 2 says NotCapable). */
function noPermission(err: unknown): boolean {
  return err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied;
}

/** Backoff before retry `attempt` (1-based): 250 ms doubling, with jitter so retries spread out. */
function backoffMs(attempt: number): number {
  return 250 * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
}

/** A `Retry-After` header in milliseconds: delay-seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const s = Number(header);
  const ms = Number.isFinite(s) ? s * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms)) : undefined;
}

/** A model name as part of a file name. */
function slug(model: string): string {
  return model.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80);
}

/** A tool call whose name could not be read: the episode answers it as invalid JSON. */
export function unreadableTurn(what: string): AssistantMessage {
  return {
    role: "assistant",
    content: null,
    tool_calls: [{ id: "call_0", type: "function", function: { name: "", arguments: what } }],
  };
}

/** Whether an agent calls a model over HTTP. */
export function isEndpointAgent(a: Agent): a is EndpointAgent {
  return "check" in a && "stats" in a;
}
