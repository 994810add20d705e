import { dirname } from "node:path";

/**
 * Endpoint replies by request hash, in a JSON-lines file that only grows: one line per reply,
 * appended as soon as it arrives, so a crashed run never pays for a reply twice. A line cut off by a
 * crash is skipped when the file is read back. Shards of one run may share the file: each line is
 * one small append.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ResponseCache } from "./response_cache.ts";
 * const file = await Deno.makeTempFile({ suffix: ".jsonl" });
 * const c = await ResponseCache.open(file);
 * await c.put("ab12", { choices: [] }, 12.5);
 * await c.close();
 * assert.ok((await ResponseCache.open(file)).get("ab12") !== undefined);
 * ```
 */
export class ResponseCache {
  #entries = new Map<string, unknown>();
  #writing: Promise<void> = Promise.resolve();
  /** The file ends in a cut-off line: the next append starts a new one. */
  #cut = false;
  /** Opened for appending at the first `put`, kept open until `close`. */
  #handle?: Deno.FsFile;
  #enc = new TextEncoder();

  private constructor(readonly file: string) {}

  /** Read a cache file (a missing one is empty). */
  static async open(file: string): Promise<ResponseCache> {
    const c = new ResponseCache(file);
    let text = "";
    try {
      text = await Deno.readTextFile(file);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    c.#cut = text.length > 0 && !text.endsWith("\n");
    for (const line of text.split("\n")) {
      if (!line) continue;
      try {
        const rec = JSON.parse(line) as { k?: unknown; r?: unknown };
        if (typeof rec.k === "string" && rec.r !== undefined) c.#entries.set(rec.k, rec.r);
      } catch { /* a line cut off by a crash */ }
    }
    return c;
  }

  /** Stored replies. */
  get size(): number {
    return this.#entries.size;
  }

  get(key: string): unknown {
    return this.#entries.get(key);
  }

  /** Store a reply and how long the endpoint took (kept for the record; replays take none). */
  put(key: string, reply: unknown, ms: number): Promise<void> {
    this.#entries.set(key, reply);
    const line = `${this.#cut ? "\n" : ""}${
      JSON.stringify({ k: key, r: reply, ms: Math.round(ms * 10) / 10 })
    }\n`;
    this.#cut = false;
    this.#writing = this.#writing.then(async () => {
      if (!this.#handle) {
        await Deno.mkdir(dirname(this.file), { recursive: true });
        this.#handle = await Deno.open(this.file, { append: true, create: true });
      }
      // One write call per line: an O_APPEND write lands whole, after whatever another shard wrote.
      const bytes = this.#enc.encode(line);
      let done = 0;
      while (done < bytes.length) done += await this.#handle.write(bytes.subarray(done));
    });
    return this.#writing;
  }

  /** Finish pending writes and close the file. */
  async close(): Promise<void> {
    await this.#writing.catch(() => {});
    this.#handle?.close();
    this.#handle = undefined;
  }
}
