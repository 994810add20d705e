/** Progress display handle. */
export interface ProgressBar {
  /** `done` counts every finished episode, those a resumed run found done included. */
  tick(done: number): void;
  /** Finish the display (final line, newline). */
  done(): void;
}

/** How a progress display looks and where it goes. */
export interface ProgressOptions {
  /** Text shown before the bar. */
  label?: string;
  /** false: say nothing (--quiet). Default: on. */
  enabled?: boolean;
  /**
   * A redrawn bar (a terminal) or a plain line every `every` seconds (CI logs, batch jobs, pipes).
   * Default: a bar when stderr is a terminal.
   */
  mode?: "bar" | "lines";
  /** Seconds between plain lines (default 10). */
  every?: number;
  /** Episodes already done when the run started (a resumed run): not counted in the rate. */
  start?: number;
  /** More to show after the counts, read at each redraw (e.g. requests in flight, tokens). */
  status?: () => string;
  /** Where the text goes (default stderr). */
  write?: (text: string) => void;
}

/** Seconds as `45s`, `3m05s` or `1h02m`. */
export function duration(s: number): string {
  const t = Math.max(0, Math.round(s));
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, "0")}s`;
  return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, "0")}m`;
}

/**
 * Progress on stderr: a one-line bar redrawn in a terminal, or — where stderr is a log file or a
 * pipe — a plain line every few seconds, so a CI log or a batch job shows a run is alive. The rate
 * and ETA count only this process's episodes (a resumed run's earlier ones took no time here).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { progressBar } from "./progress.ts";
 * const out: string[] = [];
 * const bar = progressBar(10, { mode: "lines", every: 0, start: 4, write: (t) => out.push(t) });
 * bar.tick(7);
 * bar.done();
 * assert.ok(out[0].startsWith("7/10 episodes (70%)") && out.at(-1)!.startsWith("10/10"));
 * ```
 */
export function progressBar(total: number, opts: ProgressOptions = {}): ProgressBar {
  const enabled = opts.enabled ?? true;
  const mode = opts.mode ?? (Deno.stderr.isTerminal() ? "bar" : "lines");
  const enc = new TextEncoder();
  const write = opts.write ?? ((t: string) => void Deno.stderr.writeSync(enc.encode(t)));
  const start = opts.start ?? 0;
  const t0 = performance.now();
  let last = mode === "lines" ? t0 : 0;
  const every = (opts.every ?? 10) * 1000;
  const figures = (done: number, now: number) => {
    const rate = (done - start) / Math.max(1e-3, (now - t0) / 1000);
    const eta = rate > 0 ? (total - done) / rate : 0;
    return { rate, eta };
  };
  const draw = (done: number, force = false) => {
    if (!enabled) return;
    const now = performance.now();
    const { rate, eta } = figures(done, now);
    const status = opts.status ? `  ${opts.status()}` : "";
    if (mode === "lines") {
      if (!force && now - last < every) return;
      last = now;
      const pct = total ? Math.floor((done / total) * 100) : 100;
      write(
        `${opts.label ? `${opts.label.trim()}: ` : ""}${done}/${total} episodes (${pct}%)  ${
          rate.toFixed(1)
        }/s  ${
          done >= total ? `took ${duration((now - t0) / 1000)}` : `eta ${duration(eta)}`
        }${status}\n`,
      );
      return;
    }
    if (!force && now - last < 80 && done < total) return;
    last = now;
    const width = 28;
    const filled = total ? Math.round((done / total) * width) : width;
    write(
      `\r${opts.label ?? ""}[${"█".repeat(filled)}${
        "░".repeat(width - filled)
      }] ${done}/${total}  ${rate.toFixed(0)}/s  eta ${duration(eta)}${status} \x1b[K`,
    );
  };
  return {
    tick: (done: number) => draw(done),
    done: () => {
      if (!enabled) return;
      draw(total, true);
      if (mode === "bar") write("\n");
    },
  };
}
