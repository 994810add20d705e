import type { EpisodeEvent, RunHeader, VariantEvent } from "../runners/events.ts";
import {
  chunkDigest,
  fileLines,
  headerDigest,
  LogError,
  type LogRecord,
  readHeader,
  splitDigest,
} from "../runners/log.ts";
import { Collector } from "./collect.ts";
import { buildReport } from "./report.ts";
import type { Provenance, Report } from "./types.ts";

/** One episode as a log holds it: the variant records written just before it, then its events. */
interface Chunk {
  index: number;
  records: (VariantEvent | EpisodeEvent)[];
}

/**
 * The episodes of one log, one chunk at a time, in the log's (plan) order — each checked: its
 * digest chains to the episode before (a log written before digests existed has none, and is read
 * as it is), and its success is what its checks say.
 */
async function* chunks(path: string): AsyncGenerator<Chunk> {
  let records: (VariantEvent | EpisodeEvent)[] = [];
  let lines: string[] = [];
  let index = -1;
  let chain = "";
  let chained = false;
  let n = 0;
  const bad = (what: string) =>
    new LogError(
      `${path}:${n}: ${what} — the log was edited or damaged after it was written; rerun the episodes (delete the log to start over)`,
    );
  for await (const { text } of fileLines(path)) {
    n++;
    if (text.trim() === "") continue;
    let rec: LogRecord;
    try {
      rec = JSON.parse(text);
    } catch {
      throw new LogError(`${path}:${n}: not a JSON record (a cut-off write?)`);
    }
    if (rec.type === "run") {
      chain = headerDigest(text);
      continue;
    }
    records.push(rec as VariantEvent | EpisodeEvent);
    if (rec.type === "episode") index = rec.index;
    if (rec.type !== "result") {
      lines.push(text);
      continue;
    }
    const { text: bare, digest } = splitDigest(text);
    if (digest !== undefined) {
      const want = chunkDigest(chain, [...lines, bare]);
      if (digest !== want) throw bad(`episode ${rec.episode} does not match its digest`);
      chain = digest;
    } else if (chained) {
      throw bad(`episode ${rec.episode} has no digest though the episodes before it do`);
    }
    chained ||= digest !== undefined;
    // An advisory check (judge: {advisory: true}) is logged but decides nothing.
    const passed = rec.checks.every((c) => c.passed || c.advisory);
    if (rec.success !== passed) {
      const failed = rec.checks.find((c) => !c.passed && !c.advisory);
      throw bad(
        `episode ${rec.episode} says success ${rec.success}, but ${
          failed ? `its check ${failed.name} failed` : "every check passed"
        }`,
      );
    }
    yield { index, records };
    records = [];
    lines = [];
  }
}

/** One finished episode of a log: where it starts, its events in order (start to result), its end. */
export interface LoggedEpisode {
  /** The episode's `episode` event: its identity. */
  head: Extract<EpisodeEvent, { type: "episode" }>;
  /** Its `result` event: success, answer, checks, metrics, error. */
  result: Extract<EpisodeEvent, { type: "result" }>;
  /** Every event of the episode, the `episode` event first and the `result` last. */
  events: EpisodeEvent[];
}

/**
 * The finished episodes of one log, in log order, each checked as the report builder checks them
 * (its digest chains to the one before, its success follows from its checks); an episode still
 * being written is not yielded. A damaged or edited log is a LogError naming the line.
 */
export async function* logEpisodes(path: string): AsyncGenerator<LoggedEpisode> {
  for await (const { records } of chunks(path)) {
    const events = records.filter((r): r is EpisodeEvent => r.type !== "variant");
    const head = events[0], result = events[events.length - 1];
    if (head?.type !== "episode" || result.type !== "result") continue;
    yield { head, result, events };
  }
}

