import type { EpisodeEvent, VariantEvent } from "../runners/events.ts";
import { checkKindOf, failedCheckKinds } from "../tasks/mod.ts";
import type { EpisodeLines } from "../runners/episode_lines.ts";
import type { EpisodeSummary, Transcript, TranscriptLine, VariantSummary } from "./types.ts";

/**
 * How a check outcome reads in a transcript: ✓ held, ✗ failed, – skipped (not scored).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkMark } from "./collect.ts";
 * assert.equal(checkMark({ passed: true, skipped: true }), "–");
 * ```
 */
export function checkMark(c: { passed: boolean; skipped?: boolean }): string {
  return c.skipped ? "–" : c.passed ? "✓" : "✗";
}

/** The longest text kept for one transcript line. */
const LINE_CHARS = 600;

/** One episode's transcript lines, from its events; each line's text cut at `chars` (default 600). */
export function transcriptOf(
  events: readonly EpisodeEvent[],
  opts: { chars?: number } = {},
): TranscriptLine[] {
  const max = opts.chars ?? LINE_CHARS;
  const clip = (s: string) => (s.length > max ? `${s.slice(0, max)} …` : s);
  const lines: TranscriptLine[] = [];
  for (const e of events) {
    if (e.type === "message") {
      const m = e.message;
      if (m.role === "user") lines.push({ phase: e.phase, kind: "user", text: clip(m.content) });
      if (m.role === "assistant" && m.content) {
        lines.push({ phase: e.phase, kind: "assistant", text: clip(m.content) });
      }
    } else if (e.type === "tool") {
      const args = typeof e.call.arguments === "string"
        ? e.call.arguments
        : JSON.stringify(e.call.arguments);
      lines.push({ phase: e.phase, kind: "call", text: clip(`${e.call.name}(${args})`) });
      const o = e.observation;
      lines.push(
        o.ok
          ? {
            phase: e.phase,
            kind: "result",
            text: clip(typeof o.result === "string" ? o.result : JSON.stringify(o.result)),
          }
          : { phase: e.phase, kind: "error", text: clip(`${o.error.kind}: ${o.error.message}`) },
      );
    } else if (e.type === "result") {
      for (const c of e.checks) {
        lines.push({
          phase: "execute",
          kind: "check",
          text: clip(
            `${checkMark(c)} ${c.name}${c.advisory ? " (advisory)" : ""}${
              c.detail ? `: ${c.detail}` : ""
            }`,
          ),
        });
      }
    }
  }
  return lines;
}

/** The stages a first-action calls check recorded, as an episode summary field. */
function firstActionOf(
  checks: Extract<EpisodeEvent, { type: "result" }>["checks"],
): Pick<EpisodeSummary, "first_action"> {
  const stages = checks.find((c) => c.name === "calls" && c.stages)?.stages;
  return stages
    ? {
      first_action: {
        tool_selection: stages.tool_selection,
        parameter_identification: stages.parameter_identification,
        content_filling: stages.content_filling,
      },
    }
    : {};
}

/** Which check kinds failed the episode, and which were not scored, as summary fields. */
function checkKindsOf(
  checks: Extract<EpisodeEvent, { type: "result" }>["checks"],
): Pick<EpisodeSummary, "failed_checks" | "not_scored" | "judge_errors"> {
  const failed = failedCheckKinds(checks);
  const skipped = [...new Set(checks.filter((c) => c.skipped).map((c) => checkKindOf(c.name)))];
  const errors = checks.filter((c) => c.judge?.error !== undefined).length;
  return {
    ...(failed.length ? { failed_checks: failed } : {}),
    ...(skipped.length ? { not_scored: skipped } : {}),
    ...(errors ? { judge_errors: errors } : {}),
  };
}

/**
 * Folds an episode log (records or JSONL events, in plan order) into what a report needs, keeping
 * memory flat: a small summary per episode, the variant records, and a bounded set of transcripts
 * (per task × agent × protocol: the first failure, else the first episode).
 */
