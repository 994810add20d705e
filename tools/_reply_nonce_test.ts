import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { replyNonceOf } from "./_reply_nonce.ts";
import { replyNonce } from "./sandbox_child.ts";

/** A seeded generator (xorshift32): the same keys on every run. */
function words(seed: number, n: number): Uint32Array {
  const out = new Uint32Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x >>> 0;
  }
  return out;
}

Deno.test("reply nonces: the arithmetic both ends share is SHA-256(key ‖ k), first 16 bytes, for any key and counter", () => {
  const counters = [
    0,
    1,
    2,
    255,
    256,
    65_535,
    1_000_003,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 32 + 5,
    2 ** 40 + 7,
  ];
  for (let seed = 1; seed <= 40; seed++) {
    const key = new Uint8Array(words(seed, 8).buffer);
    const view = new DataView(key.buffer);
    const asWords = Uint32Array.from({ length: 8 }, (_, i) => view.getUint32(i * 4));
    for (const k of counters) {
      const msg = new Uint8Array(40);
      msg.set(key);
      new DataView(msg.buffer).setBigUint64(32, BigInt(k));
      const want = createHash("sha256").update(msg).digest("hex").slice(0, 32);
      assert.equal(replyNonceOf(asWords, k), want, `seed ${seed}, k ${k}`);
      assert.equal(replyNonce(key, k), want, `seed ${seed}, k ${k} (the parent's bytes)`);
    }
  }
});
