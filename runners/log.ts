import type { EpisodeEvent, RunHeader, VariantEvent } from "./events.ts";
import {
  chunkDigest,
  fileLines,
  headerDigest,
  joinDigest,
  LogError,
  splitDigest,
} from "./log_lines.ts";
import { scanLog, writeChained } from "./log_scan.ts";

export { chunkDigest, fileLines, headerDigest, joinDigest, LogError, splitDigest };
import type { EpisodeLog } from "./write.ts";
import { EpisodeLines } from "./episode_lines.ts";

/** A record of an episode log: the run header, a variant record, or an episode event. */
export type LogRecord = RunHeader | VariantEvent | EpisodeEvent;

/**
 * Stream the records of an episode log. A damaged line (a write cut off by a crash) ends the
 * stream unless `strict`, in which case it is an error naming the line.
 */
export async function* readLog(
  path: string,
  opts: { strict?: boolean } = {},
): AsyncGenerator<LogRecord & { end: number }> {
  let line = 0;
  for await (const { text, end } of fileLines(path)) {
    line++;
    if (text.trim() === "") continue;
    let rec: LogRecord;
    try {
      rec = JSON.parse(text);
    } catch {
      if (opts.strict) throw new LogError(`${path}:${line}: not a JSON record (a cut-off write?)`);
      return;
    }
    yield { ...rec, end };
  }
}

/** Read just the header of a log. */
export async function readHeader(path: string): Promise<RunHeader> {
  for await (const rec of readLog(path)) {
    if (rec.type !== "run") break;
    const { end: _, ...header } = rec;
    return header as RunHeader;
  }
  throw new LogError(`${path} does not start with a run header: not a tooltrial episode log`);
}

/**
 * Open the log of a run for writing. A new log starts with `header`. An unfinished log of the same
 * run (and shard) is resumed: everything after its last complete episode is cut off, and the
 * episodes and variant records before that are reported so the run can skip them. A finished log
 * of the same run starts over (rerunning a finished command reruns it) unless `finished: "keep"`
 * (its report was never written: the run only needs that). A log of another run is refused.
 */
export async function openRunLog(
  path: string,
  header: RunHeader,
  opts: {
    finished?: "restart" | "keep";
    /** The ids of this run's (shard's) episodes: a log whose header was cut is recognised by them. */
    planned?: ReadonlySet<string>;
  } = {},
): Promise<
  { log: EpisodeLog; done: Set<string>; announced: Set<string>; notes: string[] }
> {
  const done = new Set<string>();
  const announced = new Set<string>();
  // The chain: the digest the next episode builds on; lines written since the last result.
  let chain = "";
  let pending: string[] = [];
  let exists = false;
  try {
    exists = (await Deno.stat(path)).size > 0;
  } catch { /* new */ }
  let keep = 0;
  const notes: string[] = [];
  if (exists) {
    const scan = await scanLog(path, header, opts.planned);
    notes.push(...scan.notes);
    const finished = scan.chunks.length >= header.planned && opts.finished !== "keep";
    if (!finished) {
      for (const c of scan.chunks) {
        done.add(c.episode!);
        for (const k of c.variants) announced.add(k);
      }
      if (scan.rewrite) {
        // Good episodes after a damaged one (or under a cut header): the log is written anew,
        // its digests chained again over what is kept.
        chain = await writeChained(path, JSON.stringify(header), scan.chunks.map((c) => c.lines));
        keep = (await Deno.stat(path)).size;
      } else {
        keep = scan.keep;
        chain = scan.chunks.at(-1)?.digest ?? scan.headerDigest;
      }
    }
  }
  const file = await Deno.open(path, { write: true, create: true });
  await file.truncate(keep);
  await file.seek(keep, Deno.SeekMode.Start);
  const out = new LineWriter(file);
  if (keep === 0) {
    const line = JSON.stringify(header);
    chain = headerDigest(line);
    await out.write(line + "\n");
  }
  return {
    done,
    announced,
    notes,
    log: {
      append: (rec) => {
        const ep = rec instanceof EpisodeLines ? rec : EpisodeLines.of(rec);
        let text = ep.text;
        if (ep.finished) {
          // The lines as one string hash as the lines one by one: "\n" goes between them either way.
          chain = chunkDigest(chain, [...pending, text]);
          text = joinDigest(text, chain);
          pending = [];
        }
        return out.write(text + "\n");
      },
      note: (ev) => {
        const line = JSON.stringify(ev);
        pending.push(line);
        return out.write(line + "\n");
      },
      flushSync: () => out.flushSync(),
      close: async () => {
        try {
          await out.close();
        } finally {
          file.close();
        }
      },
    },
  };
}

