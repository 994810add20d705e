import type { EpisodeEvent, EpisodeRecord } from "./events.ts";

/** The `episode` event that opens an episode's lines. */
export type EpisodeHead = Extract<EpisodeEvent, { type: "episode" }>;
/** The `result` event that closes them. */
export type EpisodeResult = Extract<EpisodeEvent, { type: "result" }>;
/** An episode record without its events: what a worker sends besides its lines. */
export type EpisodeMeta = Omit<EpisodeRecord, "events">;

/**
 * A finished episode in both of its forms — the record with its events, and its log lines (the
 * JSON of each event, joined by newlines, the result last and without its digest) — each made once,
 * when first asked for. A bench worker serializes its episodes itself and sends the lines, so the
 * thread that writes the log only appends them, and reads back (parses) only the episodes a report
 * needs whole; an episode run in this thread has its record, and its lines are written from it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EpisodeLines } from "./episode_lines.ts";
 * import { loadEnv } from "../spec/mod.ts";
 * import { declarativeEnv } from "../tools/mod.ts";
 * import { runEpisode } from "./episode.ts";
 * import { scriptedAgent } from "./agents/mod.ts";
 * const spec = await loadEnv("envs/library");
 * const rec = await runEpisode(declarativeEnv(spec), spec.tasks[0], {
 *   agent: scriptedAgent({ name: "oracle", kind: "scripted", scripted: "oracle", options: {} }),
 *   protocol: { name: "direct", kind: "direct", trialBudget: 0, maxTurns: 12 },
 *   episode: { id: "e1", seed: 1, sample: 0 },
 * });
 * // What a worker sends, and the episode as the parent rebuilds it.
 * const { text, meta } = EpisodeLines.serialize(rec);
 * const copy = EpisodeLines.fromText(text, meta);
 * assert.equal(copy.text, EpisodeLines.of(rec).text);
 * // The same record as JSON holds it (what JSON leaves out, undefined fields, is not there).
 * assert.equal(JSON.stringify(copy.record()), JSON.stringify(rec));
 * assert.ok(copy.finished && copy.last()?.type === "result" && copy.head()?.type === "episode");
 * ```
 */
export class EpisodeLines {
  #text: string | undefined;
  #events: EpisodeEvent[] | undefined;
  #head: EpisodeEvent | undefined;
  #last: EpisodeEvent | undefined;
  /** The record without its events: identity, outcome, metrics. */
  readonly meta: EpisodeMeta;

  private constructor(meta: EpisodeMeta, text?: string, events?: EpisodeEvent[]) {
    this.meta = meta;
    this.#text = text;
    this.#events = events;
  }

  /** An episode run in this thread: its lines are written from its record when asked for. */
  static of(rec: EpisodeRecord): EpisodeLines {
    const { events, ...meta } = rec;
    return new EpisodeLines(meta, undefined, events);
  }

  /** An episode serialized elsewhere (`serialize`): its events are parsed when asked for. */
  static fromText(text: string, meta: EpisodeMeta): EpisodeLines {
    return new EpisodeLines(meta, text);
  }

  /** What a worker sends for a record: its lines and the record without events. */
  static serialize(rec: EpisodeRecord): { text: string; meta: EpisodeMeta } {
    const { events, ...meta } = rec;
    return { text: linesOf(events), meta };
  }

  /** The events' JSON lines, joined by newlines (no newline at the end). */
  get text(): string {
    return this.#text ??= linesOf(this.#events!);
  }

  /** Whether the last line is the episode's result (the log chains a digest into it). */
  get finished(): boolean {
    if (this.#events) return this.#events.at(-1)?.type === "result";
    return this.#text!.startsWith('{"v":1,"type":"result"', this.#text!.lastIndexOf("\n") + 1);
  }

  /** The episode's events, in order (parsed from its lines the first time). */
  events(): EpisodeEvent[] {
    return this.#events ??= this.#text === ""
      ? []
      : this.#text!.split("\n").map((l) => JSON.parse(l));
  }

  /** Its first event (the `episode` event), without parsing the others. */
  head(): EpisodeEvent | undefined {
    if (this.#events || this.#text === "") return this.#events?.[0];
    const end = this.#text!.indexOf("\n");
    return this.#head ??= JSON.parse(end < 0 ? this.#text! : this.#text!.slice(0, end));
  }

  /** Its last event (the `result` event when finished), without parsing the others. */
  last(): EpisodeEvent | undefined {
    if (this.#events || this.#text === "") return this.#events?.at(-1);
    return this.#last ??= JSON.parse(this.#text!.slice(this.#text!.lastIndexOf("\n") + 1));
  }

  /** The whole record. */
  record(): EpisodeRecord {
    return { ...this.meta, events: this.events() };
  }
}

function linesOf(events: readonly EpisodeEvent[]): string {
  let s = "";
  for (let i = 0; i < events.length; i++) s += (i ? "\n" : "") + JSON.stringify(events[i]);
  return s;
}
