import { writeFileAtomic } from "../core/mod.ts";

/** A request as a cassette keys it: no host (so a recording replays against any base URL), no headers. */
export interface RecordedRequest {
  method: string;
  /** Path and query string, query parameters sorted. */
  path: string;
  /** The JSON body as sent, or null. */
  body: string | null;
}

/** A response as a cassette stores it. */
export interface RecordedResponse {
  status: number;
  contentType: string;
  body: string;
}

/** The key of a request: method, path with sorted query, body. */
export function requestKey(r: RecordedRequest): string {
  return `${r.method} ${r.path}${r.body === null ? "" : ` ${r.body}`}`;
}

/**
 * Recorded HTTP exchanges of one environment, a JSON-lines file (`{request, response}` per
 * line, sorted by request, so a re-recording of the same answers is byte-identical). Replay looks
 * answers up; record adds them and writes the file on `save()`. One answer per request: an API
 * that answers the same request differently over time (state) replays its last answer, and
 * `conflicts` lists such requests so the recording run can say so.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Cassette } from "./cassette.ts";
 * const c = new Cassette("/nonexistent/cassette.jsonl");
 * await c.load();
 * const req = { method: "GET", path: "/users/1", body: null };
 * c.put(req, { status: 200, contentType: "application/json", body: "{}" });
 * assert.ok(c.get(req)?.status === 200);
 * ```
 */
export class Cassette {
  readonly path: string;
  readonly #entries = new Map<string, { request: RecordedRequest; response: RecordedResponse }>();
  readonly #conflicts = new Set<string>();
  #dirty = false;

  constructor(path: string) {
    this.path = path;
  }

  /** Read the file; a missing file is an empty cassette. Throws on a malformed line. */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await Deno.readTextFile(this.path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return;
      throw err;
    }
    text.split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      let e: { request: RecordedRequest; response: RecordedResponse };
      try {
        e = JSON.parse(line);
        if (typeof e.request?.path !== "string" || typeof e.response?.status !== "number") {
          throw new Error("each line needs request.path and response.status");
        }
      } catch (err) {
        throw new Error(`${this.path}:${i + 1}: ${(err as Error).message}`);
      }
      this.#entries.set(requestKey(e.request), e);
    });
  }

  get size(): number {
    return this.#entries.size;
  }

  get(request: RecordedRequest): RecordedResponse | undefined {
    return this.#entries.get(requestKey(request))?.response;
  }

  /**
   * Record an answer. A request answered differently earlier in this recording (a stateful API)
   * is noted in `conflicts`: a replay gives only the last answer.
   */
  put(request: RecordedRequest, response: RecordedResponse): void {
    const key = requestKey(request);
    const before = this.#entries.get(key)?.response;
    if (this.#dirty && before && JSON.stringify(before) !== JSON.stringify(response)) {
      this.#conflicts.add(key);
    }
    const { method, path, body } = request;
    this.#entries.set(key, { request: { method, path, body }, response });
    this.#dirty = true;
  }

  /** Requests that got different answers during this recording. */
  get conflicts(): string[] {
    return [...this.#conflicts].sort();
  }

  /** Write the file if anything was recorded. */
  async save(): Promise<void> {
    if (!this.#dirty) return;
    const lines = [...this.#entries.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, e]) => JSON.stringify(e));
    await writeFileAtomic(this.path, lines.join("\n") + "\n");
    this.#dirty = false;
  }
}