/** Most characters of lines held back while a write is under way, before `write` waits for it. */
const HELD_BACK = 4 << 20;
/** Characters of lines one write takes, about (a whole episode's lines at least). */
const WRITE_CHARS = 128 << 10;

/**
 * Writes lines behind the caller: a line waits only while an earlier write is under way, and the
 * lines that come meanwhile go out together in the next write, so a run of short episodes costs a
 * few large writes instead of one per episode, and the episode loop does not wait on the disk.
 */
class LineWriter {
  #held: string[] = [];
  #bytes = 0;
  #busy: Promise<void> | undefined;
  #failure: unknown;
  readonly #enc = new TextEncoder();
  constructor(readonly file: Deno.FsFile) {}

  /** Queue text; resolves at once unless too much is held back (then once the write drains it). */
  write(text: string): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    this.#held.push(text);
    this.#bytes += text.length;
    this.#busy ??= this.#drain();
    return this.#bytes > HELD_BACK ? this.#busy.then(() => this.#check()) : Promise.resolve();
  }

  #check(): void {
    if (this.#failure) throw this.#failure;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#held.length > 0) {
        // At most about WRITE_CHARS a write: buffers that large are freed back to the system,
        // where larger ones would stay in the allocator's arenas (RSS grows, and stays).
        let n = 0, k = 0;
        while (k < this.#held.length && n < WRITE_CHARS) n += this.#held[k++].length;
        const bytes = this.#enc.encode(
          k === this.#held.length ? this.#held.join("") : this.#held.slice(0, k).join(""),
        );
        this.#held = k === this.#held.length ? [] : this.#held.slice(k);
        this.#bytes -= n;
        let off = 0;
        while (off < bytes.length) off += await this.file.write(bytes.subarray(off));
      }
    } catch (err) {
      // Said by the next write, or by close: nothing awaits this promise itself.
      this.#failure = err;
    } finally {
      this.#busy = undefined;
    }
  }

  /** Write what is held back now, synchronously (an interrupt: the process is about to exit). */
  flushSync(): void {
    if (this.#held.length === 0 || this.#busy) return;
    const bytes = this.#enc.encode(this.#held.join(""));
    this.#held = [];
    this.#bytes = 0;
    let off = 0;
    while (off < bytes.length) off += this.file.writeSync(bytes.subarray(off));
  }

  /** Wait until everything queued is written. */
  async close(): Promise<void> {
    while (this.#busy) await this.#busy;
    this.#check();
  }
}

/**
 * Hold a run folder for this process: `<dir>/.lock` with its pid and host, made exclusively. A lock
 * whose process is gone (same host) is taken over; a live one is a LogError (two writers would
 * interleave their lines in one log). Returns the release function.
 */
export async function lockRunDir(dir: string): Promise<() => Promise<void>> {
  const path = `${dir}/.lock`;
  const host = hostName();
  const mine = JSON.stringify({ pid: Deno.pid, host }) + "\n";
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await Deno.writeTextFile(path, mine, { createNew: true });
      return async () => {
        // Only our own lock: a taken-over one belongs to someone else now.
        if ((await Deno.readTextFile(path).catch(() => "")) === mine) {
          await Deno.remove(path).catch(() => {});
        }
      };
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
    }
    let held: { pid?: number; host?: string } = {};
    try {
      held = JSON.parse(await Deno.readTextFile(path));
    } catch { /* half-written: treat as stale */ }
    if (held.host === host && held.pid !== undefined && alive(held.pid)) {
      throw new LogError(
        `${dir} is in use by another tooltrial process (pid ${held.pid}): wait for it to finish, or choose another --out folder`,
      );
    }
    if (held.host !== undefined && held.host !== host) {
      throw new LogError(
        `${dir} is in use by a tooltrial process on ${held.host} (pid ${held.pid}): if none runs there any more, delete ${path}`,
      );
    }
    await Deno.remove(path).catch(() => {});
  }
  throw new LogError(
    `${dir}: could not take its lock ${path}; delete it if no run is using the folder`,
  );
}

/** Whether a process of this host is running (Linux and macOS: signal 0 probes it). */
function alive(pid: number): boolean {
  if (pid === Deno.pid) return true;
  try {
    Deno.kill(pid, 0 as unknown as Deno.Signal);
    return true;
  } catch (err) {
    // EPERM: it exists, owned by someone else.
    return err instanceof Deno.errors.PermissionDenied;
  }
}

/** This machine's name, or a stand-in where the process may not ask (no --allow-sys). */
function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "this-host";
  }
}
