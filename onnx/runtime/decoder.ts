import type { Rng } from "../../core/rng.ts";
import { disposeAll, type ModelSession, type TensorLike } from "./session.ts";
import { sampleToken, type Sampling } from "./sampler.ts";

/** What the decode loop needs to know about the model's cache tensors. */
export interface CacheShape {
  /** Transformer layers (one key and one value tensor each). */
  layers: number;
  /** Key/value heads per layer. */
  kvHeads: number;
  /** Width of one head. */
  headDim: number;
  /** Whether the graph takes `position_ids` (some exports derive positions from the mask). */
  positionIds: boolean;
}

/**
 * One sequence's KV cache between turns: the tokens whose keys and values it holds, and per
 * layer the `[1, kv_heads, tokens, head_dim]` key and value data.
 */
export interface KvCache {
  /** The tokens whose keys and values the cache holds. */
  ids: number[];
  /** Per layer, key then value data. */
  kv: Float32Array[];
}

/** One sequence to decode: its prompt, sampling and stopping rules. */
export interface GenerateRequest {
  /** The whole prompt; whatever prefix `cache` already holds is not computed again. */
  ids: number[];
  /** A previous turn's cache to continue from. */
  cache?: KvCache;
  /** How to pick each token. */
  sampling: Sampling;
  /** Random source for sampling (seeded per episode). */
  rng: Rng;
  /** Most tokens to generate. */
  maxNewTokens: number;
  /** Token ids that end generation (not included in the output). */
  eos: ReadonlySet<number>;
  /** Ends generation when true for the tokens generated so far (stop strings). */
  stop?: (generated: readonly number[]) => boolean;
  /**
   * Narrows the next token (grammar-constrained decoding, token_mask.ts): called with the tokens
   * generated so far and this row's logits before each token is chosen; it sets the logits of
   * tokens that may not come next to -Infinity, in place.
   */
  mask?: (generated: readonly number[], logits: Float32Array) => void;
}

/** What decoding one request produced. */
export interface GenerateResult {
  /** Generated token ids (stop tokens excluded). */
  tokens: number[];
  /** Why generation ended: an end token, a stop string, or the token limit. */
  finish: "eos" | "stop" | "length";
  /**
   * Prompt tokens this turn added: the part of the prompt the request's own `cache` did not hold.
   * Prefixes reused from other sequences save compute (see `stats`) but do not count here, so the
   * figure does not depend on what else was running.
   */
  prefilled: number;
  /** The cache to pass with the next turn's prompt. */
  cache: KvCache;
}

interface Row {
  req: GenerateRequest;
  /** Tokens whose KV sits in the batch (real tokens, not padding). */
  ids: number[];
  /** Sampled but not yet fed. */
  next: number;
  out: number[];
  prefilled: number;
  finish?: GenerateResult["finish"];
  resolve(r: GenerateResult): void;
  reject(e: unknown): void;
}

interface Pending {
  req: GenerateRequest;
  resolve(r: GenerateResult): void;
  reject(e: unknown): void;
}

/** Prompts sharing this many leading tokens are not prefilled together: the second reuses the first. */
const SHARED = 16;

function sharedPrefix(a: readonly number[], b: readonly number[]): number {
  const lim = Math.min(a.length, b.length);
  let n = 0;
  while (n < lim && a[n] === b[n]) n++;
  return n;
}

export interface DecoderOptions {
  /** Most sequences decoded together (default 16). */
  maxBatch?: number;
  /** Longest prompt chunk run at once while prefilling (default 512). */
  prefillChunk?: number;
  /**
   * Prompts whose caches are kept for other sequences to start from (default 8; 0 = off).
   * Episodes of one environment share the system prompt and tool list, so most of a new
   * episode's prompt is usually already computed.
   */
  prefixCache?: number;
}

/**
 * A continuous-batching decode loop over an ONNX decoder with KV cache. Concurrent `generate`
 * calls share one batched forward pass per step; a sequence joins as soon as its prompt is
 * prefilled, and its row is dropped (and the batch re-packed) when it finishes. Rows are
 * left-padded to the longest one; the attention mask hides the padding, and each row keeps its own
 * position ids, so a row's tokens are exactly what it would get decoded alone.
 */
