/**
 * Every failed episode of a run, compactly, for the HTML report's failure explorer: one small row
 * per failure (names as indexes into per-column lists) and its transcript as numbers into one
 * table of distinct line texts, so the repeated queries, calls and errors of a run are stored once.
 * @module
 */
import type { EpisodeEvent } from "../runners/events.ts";
import type { EpisodeLines } from "../runners/episode_lines.ts";
import { transcriptOf } from "./collect.ts";
import { failureKind } from "./failure_kind.ts";
import type { Report, TranscriptLine } from "./types.ts";

/** The columns a failure row names, each an index into `FailureData.names`. */
export const FAILURE_COLUMNS = [
  "env",
  "task",
  "agent",
  "variant",
  "protocol",
  "split",
  "kind",
] as const;

/** One of the named columns of a failure row. */
export type FailureColumn = typeof FAILURE_COLUMNS[number];

/** Line kinds in the order their codes count them (`TranscriptLine["kind"]`). */
export const LINE_KINDS = ["user", "assistant", "call", "result", "error", "check"] as const;

/** Every failed episode of a run, compactly (see the module doc). */
export interface FailureData {
  /** Each column's distinct values in first-seen order; rows hold indexes into them. */
  names: Record<FailureColumn, string[]>;
  /**
   * One row per failed episode, in plan order: the seven column indexes (FAILURE_COLUMNS), then
   * run seed, sample, execution-phase calls, and the transcript's index (−1: none kept).
   */
  rows: number[][];
  /** Distinct transcripts; each line is text index × 12 + kind (LINE_KINDS) × 2 + (trial ? 1 : 0). */
  transcripts: number[][];
  /** Distinct line texts. */
  texts: string[];
  /** Failures whose transcript was not kept: the log did not have it, or over the size budget. */
  omitted: number;
}

/** Longest text kept per transcript line: a tool result rarely needs more to see what went wrong. */
const LINE_CHARS = 500;
/** Most characters of distinct line text one report keeps; later failures keep only their row. */
const TEXT_BUDGET = 2_000_000;

/** What a failure row says about its episode. */
export interface FailureFields {
  /** Environment name. */
  env: string;
  /** Task id. */
  task: string;
  /** Agent name. */
  agent: string;
  /** Variant name. */
  variant: string;
  /** Protocol name. */
  protocol: string;
  /** The episode's split. */
  split: string;
  /** How it failed (`failureKind`). */
  kind: string;
  /** The run seed. */
  seed: number;
  /** Sample index. */
  sample: number;
  /** Execution-phase calls. */
  calls: number;
}

/**
 * Gathers the failed episodes of a run, in the order given: from the log's events (`add`, every
 * transcript) or from a report alone (`failuresFromReport`, the transcripts it kept).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FailureCollector } from "./failures.ts";
 * const c = new FailureCollector();
 * assert.ok(c.data().rows.length === 0);
 * ```
 */
export class FailureCollector {
  readonly #names = Object.fromEntries(FAILURE_COLUMNS.map((c) => [c, [] as string[]])) as Record<
    FailureColumn,
    string[]
  >;
  readonly #index = new Map<string, number>();
  readonly #rows: number[][] = [];
  readonly #transcripts: number[][] = [];
  readonly #byTranscript = new Map<string, number>();
  readonly #texts: string[] = [];
  readonly #textIndex = new Map<string, number>();
  #chars = 0;
  #omitted = 0;
  readonly #budget: number;

  /** `textBudget`: most characters of distinct line text kept (default 2,000,000). */
  constructor(opts: { textBudget?: number } = {}) {
    this.#budget = opts.textBudget ?? TEXT_BUDGET;
  }

  /** Add one episode's events (its `episode` event first, its `result` last); successes are skipped. */
  add(events: readonly EpisodeEvent[]): void {
    const head = events[0], result = events[events.length - 1];
    if (head?.type !== "episode" || result?.type !== "result" || result.success) return;
    this.addRow({
      env: head.env,
      task: head.task,
      agent: head.agent,
      variant: head.variant,
      protocol: head.protocol,
      split: head.split,
      kind: failureKind(result) ?? "failed",
      seed: head.run_seed,
      sample: head.sample,
      calls: result.metrics.calls,
    }, transcriptOf(events, { chars: LINE_CHARS }));
  }

  /** Add one finished episode (a success is skipped without reading its events). */
  addEpisode(ep: EpisodeLines): void {
    if (ep.meta.success) return;
    this.add(ep.events());
  }

  /** Add one failure row and its transcript (null: none). */
  addRow(f: FailureFields, lines: readonly TranscriptLine[] | null): void {
    const row = FAILURE_COLUMNS.map((c) => this.#name(c, f[c]));
    row.push(f.seed, f.sample, f.calls, lines ? this.#transcript(lines) : -1);
    if (row[row.length - 1] < 0) this.#omitted++;
    this.#rows.push(row);
  }

  /** What was gathered so far. */
  data(): FailureData {
    return {
      names: this.#names,
      rows: this.#rows,
      transcripts: this.#transcripts,
      texts: this.#texts,
      omitted: this.#omitted,
    };
  }

  #name(column: FailureColumn, value: string): number {
    const k = `${column}\u0000${value}`;
    let i = this.#index.get(k);
    if (i === undefined) {
      i = this.#names[column].push(value) - 1;
      this.#index.set(k, i);
    }
    return i;
  }

  #transcript(lines: readonly TranscriptLine[]): number {
    const fresh = lines.filter((l) => !this.#textIndex.has(l.text))
      .reduce((n, l) => n + l.text.length, 0);
    if (this.#chars + fresh > this.#budget) return -1;
    const codes = lines.map((l) => {
      let t = this.#textIndex.get(l.text);
      if (t === undefined) {
        t = this.#texts.push(l.text) - 1;
        this.#textIndex.set(l.text, t);
        this.#chars += l.text.length;
      }
      return t * 12 + LINE_KINDS.indexOf(l.kind) * 2 + (l.phase === "trial" ? 1 : 0);
    });
    const k = codes.join(",");
    let i = this.#byTranscript.get(k);
    if (i === undefined) {
      i = this.#transcripts.push(codes) - 1;
      this.#byTranscript.set(k, i);
    }
    return i;
  }
}

/** A transcript's check line (`✓ name` or `✗ name: why`, as `transcriptOf` writes it) read back. */
function checkOfLine(l: TranscriptLine): { name: string; passed: boolean } {
  const m = /^([✓✗]) ([^:]+)/.exec(l.text);
  return m
    ? { name: m[2], passed: m[1] === "✓" }
    : { name: l.text.split(":")[0], passed: !l.text.includes("✗") };
}

/**
 * Every failed episode of a report, from the report alone: each row is there, but only the
 * transcripts the report kept (per task × agent × protocol, the first failure). With the run's log,
 * `FailureCollector.add` has them all.
 */
export function failuresFromReport(report: Report): FailureData {
  const kept = new Map(report.transcripts.map((t) => [t.id, t.lines]));
  const c = new FailureCollector();
  for (const e of report.episodes) {
    if (e.success) continue;
    const lines = kept.get(e.id) ?? null;
    const checks = (lines ?? []).filter((l) => l.kind === "check").map(checkOfLine);
    // Without a transcript a failure with no error is known only to have failed a check.
    const kind = failureKind({ success: false, error: e.error, checks })!;
    c.addRow({ ...e, kind: kind === "failed" && !lines ? "check failed" : kind }, lines);
  }
  return c.data();
}
