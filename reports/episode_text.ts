/**
 * One logged episode as terminal text, for `tooltrial show`: a header line, then each turn (the
 * assistant's calls with their arguments, what the tools answered, cut to the width), then the
 * checks. Colour only when asked (a terminal): errors and failed checks in red.
 * @module
 */
import type { EpisodeEvent } from "../runners/events.ts";
import { checkMark } from "./collect.ts";
import { failureKind } from "./failure_kind.ts";

type Start = Extract<EpisodeEvent, { type: "episode" }>;
type Result = Extract<EpisodeEvent, { type: "result" }>;

/** How to print: ANSI colour or plain, and the width lines are cut to. */
export interface TextStyle {
  /** ANSI colours (a terminal that did not set NO_COLOR). */
  color: boolean;
  /** Characters per line; tool results are cut to one line, other lines to three. */
  width: number;
}

const SGR = { red: 31, green: 32, yellow: 33, magenta: 35, dim: 2, bold: 1 } as const;

function paint(style: TextStyle) {
  return (code: keyof typeof SGR, s: string) => style.color ? `\x1b[${SGR[code]}m${s}\x1b[0m` : s;
}

/**
 * One line of text: whitespace runs with line breaks shown as ↵, control characters (a model's
 * output can hold terminal escapes) written as \xNN, cut at `max` characters.
 */
function oneLine(s: string, max: number): string {
  const flat = s.replace(/\s*\n\s*/g, " ↵ ").replace(/\t/g, " ").replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x1f\x7f-\x9f]/g,
    (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
  return flat.length > max
    ? `${flat.slice(0, Math.max(1, max - 1))}… (${flat.length} chars)`
    : flat;
}

const json = (v: unknown) => typeof v === "string" ? v : JSON.stringify(v);

/**
 * The header line of an episode: outcome, env/task, agent, variant, protocol, seed, split, failure
 * kind, calls, tokens and cost where the agent reports them.
 */
function episodeHeader(
  head: Start,
  result: Result,
  style: TextStyle,
): string {
  const c = paint(style);
  const m = result.metrics;
  const kind = failureKind(result);
  const parts = [
    c("bold", `${head.env}/${head.task}`),
    head.agent,
    head.variant,
    head.protocol,
    `seed ${head.run_seed}${head.sample > 0 ? ` #${head.sample}` : ""}`,
    head.split,
    ...(kind ? [c("red", kind)] : []),
    `${m.calls} call${m.calls === 1 ? "" : "s"}${
      m.invalid_calls > 0 ? ` (${m.invalid_calls} invalid)` : ""
    }${m.trial_calls > 0 ? ` + ${m.trial_calls} trial` : ""}`,
    ...(m.tokens !== undefined ? [`${m.tokens} tokens`] : []),
    ...(m.cost_usd !== undefined ? [`$${m.cost_usd.toFixed(4)}`] : []),
  ];
  const mark = result.success ? c("green", "✓") : c("red", "✗");
  return `${mark} ${parts.join(" · ")}`;
}

/**
 * An episode's whole transcript as text lines: header, id, each message and tool call in order
 * (the trial phase marked off), the answer, and every check with why it failed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { episodeText } from "./episode_text.ts";
 * import type { EpisodeEvent } from "../runners/events.ts";
 * const id = "e/clean/t1/a/direct/0.0";
 * const events = [
 *   { v: 1, type: "episode", episode: id, index: 0, env: "e", task: "t1", variant: "clean",
 *     split: "seen", agent: "a", protocol: "direct", run_seed: 0, seed: 7, sample: 0 },
 *   { v: 1, type: "result", episode: id, success: false, answer: "no", error: null, ms: 1,
 *     checks: [{ name: "contains", passed: false, detail: "does not contain 42" }],
 *     metrics: { calls: 0, trial_calls: 0, invalid_calls: 0, trial_invalid_calls: 0,
 *       failed_calls: 0, backend_failures: 0, self_corrections: 0, turns: 1, ast_match: false } },
 * ] as EpisodeEvent[];
 * const text = episodeText(events, { color: false, width: 100 });
 * assert.ok(text.startsWith("✗ e/t1 · a · clean · direct · seed 0 · seen · contains check"));
 * assert.ok(text.includes("✗ contains: does not contain 42"));
 * ```
 */
