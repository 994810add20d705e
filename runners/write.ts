import type { EpisodeRecord, VariantEvent } from "./events.ts";

/** An append-only JSONL episode log. */
export interface EpisodeLog {
  /** Write one finished episode. */
  append(rec: EpisodeRecord): Promise<void>;
  /** Write a record that belongs to no one episode (a variant's mapping). */
  note(ev: VariantEvent): Promise<void>;
  /** Flush and close the file. */
  close(): void;
}

export { writeFileAtomic } from "../core/atomic_write.ts";