/** Check that logs are one run's complete set of shards (or one complete log); returns the headers. */
async function checkShards(paths: readonly string[]): Promise<RunHeader[]> {
  const headers = await Promise.all(paths.map(readHeader));
  const [first] = headers;
  for (const [i, h] of headers.entries()) {
    if (h.run_id !== first.run_id) {
      throw new LogError(
        `${paths[i]} is run ${h.run_id}, but ${
          paths[0]
        } is run ${first.run_id}: only shards of one run merge`,
      );
    }
  }
  const count = first.shard?.count ?? 1;
  const have = new Map<number, string>();
  for (const [i, h] of headers.entries()) {
    if ((h.shard?.count ?? 1) !== count) {
      throw new LogError(
        `${paths[i]} was cut into ${h.shard?.count ?? 1} shards, ${paths[0]} into ${count}`,
      );
    }
    const idx = h.shard?.index ?? 0;
    if (have.has(idx)) {
      throw new LogError(`shard ${idx}/${count} given twice: ${have.get(idx)} and ${paths[i]}`);
    }
    have.set(idx, paths[i]);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !have.has(i));
  if (missing.length > 0) {
    throw new LogError(
      `missing shard${missing.length > 1 ? "s" : ""} ${
        missing.map((i) => `${i}/${count}`).join(", ")
      } of run ${first.run_id}`,
    );
  }
  return headers;
}

/**
 * Build a report from episode logs: one run's log, or the logs of all its shards (merged in plan
 * order, so the report equals a single-machine run's apart from timing and provenance). Streams the
 * logs: memory holds one small summary per episode, not the events.
 */
export async function reportFromLogs(
  paths: readonly string[],
  opts: {
    finishedAt?: string;
    /** Called with each episode's events, in plan order (the HTML report's failures use it). */
    onEpisode?: (events: readonly EpisodeEvent[]) => void;
  } = {},
): Promise<Report> {
  const headers = await checkShards(paths);
  const collector = new Collector();
  const streams = paths.map((p) => chunks(p));
  const heads = await Promise.all(streams.map((s) => s.next()));
  const counts = paths.map(() => 0);
  for (;;) {
    let best = -1;
    for (const [i, h] of heads.entries()) {
      if (!h.done && (best < 0 || h.value.index < (heads[best].value as Chunk).index)) best = i;
    }
    if (best < 0) break;
    const { records } = heads[best].value as Chunk;
    for (const rec of records) collector.add(rec);
    opts.onEpisode?.(records.filter((r): r is EpisodeEvent => r.type !== "variant"));
    counts[best]++;
    heads[best] = await streams[best].next();
  }
  for (const [i, h] of headers.entries()) {
    if (counts[i] !== h.planned) {
      throw new LogError(
        `${paths[i]} holds ${
          counts[i]
        } of ${h.planned} episodes: the run did not finish; rerun the same bench command to resume it`,
      );
    }
  }
  return finish(headers, collector, opts.finishedAt);
}

/**
 * The report of a run whose every episode this process logged: built from what it collected as
 * it wrote the log (`header`, the log's first line; the collector fed each variant record and
 * episode in log order), the same report `reportFromLogs` builds from that log, without reading
 * the log back.
 */
export function reportFromCollected(
  header: RunHeader,
  collector: Collector,
  opts: { finishedAt?: string } = {},
): Report {
  // As the log holds it: what JSON leaves out (undefined fields) is not there when read back.
  const h: RunHeader = JSON.parse(JSON.stringify(header));
  if (collector.episodes.length !== h.planned) {
    throw new LogError(
      `the run collected ${collector.episodes.length} of ${h.planned} episodes: rerun the same bench command to resume it`,
    );
  }
  return finish([h], collector, opts.finishedAt);
}

/** The report of one run's logs (their headers) from what was collected. */
function finish(headers: RunHeader[], collector: Collector, finishedAt?: string): Report {
  const p = headers[0].provenance as unknown as Provenance;
  const starts = headers.map((h) => String((h.provenance as { started_at: string }).started_at));
  const count = headers[0].shard?.count ?? 1;
  const provenance: Provenance = {
    ...p,
    started_at: starts.sort()[0],
    finished_at: finishedAt ?? new Date().toISOString(),
    shards: count > 1 ? Array.from({ length: count }, (_, i) => `${i}/${count}`) : null,
  };
  return buildReport(collector, { run_id: headers[0].run_id, provenance });
}
