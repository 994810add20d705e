import type { EpisodeEvent, RunHeader, VariantEvent } from "./events.ts";
import { interfaceKey } from "./run.ts";
import type { EpisodeLog } from "./write.ts";

/** A record of an episode log: the run header, a variant record, or an episode event. */
export type LogRecord = RunHeader | VariantEvent | EpisodeEvent;

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
  opts: { finished?: "restart" | "keep" } = {},
): Promise<{ log: EpisodeLog; done: Set<string>; announced: Set<string> }> {
  const done = new Set<string>();
  const announced = new Set<string>();
  let exists = false;
  try {
    exists = (await Deno.stat(path)).size > 0;
  } catch { /* new */ }
  let keep = 0;
  if (exists) {
    const old = await readHeader(path).catch(() => undefined);
    if (
      !old || old.run_id !== header.run_id ||
      JSON.stringify(old.shard) !== JSON.stringify(header.shard)
    ) {
      throw new LogError(
        `${path} holds ${
          old
            ? `run ${old.run_id}${old.shard ? ` shard ${old.shard.index}/${old.shard.count}` : ""}`
            : "something else"
        }, not run ${header.run_id}${
          header.shard ? ` shard ${header.shard.index}/${header.shard.count}` : ""
        }: choose another --out folder, or delete that one to start over`,
      );
    }
    const seen: string[] = [];
    for await (const rec of readLog(path)) {
      if (rec.type === "run") keep = rec.end;
      else if (rec.type === "variant") seen.push(interfaceKey(rec.env, rec.variant, rec.seed));
      else if (rec.type === "result") {
        done.add(rec.episode);
        keep = rec.end;
        for (const k of seen.splice(0)) announced.add(k);
      }
    }
    if (done.size >= header.planned && opts.finished !== "keep") {
      keep = 0;
      done.clear();
      announced.clear();
    }
  }
  const file = await Deno.open(path, { write: true, create: true });
  await file.truncate(keep);
  await file.seek(keep, Deno.SeekMode.Start);
  const enc = new TextEncoder();
  const write = async (text: string) => {
    const bytes = enc.encode(text);
    let off = 0;
    while (off < bytes.length) off += await file.write(bytes.subarray(off));
  };
  if (keep === 0) await write(JSON.stringify(header) + "\n");
  return {
    done,
    announced,
    log: {
      append: (rec) => write(rec.events.map((e) => JSON.stringify(e)).join("\n") + "\n"),
      note: (ev) => write(JSON.stringify(ev) + "\n"),
      close: () => file.close(),
    },
  };
}

/**
 * Hold a run folder for this process: `<dir>/.lock` with its pid and host, made exclusively. A lock
 * whose process is gone (same host) is taken over; a live one is a LogError (two writers would
 * interleave their lines in one log). Returns the release function.
 */
export async function lockRunDir(dir: string): Promise<() => Promise<void>> {
  const path = `${dir}/.lock`;
  const host = Deno.hostname();
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
