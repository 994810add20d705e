/**
 * The nonce a sandbox child's reply to its `k`-th request (from 0) starts with: the first 16 bytes
 * of SHA-256(key ‖ k as 8 bytes big-endian), in hex. One implementation for both ends — the parent
 * (`sandbox_child.ts`) and the child (`sandbox_host.ts`, which imports only this file) — in plain
 * arithmetic on typed arrays and local variables: nothing a handler could patch (the child has
 * locked its intrinsics down before any handler code runs), and no crypto call per request.
 * @module
 */

// deno-fmt-ignore
const K256 = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const W = new Uint32Array(64);
const DIGITS = "0123456789abcdef";

function hex32(x: number): string {
  let s = "";
  for (let shift = 28; shift >= 0; shift -= 4) s += DIGITS[(x >>> shift) & 15];
  return s;
}

/**
 * The `k`-th reply nonce under `key` (the 32-byte key as eight big-endian 32-bit words).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { replyNonceOf } from "./_reply_nonce.ts";
 * assert.ok(replyNonceOf(new Uint32Array(8), 0) === "2c34ce1df23b838c5abf2a7f6437cca3");
 * ```
 */
export function replyNonceOf(key: Uint32Array, k: number): string {
  for (let i = 0; i < 8; i++) W[i] = key[i];
  const low = k >>> 0;
  W[8] = (k - low) / 4294967296;
  W[9] = low;
  W[10] = 0x80000000;
  for (let i = 11; i < 15; i++) W[i] = 0;
  W[15] = 320; // message length in bits
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15], y = W[i - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = W[i - 16] + s0 + W[i - 7] + s1;
  }
  let a = 0x6a09e667, b = 0xbb67ae85, c = 0x3c6ef372, d = 0xa54ff53a;
  let e = 0x510e527f, f = 0x9b05688c, g = 0x1f83d9ab, h = 0x5be0cd19;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K256[i] + W[i]) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  return hex32(0x6a09e667 + a) + hex32(0xbb67ae85 + b) + hex32(0x3c6ef372 + c) +
    hex32(0xa54ff53a + d);
}
