import type { EpisodeRecord } from "./events.ts";

/** An append-only JSONL episode log. */
export interface EpisodeLog {
  append(rec: EpisodeRecord): Promise<void>;
  close(): void;
}

/** Appends episodes to a JSONL event log, one event per line, in the order given. */
export async function openEpisodeLog(path: string): Promise<EpisodeLog> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  return {
    async append(rec: EpisodeRecord) {
      const text = rec.events.map((e) => JSON.stringify(e)).join("\n") + "\n";
      const bytes = enc.encode(text);
      let off = 0;
      while (off < bytes.length) off += await file.write(bytes.subarray(off));
    },
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
