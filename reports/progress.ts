/** Progress display handle. */
export interface ProgressBar {
  tick(done: number): void;
  done(): void;
}

/** A one-line progress bar on stderr; silent when stderr is not a terminal (CI logs, pipes). */
export function progressBar(
  total: number,
  opts: {
    label?: string;
    enabled?: boolean;
    /** More to show after the counts, read at each redraw (e.g. requests in flight, tokens). */
    status?: () => string;
  } = {},
): ProgressBar {
  const enabled = opts.enabled ?? Deno.stderr.isTerminal();
  const enc = new TextEncoder();
  const t0 = performance.now();
  let last = 0;
  const draw = (done: number, force = false) => {
    if (!enabled) return;
    const now = performance.now();
    if (!force && now - last < 80 && done < total) return;
    last = now;
    const width = 28;
    const filled = total ? Math.round((done / total) * width) : width;
    const rate = done / Math.max(1e-3, (now - t0) / 1000);
    const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0;
    const line = `\r${opts.label ?? ""}[${"█".repeat(filled)}${
      "░".repeat(width - filled)
    }] ${done}/${total}  ${rate.toFixed(0)}/s  eta ${eta}s${
      opts.status ? `  ${opts.status()}` : ""
    } \x1b[K`;
    Deno.stderr.writeSync(enc.encode(line));
  };
  return {
    tick: (done: number) => draw(done),
    done: () => {
      if (!enabled) return;
      draw(total, true);
      Deno.stderr.writeSync(enc.encode("\n"));
    },
  };
}
