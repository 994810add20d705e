import type { EpisodeEvent, RunHeader, VariantEvent } from "../runners/events.ts";
import { LogError, readHeader, readLog } from "../runners/log.ts";
import { Collector } from "./collect.ts";
import { buildReport } from "./report.ts";
import type { Provenance, Report } from "./types.ts";

/** One episode as a log holds it: the variant records written just before it, then its events. */
interface Chunk {
  index: number;
  records: (VariantEvent | EpisodeEvent)[];
}

/** The episodes of one log, one chunk at a time, in the log's (plan) order. */
async function* chunks(path: string): AsyncGenerator<Chunk> {
  let records: (VariantEvent | EpisodeEvent)[] = [];
  let index = -1;
  for await (const { end: _, ...rec } of readLog(path, { strict: true })) {
    if (rec.type === "run") continue;
    records.push(rec as VariantEvent | EpisodeEvent);
    if (rec.type === "episode") index = rec.index;
    if (rec.type === "result") {
      yield { index, records };
      records = [];
    }
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
  opts: { finishedAt?: string } = {},
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
    for (const rec of (heads[best].value as Chunk).records) collector.add(rec);
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
  const p = headers[0].provenance as unknown as Provenance;
  const starts = headers.map((h) => String((h.provenance as { started_at: string }).started_at));
  const count = headers[0].shard?.count ?? 1;
  const provenance: Provenance = {
    ...p,
    started_at: starts.sort()[0],
    finished_at: opts.finishedAt ?? new Date().toISOString(),
    shards: count > 1 ? Array.from({ length: count }, (_, i) => `${i}/${count}`) : null,
  };
  return buildReport(collector, { run_id: headers[0].run_id, provenance });
}
