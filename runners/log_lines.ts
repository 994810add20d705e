/**
 * How an episode log is read line by line, and how its lines are chained by digests: what the
 * writer (log.ts), the resume scan (log_scan.ts) and the report builder share.
 * @module
 */
import { createHash } from "node:crypto";

/** An episode log that cannot be used as asked (another run's, or damaged), with a fix. */
export class LogError extends Error {}

/**
 * The whole lines of a file from byte `start` (default 0), each with the byte offset just past it,
 * read in chunks (flat memory). A last line without a newline is an unfinished write: not yielded.
 */
export async function* fileLines(
  path: string,
  opts: { start?: number } = {},
): AsyncGenerator<{ text: string; end: number }> {
  const file = await Deno.open(path, { read: true });
  const dec = new TextDecoder();
  let pending = new Uint8Array(0);
  let offset = opts.start ?? 0; // bytes before `pending`
  try {
    if (offset > 0) await file.seek(offset, Deno.SeekMode.Start);
    const buf = new Uint8Array(1 << 16);
    for (;;) {
      const n = await file.read(buf);
      if (n === null) break;
      const chunk = new Uint8Array(pending.length + n);
      chunk.set(pending);
      chunk.set(buf.subarray(0, n), pending.length);
      let start = 0;
      for (let i = 0; i < chunk.length; i++) {
        if (chunk[i] !== 10) continue;
        yield { text: dec.decode(chunk.subarray(start, i)), end: offset + i + 1 };
        start = i + 1;
      }
      offset += start;
      pending = chunk.slice(start);
    }
  } finally {
    file.close();
  }
}

/**
 * The digest that chains one episode into its log: SHA-256 over the previous episode's digest (the
 * first episode: the hash of the run header line) and the episode's lines as written — the variant
 * records just before it, its events, and its result line without the digest, which is then added
 * as the result's last key. Editing, dropping or reordering any of them breaks every later digest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chunkDigest } from "./log_lines.ts";
 * const a = chunkDigest("0".repeat(64), ['{"type":"result"}']);
 * assert.ok(a.length === 64 && a !== chunkDigest("0".repeat(64), ['{"type":"result" }']));
 * ```
 */
export function chunkDigest(prev: string, lines: readonly string[]): string {
  const h = createHash("sha256").update(prev);
  for (const l of lines) h.update("\n").update(l);
  return h.digest("hex");
}

/** Where a log's chain starts: the hash of its header line. */
export function headerDigest(headerLine: string): string {
  return createHash("sha256").update(headerLine).digest("hex");
}

/** A result line as written (`…,"digest":"<hex>"}`) without its digest, and the digest. */
export function splitDigest(line: string): { text: string; digest?: string } {
  const m = /,"digest":"([0-9a-f]{64})"\}$/.exec(line);
  return m ? { text: line.slice(0, m.index) + "}", digest: m[1] } : { text: line };
}

/** A result line with its digest added as the last key: what `splitDigest` takes apart. */
export function joinDigest(line: string, digest: string): string {
  return `${line.slice(0, -1)},"digest":"${digest}"}`;
}
