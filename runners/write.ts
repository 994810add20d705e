import type { EpisodeRecord, VariantEvent } from "./events.ts";

/** An append-only JSONL episode log. */
export interface EpisodeLog {
  append(rec: EpisodeRecord): Promise<void>;
  /** Write a record that belongs to no one episode (a variant's mapping). */
  note(ev: VariantEvent): Promise<void>;
  close(): void;
}

/** Write a file atomically: a reader never sees half of it. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.writeTextFile(tmp, text);
  await Deno.rename(tmp, path);
}