export class Collector {
  /** One summary per episode, in the order added. */
  readonly episodes: EpisodeSummary[] = [];
  /** Each variant record, once per (env, variant, seed). */
  readonly variants: VariantSummary[] = [];
  readonly #transcripts = new Map<string, { failed: boolean; t: Transcript }>();
  readonly #seenVariants = new Set<string>();
  #open: { head: Extract<EpisodeEvent, { type: "episode" }>; events: EpisodeEvent[] } | undefined;

  /** Add one log record (an episode event or a variant record). */
  add(ev: EpisodeEvent | VariantEvent): void {
    if (ev.type === "variant") {
      // Each shard of a run announces the interfaces it uses: keep the first of each.
      const key = `${ev.env}\u0000${ev.variant}\u0000${ev.seed}`;
      if (this.#seenVariants.has(key)) return;
      this.#seenVariants.add(key);
      const { v: _v, type: _t, ...rest } = ev;
      this.variants.push(rest);
      return;
    }
    if (ev.type === "episode") {
      this.#open = { head: ev, events: [ev] };
      return;
    }
    if (!this.#open || this.#open.head.episode !== ev.episode) {
      throw new Error(`episode log out of order: ${ev.type} event of ${ev.episode} outside it`);
    }
    this.#open.events.push(ev);
    if (ev.type === "result") {
      const { head, events } = this.#open;
      this.#open = undefined;
      this.#close(head, ev, () => events);
    }
  }

  /**
   * Add one finished episode whole: its summary comes from its first and last events; the others
   * are read (a worker's lines parsed) only when its transcript is kept.
   */
  addEpisode(ep: EpisodeLines): void {
    const head = ep.head(), last = ep.last();
    if (head?.type !== "episode" || last?.type !== "result") {
      throw new Error(
        `episode ${ep.meta.id} is not a whole episode (its episode and result events)`,
      );
    }
    this.#close(head, last, () => ep.events());
  }

  #close(
    head: Extract<EpisodeEvent, { type: "episode" }>,
    r: Extract<EpisodeEvent, { type: "result" }>,
    events: () => readonly EpisodeEvent[],
  ) {
    const tokens = (r.metrics as { tokens?: number }).tokens;
    const cost = (r.metrics as { cost_usd?: number }).cost_usd;
    const userTurns = (r.metrics as { user_turns?: number }).user_turns;
    this.episodes.push({
      id: head.episode,
      env: head.env,
      task: head.task,
      variant: head.variant,
      split: head.split,
      agent: head.agent,
      protocol: head.protocol,
      seed: head.run_seed,
      episode_seed: head.seed,
      sample: head.sample,
      success: r.success,
      calls: r.metrics.calls,
      trial_calls: r.metrics.trial_calls,
      invalid_calls: r.metrics.invalid_calls,
      failed_calls: r.metrics.failed_calls,
      backend_failures: r.metrics.backend_failures ?? 0,
      self_corrections: r.metrics.self_corrections,
      ...(typeof userTurns === "number" ? { user_turns: userTurns } : {}),
      ast_match: r.metrics.ast_match,
      tokens: typeof tokens === "number" ? tokens : null,
      ...(typeof cost === "number" ? { cost_usd: cost } : {}),
      ...firstActionOf(r.checks),
      ...checkKindsOf(r.checks),
      ms: r.ms,
      error: r.error,
    });
    const key = [head.env, head.task, head.agent, head.protocol].join("\u0000");
    const kept = this.#transcripts.get(key);
    if (!kept || (!kept.failed && !r.success)) {
      this.#transcripts.set(key, {
        failed: !r.success,
        t: { id: head.episode, lines: transcriptOf(events()) },
      });
    }
  }

  /** The kept transcripts, in the order their episodes came. */
  transcripts(): Transcript[] {
    const order = new Map(this.episodes.map((e, i) => [e.id, i]));
    return [...this.#transcripts.values()].map((x) => x.t).sort((a, b) =>
      order.get(a.id)! - order.get(b.id)!
    );
  }
}
