/**
 * Grammar-constrained decoding: runs the tool-call automaton (grammar.ts) over a tokenizer's
 * vocabulary to mask the logits of tokens that cannot continue a valid reply. Each token's bytes
 * are precomputed once and kept in a trie; the tokens an automaton state allows are found by one
 * walk of the trie and cached by state, so a step in a known state costs one pass over the tokens
 * it forbids.
 */
import type { ToolDef } from "../../tools/types.ts";
import { byteChars } from "./byte_bpe.ts";
import { bytesOf, CLOSE_TAG, type GrammarState, OPEN_TAG, ToolCallAutomaton } from "./grammar.ts";

/** The parts of a Hugging Face `tokenizer.json` the vocabulary is read from. */
export interface TokenizerJson {
  model: { vocab: Record<string, number> | [string, number][] };
  added_tokens?: { id: number; content: string }[];
  decoder?: { type?: string; decoders?: { type?: string }[] } | null;
}

interface TrieNode {
  kids: Map<string, TrieNode>;
  ids: number[];
}

/** A vocabulary as bytes: what each token id writes, and a trie over the ordinary tokens. */
export interface TokenVocab {
  /** Logit rows (the model's vocabulary size; ids without text are never allowed in a call). */
  size: number;
  /** Each token's bytes as a latin1 string, or null. */
  text: (string | null)[];
  /** Added tokens (chat markup) and end-of-turn ids: taken whole, never inside a call but `</tool_call>`. */
  atomic: Set<number>;
  trie: TrieNode;
  /** Whether `</tool_call>` is one token (then closing a call costs one token, not 12 bytes). */
  closeTagToken: boolean;
}

/**
 * Read a tokenizer's vocabulary as bytes. Byte-level BPE vocabularies (GPT-2, Qwen, the tiny
 * models) map back through the byte-char table; others through `▁` = space and `<0xNN>` bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenVocab } from "./token_mask.ts";
 * const json = JSON.parse(await Deno.readTextFile("models/tiny-random/tokenizer.json"));
 * const v = tokenVocab(json, { size: 1287, eos: [1282] });
 * assert.ok(v.closeTagToken && v.atomic.has(1282));
 * ```
 */
export function tokenVocab(
  json: TokenizerJson,
  opts: { size: number; eos: Iterable<number> },
): TokenVocab {
  const decoders = [json.decoder?.type, ...(json.decoder?.decoders ?? []).map((d) => d.type)];
  const byteLevel = decoders.includes("ByteLevel");
  const fromChar = new Map(byteChars().map((c, b) => [c, String.fromCharCode(b)]));
  const text: (string | null)[] = new Array(opts.size).fill(null);
  const entries = Array.isArray(json.model.vocab)
    ? json.model.vocab.map(([t], i) => [t, i] as const)
    : Object.entries(json.model.vocab);
  for (const [tok, id] of entries) {
    if (id >= opts.size) continue;
    if (byteLevel) {
      let s = "";
      for (const ch of tok) s += fromChar.get(ch) ?? bytesOf(ch);
      text[id] = s;
    } else {
      const hex = /^<0x([0-9A-Fa-f]{2})>$/.exec(tok);
      text[id] = hex
        ? String.fromCharCode(parseInt(hex[1], 16))
        : bytesOf(tok.replaceAll("▁", " "));
    }
  }
  const atomic = new Set<number>();
  let closeTagToken = false;
  for (const t of json.added_tokens ?? []) {
    if (t.id >= opts.size) continue;
    atomic.add(t.id);
    text[t.id] = bytesOf(t.content);
    closeTagToken ||= t.content === CLOSE_TAG;
  }
  for (const id of opts.eos) atomic.add(id);
  const trie: TrieNode = { kids: new Map(), ids: [] };
  text.forEach((s, id) => {
    if (s === null || s === "" || atomic.has(id)) return;
    let node = trie;
    for (const c of s) {
      let kid = node.kids.get(c);
      if (!kid) node.kids.set(c, kid = { kids: new Map(), ids: [] });
      node = kid;
    }
    node.ids.push(id);
  });
  return { size: opts.size, text, atomic, trie, closeTagToken };
}

/** What one automaton state allows: ids it forbids, and the ones it allows by bytes left to close. */
interface Entry {
  invalid: Int32Array;
  /** Allowed ids, fewest closing bytes first. */
  valid: Int32Array;
  close: Int32Array;
}

/**
 * The logit mask for one list of tools. `constrain` makes the per-sequence callback the decoder
 * calls before each token (`GenerateRequest.mask`); it also keeps every call closable within the
 * turn's token budget, so `max_new_tokens` never cuts a call off.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenVocab, ToolCallMask } from "./token_mask.ts";
 * const json = JSON.parse(await Deno.readTextFile("models/tiny-random/tokenizer.json"));
 * const mask = new ToolCallMask(tokenVocab(json, { size: 1287, eos: [1282] }), [
 *   { name: "ping", description: "", parameters: { type: "object", properties: {} } },
 * ]);
 * const open = 1283; // <tool_call>
 * const logits = new Float32Array(1287);
 * mask.constrain(64)([open], logits);
 * assert.ok(logits[1282] === -Infinity); // no end of turn inside a call
 * ```
 */
