/**
 * Items handed over in one turn of the event loop, sent on together as one batch: one message for
 * many, so neither side of a worker's port pays a message's fixed cost per item.
 * @module
 */

/**
 * A batch ends with a timer, not a microtask, so items pushed from the many microtasks of one turn
 * (a message of finished episodes frees as many places, each taken in a microtask of its own) go
 * together; with `max`, a batch that reaches it goes at once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TurnBatch } from "./_turn_batch.ts";
 * const sent: number[][] = [];
 * const b = new TurnBatch<number>((items) => sent.push(items), 2);
 * b.push(1);
 * b.push(2); // reaches max: sent at once
 * b.push(3);
 * assert.deepEqual(sent, [[1, 2]]);
 * await new Promise((r) => setTimeout(r, 0));
 * assert.deepEqual(sent, [[1, 2], [3]]);
 * ```
 */
export class TurnBatch<T> {
  #items: T[] = [];

  constructor(readonly send: (items: T[]) => void, readonly max = Infinity) {}

  /** Add an item: it goes when this turn ends, or now if the batch is full. */
  push(item: T): void {
    const n = this.#items.push(item);
    if (n >= this.max) this.flush();
    else if (n === 1) setTimeout(() => this.flush(), 0);
  }

  /** Send what waits, if anything. */
  flush(): void {
    if (this.#items.length === 0) return;
    const items = this.#items;
    this.#items = [];
    this.send(items);
  }
}