export function episodeText(events: readonly EpisodeEvent[], style: TextStyle): string {
  const head = events[0] as Start, result = events[events.length - 1] as Result;
  const c = paint(style);
  const width = Math.max(20, style.width - 11);
  const out = [episodeHeader(head, result, style), c("dim", `  ${head.episode}`)];
  const line = (label: string, body: string, colour?: keyof typeof SGR) => {
    const l = `  ${label.padEnd(8)} ${body}`;
    out.push(colour ? c(colour, l) : l);
  };
  // The answer is the last plain assistant message, when the episode has one.
  const answerAt = result.answer === null
    ? -1
    : events.findLastIndex((e) =>
      e.type === "message" && e.message.role === "assistant" && !!e.message.content &&
      !e.message.tool_calls?.length
    );
  let phase: string | undefined;
  for (const [i, e] of events.entries()) {
    if (e.type !== "message" && e.type !== "tool" && e.type !== "user_tool") continue;
    if (e.phase !== phase && (phase !== undefined || e.phase === "trial")) {
      out.push(c(
        "dim",
        e.phase === "trial"
          ? "  ── trial phase · sandbox copy, nothing counts ──"
          : "  ── execution phase · real environment ──",
      ));
    }
    phase = e.phase;
    if (e.type === "tool") toolLines(e, { line, c, width });
    else if (e.type === "user_tool") {
      // The user's own tools (user_tools:): what it did on its side before it answered.
      const o = e.observation;
      line(
        "user ⚙",
        oneLine(
          `${e.call.name} ${json(e.call.arguments)} → ${
            o.ok ? json(o.result) : `${o.error.kind}: ${o.error.message}`
          }`,
          3 * width,
        ),
        o.ok ? undefined : "red",
      );
    } else if (e.message.role === "user") line("user", oneLine(e.message.content, 3 * width));
    else if (e.message.role === "assistant" && e.message.content) {
      const label = i === answerAt
        ? "answer"
        : e.phase === "trial" && !e.message.tool_calls?.length
        ? "notes"
        : "says";
      line(label, oneLine(e.message.content, 3 * width), i === answerAt ? "magenta" : undefined);
    }
  }
  if (result.answer === null) line("answer", c("dim", "(none)"));
  if (result.error) line("ended", oneLine(result.error, 3 * width), "red");
  for (const [i, ch] of result.checks.entries()) {
    const why = ch.detail ? `: ${oneLine(ch.detail, 3 * width)}` : "";
    line(
      i === 0 ? "checks" : "",
      `${checkMark(ch)} ${ch.name}${ch.advisory ? " (advisory)" : ""}${why}`,
      ch.skipped ? "dim" : ch.passed ? "green" : ch.advisory ? "yellow" : "red",
    );
  }
  return out.join("\n");
}

/** A tool call's lines: the call as made, the canonical call when a variant mapped it, the answer. */
function toolLines(
  e: Extract<EpisodeEvent, { type: "tool" }>,
  p: {
    line: (label: string, body: string, colour?: keyof typeof SGR) => void;
    c: ReturnType<typeof paint>;
    width: number;
  },
): void {
  const args = json(e.call.arguments);
  const invalid = e.invalid ? p.c("red", " (invalid)") : "";
  p.line("call", oneLine(`${e.call.name} ${args}`, 3 * p.width) + invalid);
  const canon = e.canonical;
  if (canon === null) p.line("", p.c("dim", "= reached no tool"));
  else if (canon && (canon.tool !== e.call.name || JSON.stringify(canon.args) !== args)) {
    p.line("", p.c("dim", `= ${oneLine(`${canon.tool} ${json(canon.args)}`, 3 * p.width)}`));
  }
  const o = e.observation;
  if (o.ok) p.line("result", oneLine(json(o.result), p.width));
  else p.line("error", oneLine(`${o.error.kind}: ${o.error.message}`, 3 * p.width), "red");
}

/**
 * An episode as one JSON object, for `tooltrial show --json`: its identity (the `episode` event's
 * fields), outcome (the `result` event's, with the failure kind), and its other events in order.
 */
export function episodeJson(events: readonly EpisodeEvent[]): Record<string, unknown> {
  const { v: _v, type: _t, ...head } = events[0] as Start;
  const { v: _v2, type: _t2, episode: _e, digest: _d, ...result } =
    events[events.length - 1] as Result;
  return {
    ...head,
    ...result,
    failure: failureKind(result as Result),
    events: events.slice(1, -1),
  };
}
