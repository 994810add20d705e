/**
 * Byte-level BPE tokenizers in the Hugging Face `tokenizer.json` format: 256 byte tokens, merges
 * learned from a corpus, and added tokens for the chat markup. What the tiny models use.
 */

/** GPT-2's split of text into pre-tokens (words with their leading space, numbers, punctuation runs). */
export const PRE_TOKEN =
  /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** The byte → printable character table byte-level BPE vocabularies are written in. */
export function byteChars(): string[] {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const out: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    out[b] = String.fromCharCode(keep.includes(b) ? b : 256 + extra++);
  }
  return out;
}

/** Markup tokens of the Hermes/Qwen chat format; the first three are special. */
export const CHAT_TOKENS = [
  "<|endoftext|>",
  "<|im_start|>",
  "<|im_end|>",
  "<tool_call>",
  "</tool_call>",
  "<tool_response>",
  "</tool_response>",
] as const;

/**
 * Learn `count` BPE merges from texts (most frequent adjacent pair first; ties broken by the pair's
 * text, so the result is deterministic).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { learnMerges } from "./byte_bpe.ts";
 * const merges = learnMerges(["the cat the hat the"], 3);
 * assert.ok(merges.length === 3);
 * ```
 */
export function learnMerges(texts: Iterable<string>, count: number): [string, string][] {
  const chars = byteChars();
  const enc = new TextEncoder();
  const freq = new Map<string, number>();
  for (const text of texts) {
    for (const m of text.matchAll(PRE_TOKEN)) freq.set(m[0], (freq.get(m[0]) ?? 0) + 1);
  }
  const words = [...freq].map(([w, n]) => ({ syms: [...enc.encode(w)].map((b) => chars[b]), n }));
  const merges: [string, string][] = [];
  while (merges.length < count) {
    const pairs = new Map<string, number>();
    for (const { syms, n } of words) {
      for (let i = 0; i + 1 < syms.length; i++) {
        const key = syms[i] + "\u0000" + syms[i + 1];
        pairs.set(key, (pairs.get(key) ?? 0) + n);
      }
    }
    let best: string | undefined, bestN = 1;
    for (const [k, n] of pairs) {
      if (n > bestN || (n === bestN && best !== undefined && k < best)) best = k, bestN = n;
    }
    if (best === undefined) break;
    const [a, b] = best.split("\u0000");
    merges.push([a, b]);
    for (const w of words) {
      const s = w.syms, out: string[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) out.push(a + b), i++;
        else out.push(s[i]);
      }
      w.syms = out;
    }
  }
  return merges;
}

/**
 * A `tokenizer.json` object: byte-level BPE over the given merges, with the chat tokens added after
 * the vocabulary. Ids: bytes 0–255 (in byte-char order), then one per merge, then the added tokens.
 */
export function byteLevelTokenizer(merges: [string, string][]): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  byteChars().forEach((c, i) => vocab[c] = i);
  for (const [a, b] of merges) vocab[a + b] ??= Object.keys(vocab).length;
  let next = Object.keys(vocab).length;
  const added = CHAT_TOKENS.map((content, i) => ({
    id: next++,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: i < 3,
  }));
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: {
      type: "ByteLevel",
      add_prefix_space: false,
      trim_offsets: false,
      use_regex: true,
    },
    post_processor: {
      type: "ByteLevel",
      add_prefix_space: false,
      trim_offsets: false,
      use_regex: true,
    },
    decoder: { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: merges.map(([a, b]) => [a, b]),
    },
  };
}