export class ToolCallMask {
  readonly automaton: ToolCallAutomaton;
  readonly #cache = new Map<string, Entry>();
  readonly #maxEntries: number;
  /** States walked (cache misses), masked steps, and steps where nothing fit (left unmasked). */
  readonly stats = { states: 0, masked: 0, deadEnds: 0 };

  constructor(readonly vocab: TokenVocab, tools: readonly ToolDef[]) {
    this.automaton = new ToolCallAutomaton(tools, {
      tagCost: vocab.closeTagToken ? 1 : CLOSE_TAG.length,
    });
    this.#maxEntries = Math.max(64, Math.floor(2 ** 25 / (vocab.size * 8)));
  }

  /** The state after token `id`, or null when it does not fit. */
  advance(s: GrammarState, id: number): GrammarState | null {
    const a = this.automaton, t = this.vocab.text[id] ?? null;
    if (this.vocab.atomic.has(id)) {
      if (a.inCall(s)) return t === bytesOf(CLOSE_TAG) ? a.feedText(s, t) : null;
      return t === OPEN_TAG ? a.feedText(s, t) : a.start();
    }
    if (t === null || t === "") return a.inCall(s) ? null : s;
    return a.feedText(s, t);
  }

  /** Forbid (set to -Infinity) the tokens that cannot follow `s` with `budget` tokens left after this one. */
  apply(s: GrammarState, logits: Float32Array, budget: number): void {
    const e = this.#entry(s);
    let cut = e.valid.length;
    if (e.close.length > 0 && e.close[cut - 1] > budget) {
      let lo = 0, hi = cut;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (e.close[mid] <= budget) lo = mid + 1;
        else hi = mid;
      }
      cut = lo;
    }
    if (cut === 0) {
      this.stats.deadEnds++;
      return;
    }
    if (e.invalid.length === 0 && cut === e.valid.length) return;
    this.stats.masked++;
    for (let i = 0; i < e.invalid.length; i++) logits[e.invalid[i]] = -Infinity;
    for (let i = cut; i < e.valid.length; i++) logits[e.valid[i]] = -Infinity;
  }

  /**
   * A fresh sequence's mask callback: `maxNewTokens` is the turn's budget; `opened`: the prompt
   * already ends with `<tool_call>` (a template that prefills it), so the reply starts inside a call;
   * `prefix`: text the reply was made to start with (a forced call), fed before the first token.
   */
  constrain(
    maxNewTokens: number,
    opts: { opened?: boolean; prefix?: string } = {},
  ): (generated: readonly number[], logits: Float32Array) => void {
    const a = this.automaton;
    let s: GrammarState | null = opts.opened ? a.feedText(a.start(), OPEN_TAG) : a.start();
    if (s && opts.prefix) s = a.feedText(s, opts.prefix);
    let seen = 0;
    return (generated, logits) => {
      for (; seen < generated.length && s; seen++) s = this.advance(s, generated[seen]);
      // Null only after a dead end let an unmasked token through: the rest decodes freely.
      if (s) this.apply(s, logits, maxNewTokens - generated.length - 1);
    };
  }

  #entry(s: GrammarState): Entry {
    const key = this.automaton.key(s);
    let e = this.#cache.get(key);
    if (e) return e;
    e = this.#walk(s);
    this.stats.states++;
    if (this.#cache.size >= this.#maxEntries) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, e);
    return e;
  }

  /** Every token's fate from state `s`: one walk of the trie, pruned where the automaton stops. */
  #walk(s: GrammarState): Entry {
    const a = this.automaton, size = this.vocab.size;
    const close = new Int32Array(size).fill(-1);
    const visit = (node: TrieNode, st: GrammarState) => {
      for (const [c, kid] of node.kids) {
        const next = a.feed(st, c);
        if (!next) continue;
        if (kid.ids.length > 0) {
          const m = a.minClose(next);
          for (const id of kid.ids) close[id] = m;
        }
        if (kid.kids.size > 0) visit(kid, next);
      }
    };
    visit(this.vocab.trie, s);
    const inCall = a.inCall(s);
    for (let id = 0; id < size; id++) {
      const t = this.vocab.text[id];
      if (this.vocab.atomic.has(id)) {
        const next = this.advance(s, id);
        if (next) close[id] = a.minClose(next);
      } else if ((t === null || t === "") && !inCall) close[id] = 0;
    }
    const valid: number[] = [], invalid: number[] = [];
    for (let id = 0; id < size; id++) (close[id] < 0 ? invalid : valid).push(id);
    valid.sort((x, y) => close[x] - close[y] || x - y);
    return {
      invalid: Int32Array.from(invalid),
      valid: Int32Array.from(valid),
      close: Int32Array.from(valid, (id) => close[id]),
    };
  }
}

/**
 * Masks per tool list, built on first use (each episode variant shows its own tools), the most
 * recently used `keep` kept.
 */
export function toolCallMasks(
  vocab: TokenVocab,
  keep = 32,
): (tools: readonly ToolDef[]) => ToolCallMask {
  const masks = new Map<string, ToolCallMask>();
  return (tools) => {
    const key = JSON.stringify(tools.map((t) => [t.name, t.parameters]));
    let m = masks.get(key);
    if (m) masks.delete(key);
    else m = new ToolCallMask(vocab, tools);
    masks.set(key, m);
    if (masks.size > keep) masks.delete(masks.keys().next().value!);
    return m;
  };
}
