import type { EpisodeRecord, VariantEvent } from "./events.ts";

/** An append-only JSONL episode log. */
export interface EpisodeLog {
  append(rec: EpisodeRecord): Promise<void>;
  /** Write a record that belongs to no one episode (a variant's mapping). */
  note(ev: VariantEvent): Promise<void>;
  close(): void;
}

/** Appends episodes to a JSONL event log, one event per line, in the order given. */
export async function openEpisodeLog(path: string): Promise<EpisodeLog> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  const write = async (text: string) => {
    const bytes = enc.encode(text);
    let off = 0;
    while (off < bytes.length) off += await file.write(bytes.subarray(off));
  };
  return {
    append: (rec: EpisodeRecord) =>
      write(rec.events.map((e) => JSON.stringify(e)).join("\n") + "\n"),
    note: (ev: VariantEvent) => write(JSON.stringify(ev) + "\n"),
    close() {
      file.close();
    },
  };
}

/** Write a file atomically: a reader never sees half of it. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.writeTextFile(tmp, text);
  await Deno.rename(tmp, path);
}
