import { writeFileAtomic } from "../core/mod.ts";
import type { RunHeader } from "./events.ts";
import {
  chunkDigest,
  fileLines,
  headerDigest,
  joinDigest,
  LogError,
  splitDigest,
} from "./log_lines.ts";
import { interfaceKey } from "./run.ts";

/** One episode as a log holds it: the variant records before it, its events, its result. */
interface ScannedChunk {
  lines: string[];
  episode: string | undefined;
  variants: string[];
  /** Every line parsed, its result is there, and its digest (if any) is the one written. */
  good: boolean;
  /** The digest its result line carries as written (readable even when other lines are not). */
  digest?: string;
}

/** What a resumed run finds in its log, and what it has to do about it. */
export interface LogScan {
  /** Good episodes, in log order. */
  chunks: ScannedChunk[];
  /** Byte offset after the last good episode of an undamaged prefix: where appending resumes. */
  keep: number;
  /** The log must be written anew (its header was cut, or good episodes follow a damaged one). */
  rewrite: boolean;
  /** The chain's start: the hash of the header line (empty when it was cut). */
  headerDigest: string;
  /** What was wrong, for the user (each names the line). */
  notes: string[];
}

/**
 * Read a run's log for a resume. Episodes whose lines all parse and whose digest chains from the
 * line before them (as written) are kept; an episode with a damaged or edited line is dropped, and
 * only it runs again — good episodes after it are kept. A header cut off by a crash is taken as
 * this run's when every episode in the log is one of this run's (`planned` ids). A header of
 * another run is a LogError.
 */
export async function scanLog(
  path: string,
  header: RunHeader,
  planned?: ReadonlySet<string>,
): Promise<LogScan> {
  const notes: string[] = [];
  const chunks: ScannedChunk[] = [];
  let headerOk: boolean | undefined;
  let prev = ""; // digest the next chunk was written on (as written), "" when unknown
  let cur: ScannedChunk = { lines: [], episode: undefined, variants: [], good: true };
  let keep = 0, n = 0, start = "";
  let prefixIntact = true;
  const foreign = (what: string) =>
    new LogError(
      `${path} holds ${what}, not run ${header.run_id}${
        header.shard ? ` shard ${header.shard.index}/${header.shard.count}` : ""
      }: choose another --out folder, or delete that one to start over`,
    );
  for await (const { text, end } of fileLines(path)) {
    n++;
    let rec: Record<string, unknown> | undefined;
    try {
      rec = JSON.parse(text);
    } catch { /* damaged */ }
    if (n === 1) {
      if (rec?.type === "run") {
        const h = rec as unknown as RunHeader;
        if (
          h.run_id !== header.run_id || JSON.stringify(h.shard) !== JSON.stringify(header.shard)
        ) {
          throw foreign(
            `run ${h.run_id}${h.shard ? ` shard ${h.shard.index}/${h.shard.count}` : ""}`,
          );
        }
        headerOk = true;
        prev = start = headerDigest(text);
        keep = end;
        continue;
      }
      headerOk = false;
      if (rec !== undefined) throw foreign("something else");
      notes.push(`${path}:1: the run header was cut off; it is written again`);
      continue;
    }
    if (rec === undefined) {
      cur.good = false;
      const m = /"episode":"([^"]+)"/.exec(text);
      if (m) cur.episode ??= m[1];
      const d = splitDigest(text).digest;
      // A cut result line ends its chunk (its digest may still be readable).
      if (/"type":"result"/.test(text)) cur.digest = d, finish(n);
      else cur.lines.push(text);
      continue;
    }
    if (rec.type === "variant") {
      cur.variants.push(
        interfaceKey(String(rec.env), String(rec.variant), Number(rec.seed)),
      );
      cur.lines.push(text);
      continue;
    }
    if (typeof rec.episode === "string") cur.episode ??= rec.episode;
    if (rec.type !== "result") {
      cur.lines.push(text);
      continue;
    }
    const { text: bare, digest } = splitDigest(text);
    cur.digest = digest;
    if (
      digest !== undefined && (prev === "" || chunkDigest(prev, [...cur.lines, bare]) !== digest)
    ) {
      cur.good = false;
    }
    cur.lines.push(text);
    if (cur.good && prefixIntact) keep = end;
    finish(n);
  }
  // A last episode without its result (the crash cut it) runs again: nothing to note.
  if (headerOk === false) {
    const strangers = chunks.filter((c) => c.episode && !planned?.has(c.episode));
    if (!planned || strangers.length > 0 || chunks.length === 0) {
      throw foreign("a log whose header is damaged");
    }
  }
  const firstBad = chunks.findIndex((c) => !c.good);
  const goodAfterBad = firstBad >= 0 && chunks.slice(firstBad).some((c) => c.good);
  return {
    chunks: chunks.filter((c) => c.good),
    keep,
    rewrite: headerOk === false || goodAfterBad,
    headerDigest: start,
    notes,
  };

  function finish(line: number) {
    if (!cur.good) {
      prefixIntact = false;
      notes.push(
        `${path}:${line}: episode ${
          cur.episode ?? "(unnamed)"
        } is damaged or was edited; it runs again`,
      );
    }
    chunks.push(cur);
    // A good episode from before digests passes the chain on as it found it.
    prev = cur.digest ?? (cur.good ? prev : "");
    cur = { lines: [], episode: undefined, variants: [], good: true };
  }
}

/**
 * Put a log's episodes back in plan order (by their `episode` event's index), re-chaining their
 * digests: after a resume that kept good episodes past a damaged one, the rerun ones were
 * appended at the end. Variant records move with the episode they were written before.
 */
export async function sortLog(path: string): Promise<void> {
  let header = "";
  let cur: { index: number; lines: string[] } = { index: -1, lines: [] };
  const chunks: (typeof cur)[] = [];
  for await (const { text } of fileLines(path)) {
    const rec = JSON.parse(text) as { type: string; index?: number };
    if (rec.type === "run") {
      header = text;
      continue;
    }
    cur.lines.push(text);
    if (rec.type === "episode") cur.index = rec.index!;
    if (rec.type === "result") chunks.push(cur), cur = { index: -1, lines: [] };
  }
  chunks.sort((a, b) => a.index - b.index);
  await writeChained(path, header, chunks.map((c) => c.lines));
}

/**
 * Write a log anew from its header line and episodes' lines, each result's digest chained again
 * over what is written; returns the last digest (where appending goes on from).
 */
export async function writeChained(
  path: string,
  header: string,
  episodes: readonly (readonly string[])[],
): Promise<string> {
  let chain = headerDigest(header);
  const out = [header];
  for (const lines of episodes) {
    const body = lines.slice(0, -1);
    const result = splitDigest(lines[lines.length - 1]).text;
    chain = chunkDigest(chain, [...body, result]);
    out.push(...body, joinDigest(result, chain));
  }
  await writeFileAtomic(path, out.join("\n") + "\n");
  return chain;
}