export class Decoder {
  #pending: Pending[] = [];
  #rows: Row[] = [];
  /**
   * Batched cache: per layer key then value, `[rows, kv_heads, width, head_dim]`. With the C API
   * binding these are onnxruntime's own outputs, fed back without copying; each is disposed as
   * soon as the next step (or a re-pack) has replaced it.
   */
  #kv: TensorLike[] = [];
  #width = 0;
  #running = false;
  /** Most sequences decoded in one forward pass. */
  readonly maxBatch: number;
  /** Most prompt tokens computed per forward pass. */
  readonly prefillChunk: number;
  /** Shared-prefix caches kept for reuse across sequences. */
  readonly prefixCache: number;
  #prefixes: KvCache[] = [];
  /** Decode-step inputs and logits by batch size, refilled each step (see `#run`). */
  #io = new Map<number, { ids: BigInt64Array; pos: BigInt64Array; logits?: Float32Array }>();
  #ones = new BigInt64Array(0);
  #masks = new Map<number, BigInt64Array>();
  #vocab = 0;
  /** Forward passes, tokens produced, prompt tokens computed and reused (for benchmarks). */
  readonly stats = { steps: 0, prefills: 0, tokens: 0, maxRows: 0, computed: 0, reused: 0 };

  /** A decoder over a loaded model session with the given cache shape; nothing runs until `generate`. */
  constructor(
    readonly session: ModelSession,
    readonly shape: CacheShape,
    opts: DecoderOptions = {},
  ) {
    this.maxBatch = Math.max(1, opts.maxBatch ?? 16);
    this.prefillChunk = Math.max(1, opts.prefillChunk ?? 512);
    this.prefixCache = Math.max(0, opts.prefixCache ?? 8);
  }

