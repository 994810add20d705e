import type { EpisodeLines } from "./episode_lines.ts";
import type { EpisodeRecord, VariantEvent } from "./events.ts";

/**
 * An append-only JSONL episode log. Lines are written behind the caller (a promise resolves once
 * they are queued, unless much is queued already): `close` waits until every one is on disk.
 */
export interface EpisodeLog {
  /** Write one finished episode (its record, or its lines as a worker serialized them). */
  append(rec: EpisodeRecord | EpisodeLines): Promise<void>;
  /** Write a record that belongs to no one episode (a variant's mapping). */
  note(ev: VariantEvent): Promise<void>;
  /** Write what is queued now, synchronously: for an interrupt, just before the process exits. */
  flushSync(): void;
  /** Write everything queued, then close the file. */
  close(): Promise<void>;
}

export { writeFileAtomic } from "../core/atomic_write.ts";
