/**
 * Deadlines for things in flight, watched by one ticker rather than a timer each: at thousands of
 * requests a second a `setTimeout` per request costs a noticeable share of the CPU. A watch leaves
 * the set as soon as it is done, so what it holds dies young; the ticker stops when none is left.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deadlines } from "./deadlines.ts";
 * const d = new Deadlines(10);
 * let late = false;
 * d.watch(20, () => late = true);
 * await new Promise((r) => setTimeout(r, 60));
 * assert.ok(late);
 * ```
 */
export class Deadlines {
  #watched = new Set<{ at: number; late: () => void }>();
  #ticker: ReturnType<typeof setInterval> | undefined;

  /**
   * `everyMs`: how often the ticker looks (a deadline is noticed up to that much late); `unref`:
   * the ticker does not keep the process alive.
   */
  constructor(readonly everyMs: number, readonly opts: { unref?: boolean } = {}) {}

  /** Call `late` once `ms` have passed, unless the returned `done` is called first. */
  watch(ms: number, late: () => void): () => void {
    const w = { at: performance.now() + ms, late };
    this.#watched.add(w);
    if (this.#ticker === undefined) {
      this.#ticker = setInterval(() => this.#tick(), this.everyMs);
      if (this.opts.unref) Deno.unrefTimer(this.#ticker);
    }
    return () => void this.#watched.delete(w);
  }

  #tick() {
    const now = performance.now();
    for (const w of this.#watched) {
      if (now >= w.at) this.#watched.delete(w), w.late();
    }
    if (this.#watched.size === 0) clearInterval(this.#ticker), this.#ticker = undefined;
  }
}