  /** Generate a continuation of `req.ids`; resolves when the sequence stops. */
  generate(req: GenerateRequest): Promise<GenerateResult> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ req, resolve, reject });
      if (!this.#running) this.#loop();
    });
  }

  async #loop() {
    this.#running = true;
    try {
      while (this.#pending.length > 0 || this.#rows.length > 0) {
        await this.#admit();
        if (this.#rows.length === 0) continue;
        try {
          await this.#step();
        } catch (err) {
          // A failed forward pass fails every sequence in the batch, not the loop.
          for (const row of this.#rows) row.reject(err);
          disposeAll(this.#kv);
          this.#rows = [], this.#kv = [], this.#width = 0;
        }
      }
    } finally {
      this.#running = false;
    }
  }

  /**
   * Prefill waiting prompts and pack them into the batch. Prompts with nothing cached are prefilled
   * together in one left-padded pass — unless one shares a prefix with another, which then waits
   * for that prompt's cache instead of computing the prefix twice.
   */
  async #admit() {
    const joined: { row: Row; kv: Float32Array[] }[] = [];
    const room = () => this.maxBatch - this.#rows.length - joined.length;
    while (this.#pending.length > 0 && room() > 0) {
      const fresh: Pending[] = [];
      while (this.#pending.length > 0 && fresh.length < room()) {
        const ids = this.#pending[0].req.ids;
        if (
          ids.length === 0 || ids.length > this.prefillChunk ||
          this.#best(this.#pending[0].req).keep > 0 ||
          fresh.some((f) => sharedPrefix(f.req.ids, ids) >= SHARED)
        ) break;
        fresh.push(this.#pending.shift()!);
      }
      if (fresh.length > 1) {
        try {
          joined.push(...(await this.#prefillTogether(fresh)));
        } catch (err) {
          for (const p of fresh) p.reject(err);
        }
        continue;
      }
      const p = fresh[0] ?? this.#pending.shift()!;
      try {
        const r = await this.#prefill(p);
        if (r) joined.push(r);
      } catch (err) {
        p.reject(err);
      }
    }
    if (joined.length > 0) this.#repack(this.#rows.map((_, i) => i), joined);
  }

  /** The cache holding the longest prefix of the prompt: the sequence's own, or a recent prompt's. */
  #best(req: GenerateRequest): { cache?: KvCache; keep: number } {
    let cache: KvCache | undefined, keep = 0;
    for (const c of req.cache ? [req.cache, ...this.#prefixes] : this.#prefixes) {
      // Always leave at least one token to feed: its logits give the first new token.
      const n = Math.min(sharedPrefix(c.ids, req.ids), req.ids.length - 1);
      if (n > keep) cache = c, keep = n;
    }
    return { cache, keep };
  }

  /** Prefill prompts with nothing cached in one pass, left-padded to the longest. */
  async #prefillTogether(ps: Pending[]): Promise<{ row: Row; kv: Float32Array[] }[]> {
    const S = Math.max(...ps.map((p) => p.req.ids.length));
    const out = await this.#run(
      ps.map((p) => [...new Array(S - p.req.ids.length).fill(0), ...p.req.ids]),
      ps.map((p) => ({ pad: 0, len: 0, inPad: S - p.req.ids.length })),
      [],
      0,
    );
    this.stats.prefills++;
    try {
      const presents = this.#presents(out).map((t) => t.data as Float32Array);
      const all = out.logits.data as Float32Array, v = all.length / (ps.length * S);
      const joined: { row: Row; kv: Float32Array[] }[] = [];
      ps.forEach((p, b) => {
        const { req } = p, len = req.ids.length;
        this.stats.computed += len;
        const kv = presents.map((a) => this.#extract(a, b, S, len));
        this.#remember(req.ids, kv);
        const row = this.#newRow(p, all.subarray((b * S + S - 1) * v, (b + 1) * S * v), len);
        if (!this.#accept(row, kv, len)) joined.push({ row, kv });
      });
      return joined;
    } finally {
      disposeAll(Object.values(out));
    }
  }

  async #prefill(p: Pending): Promise<{ row: Row; kv: Float32Array[] } | null> {
    const { req } = p;
    if (req.ids.length === 0) throw new Error("empty prompt");
    const { cache, keep } = this.#best(req);
    if (cache && cache !== req.cache) {
      this.#prefixes = [cache, ...this.#prefixes.filter((c) => c !== cache)];
    }
    this.stats.reused += keep;
    this.stats.computed += req.ids.length - keep;
    let kv = cache ? cache.kv.map((a) => this.#cut(a, cache.ids.length, keep)) : this.#emptyKv();
    let len = keep;
    let logits: Float32Array | undefined;
    for (let at = keep; at < req.ids.length; at += this.prefillChunk) {
      const chunk = req.ids.slice(at, at + this.prefillChunk);
      const out = await this.#run(
        [chunk],
        [{ pad: 0, len }],
        kv.map((a) => this.#tensor(a, 1, len)),
        len,
      );
      len += chunk.length;
      try {
        // Copies: the cache outlives this pass (prefix cache, the sequence's next turn).
        kv = this.#presents(out).map((t) => (t.data as Float32Array).slice());
        const all = out.logits.data as Float32Array, v = all.length / chunk.length;
        logits = all.slice(all.length - v);
      } finally {
        disposeAll(Object.values(out));
      }
      this.stats.prefills++;
    }
    if (len > keep) this.#remember(req.ids, kv);
    const own = req.cache ? Math.min(sharedPrefix(req.cache.ids, req.ids), req.ids.length - 1) : 0;
    const row = this.#newRow(p, logits!, req.ids.length - own);
    if (this.#accept(row, kv, len)) return null;
    return { row, kv };
  }

  /** Keep a prompt's cache for other sequences to start from. */
  #remember(ids: number[], kv: Float32Array[]) {
    if (this.prefixCache === 0) return;
    this.#prefixes = [{ ids: ids.slice(), kv }, ...this.#prefixes].slice(0, this.prefixCache);
  }

  /** A batch row for a prefilled prompt, its first token sampled from the prompt's last logits. */
  #newRow(p: Pending, logits: Float32Array, prefilled: number): Row {
    const { req } = p;
    req.mask?.([], logits);
    return {
      req,
      ids: req.ids.slice(),
      next: sampleToken(logits, req.sampling, req.rng),
      out: [],
      prefilled,
      resolve: p.resolve,
      reject: p.reject,
    };
  }

  /** Take the row's freshly sampled token; finish the row if it ends the sequence. */
  #accept(row: Row, kv: Float32Array[] | null, len: number): boolean {
    const t = row.next, r = row.req;
    this.stats.tokens++;
    let finish: GenerateResult["finish"] | null = null;
    if (r.eos.has(t)) finish = "eos";
    else {
      row.out.push(t);
      if (r.stop?.(row.out)) finish = "stop";
      else if (row.out.length >= r.maxNewTokens) finish = "length";
    }
    if (finish === null) return false;
    // The last sampled token was never fed: the cache holds the prompt and the tokens before it.
    const cacheIds = row.ids.concat(row.out.slice(0, row.out.length - (finish === "eos" ? 0 : 1)));
    row.resolve({
      tokens: row.out,
      finish,
      prefilled: row.prefilled,
      cache: { ids: cacheIds.slice(0, len), kv: kv ?? [] },
    });
    return true;
  }

  /** One decode step for every row in the batch. */
  async #step() {
    const rows = this.#rows, w = this.#width;
    const lens = rows.map((r) => r.ids.length + r.out.length - 1);
    const out = await this.#run(
      rows.map((r) => [r.next]),
      lens.map((len) => ({ pad: w - len, len })),
      this.#kv,
      w,
    );
    this.stats.steps++;
    disposeAll(this.#kv);
    this.#kv = this.#presents(out);
    this.#width = w + 1;
    const keep: number[] = [];
    const finished: Row[] = [];
    try {
      const logits = out.logits.data as Float32Array, v = logits.length / rows.length;
      rows.forEach((row, b) => {
        const own = logits.subarray(b * v, (b + 1) * v);
        row.req.mask?.(row.out, own);
        row.next = sampleToken(own, row.req.sampling, row.req.rng);
        if (this.#acceptBatched(row)) finished.push(row);
        else keep.push(b);
      });
    } finally {
      out.logits.dispose?.();
    }
    if (finished.length > 0) {
      for (const row of finished) this.#finishBatched(row);
      this.#repack(keep, []);
    }
  }

  /** Like #accept, but the row's cache is still in the batch: decide only. */
  #acceptBatched(row: Row): boolean {
    const t = row.next, r = row.req;
    this.stats.tokens++;
    if (r.eos.has(t)) row.finish = "eos";
    else {
      row.out.push(t);
      if (r.stop?.(row.out)) row.finish = "stop";
      else if (row.out.length >= r.maxNewTokens) row.finish = "length";
    }
    return row.finish !== undefined;
  }

  #finishBatched(row: Row) {
    const b = this.#rows.indexOf(row), w = this.#width;
    const finish = row.finish!;
    const fed = finish === "eos" ? row.out : row.out.slice(0, -1);
    const ids = row.ids.concat(fed);
    const kv = this.#kv.map((t) => this.#extract(t.data as Float32Array, b, w, ids.length));
    row.resolve({ tokens: row.out, finish, prefilled: row.prefilled, cache: { ids, kv } });
  }

  /** Rebuild the batched cache from the kept rows plus newly joined ones, trimming shared padding. */
  #repack(keep: number[], joined: { row: Row; kv: Float32Array[] }[]) {
    const { kvHeads: H, headDim: D } = this.shape;
    const w = this.#width;
    const lens = keep.map((b) => {
      const r = this.#rows[b];
      return r.ids.length + r.out.length - 1;
    });
    const newLens = joined.map((j) => j.row.ids.length);
    const width = Math.max(0, ...lens, ...newLens);
    const n = keep.length + joined.length;
    this.stats.maxRows = Math.max(this.stats.maxRows, n);
    if (n === 0) {
      disposeAll(this.#kv);
      this.#rows = [], this.#kv = [], this.#width = 0;
      return;
    }
    const next: TensorLike[] = [];
    for (let k = 0; k < this.shape.layers * 2; k++) {
      const dst = new Float32Array(n * H * width * D);
      const src = this.#kv[k]?.data as Float32Array | undefined;
      keep.forEach((b, i) => {
        for (let h = 0; h < H; h++) {
          const from = ((b * H + h) * w + (w - lens[i])) * D;
          dst.set(
            src!.subarray(from, from + lens[i] * D),
            ((i * H + h) * width + (width - lens[i])) * D,
          );
        }
      });
      joined.forEach((j, x) => {
        const i = keep.length + x, len = newLens[x], a = j.kv[k];
        for (let h = 0; h < H; h++) {
          dst.set(
            a.subarray(h * len * D, (h + 1) * len * D),
            ((i * H + h) * width + (width - len)) * D,
          );
        }
      });
      next.push(this.#tensor(dst, n, width));
    }
    disposeAll(this.#kv);
    this.#rows = [...keep.map((b) => this.#rows[b]), ...joined.map((j) => j.row)];
    this.#kv = next;
    this.#width = width;
  }

  /**
   * Run the model on `tokens` per row (equal lengths): `pad` cache columns of left padding, `len`
   * cached tokens, and `inPad` padding tokens at the start of the new ones.
   */
  async #run(
    tokens: number[][],
    rows: { pad: number; len: number; inPad?: number }[],
    past: TensorLike[],
    width: number,
  ): Promise<Record<string, TensorLike>> {
    const B = tokens.length, S = tokens[0].length, total = width + S;
    // A decode step (one token a row) refills the same buffers every time, and a batch without
    // padding takes an all-ones mask of its length; both are marked `reuse`, so the C API binding
    // wraps each once instead of on every step.
    const io = S === 1 ? this.#stepBuffers(B) : undefined;
    const ids = io?.ids ?? new BigInt64Array(B * S), pos = io?.pos ?? new BigInt64Array(B * S);
    const padded = rows.some((r) => r.pad > 0 || (r.inPad ?? 0) > 0);
    const mask = padded ? new BigInt64Array(B * total) : this.#onesMask(B * total);
    for (let b = 0; b < B; b++) {
      const { pad, len } = rows[b], inPad = rows[b].inPad ?? 0;
      for (let s = 0; s < S; s++) {
        ids[b * S + s] = BigInt(tokens[b][s]);
        pos[b * S + s] = BigInt(Math.max(0, len + s - inPad));
      }
      if (padded) {
        mask.fill(1n, b * total + pad, b * total + width);
        mask.fill(1n, b * total + width + inPad, (b + 1) * total);
      }
    }
    const reuse = io !== undefined;
    const feeds: Record<string, TensorLike> = {
      input_ids: { type: "int64", data: ids, dims: [B, S], reuse },
      attention_mask: { type: "int64", data: mask, dims: [B, total], reuse: !padded },
    };
    if (this.shape.positionIds) {
      feeds.position_ids = { type: "int64", data: pos, dims: [B, S], reuse };
    }
    const past0 = past.length > 0 ? past : this.#emptyKv().map((a) => this.#tensor(a, B, 0));
    for (let l = 0; l < this.shape.layers; l++) {
      feeds[`past_key_values.${l}.key`] = past0[2 * l];
      feeds[`past_key_values.${l}.value`] = past0[2 * l + 1];
    }
    // A step's logits go into a buffer of ours, so reading them costs no call into the runtime.
    const into = io && this.#vocab > 0
      ? {
        logits: {
          type: "float32",
          data: io.logits ??= new Float32Array(B * this.#vocab),
          dims: [B, 1, this.#vocab],
          reuse: true,
        },
      }
      : undefined;
    const out = await this.session.run(feeds, undefined, into);
    this.#vocab ||= out.logits.dims[out.logits.dims.length - 1];
    return out;
  }

  /** The decode-step buffers for a batch of `rows`. */
  #stepBuffers(rows: number) {
    let io = this.#io.get(rows);
    if (!io) {
      io = { ids: new BigInt64Array(rows), pos: new BigInt64Array(rows) };
      this.#io.set(rows, io);
    }
    return io;
  }

  /** An all-ones mask of `n` entries: a view of one shared buffer, the same view for each `n`. */
  #onesMask(n: number): BigInt64Array {
    let m = this.#masks.get(n);
    if (m) return m;
    if (n > this.#ones.length) {
      this.#ones = new BigInt64Array(Math.max(n, 2 * this.#ones.length, 1024)).fill(1n);
      this.#masks.clear();
    }
    this.#masks.set(n, m = this.#ones.subarray(0, n));
    return m;
  }

  #presents(out: Record<string, TensorLike>): TensorLike[] {
    const t: TensorLike[] = [];
    for (let l = 0; l < this.shape.layers; l++) {
      t.push(out[`present.${l}.key`], out[`present.${l}.value`]);
    }
    return t;
  }

  /** A `[rows, kv_heads, width, head_dim]` cache tensor over `data`. */
  #tensor(data: Float32Array, rows: number, width: number): TensorLike {
    return { type: "float32", data, dims: [rows, this.shape.kvHeads, width, this.shape.headDim] };
  }

  #emptyKv(): Float32Array[] {
    return Array.from({ length: this.shape.layers * 2 }, () => new Float32Array(0));
  }

  /** A single-row cache `[1, H, len, D]` cut to its first `keep` tokens. */
  #cut(a: Float32Array, len: number, keep: number): Float32Array {
    if (keep === len) return a;
    const { kvHeads: H, headDim: D } = this.shape;
    const out = new Float32Array(H * keep * D);
    for (let h = 0; h < H; h++) {
      out.set(a.subarray(h * len * D, (h * len + keep) * D), h * keep * D);
    }
    return out;
  }

  /** Row `b` of a batched `[B, H, width, D]` cache, without its left padding. */
  #extract(a: Float32Array, b: number, width: number, len: number): Float32Array {
    const { kvHeads: H, headDim: D } = this.shape;
    const out = new Float32Array(H * len * D);
    for (let h = 0; h < H; h++) {
      const from = ((b * H + h) * width + (width - len)) * D;
      out.set(a.subarray(from, from + len * D), h * len * D);
    }
    return out;
  }
}
