/**
 * The tool-call grammar: a byte-level pushdown automaton over a model's reply that accepts free
 * text, and inside each `<tool_call>` block only `{"name": <an offered tool>, "arguments": {…}}`
 * whose keys come from that tool's JSON Schema and whose values fit their types, then
 * `</tool_call>`. `token_mask.ts` runs it over a tokenizer's vocabulary to mask logits.
 *
 * Bytes are handled as latin1 strings (one char per byte), so UTF-8 text in names and enums works.
 */
import type { ToolDef } from "../../tools/types.ts";
import {
  firstBytes,
  type Frame,
  frameKey,
  type GrammarState,
  type Node,
  objectMin,
  parseLatin1,
  type Step,
  stepNumber,
  stepString,
} from "./_grammar_frames.ts";

export type { GrammarState };

type Schema = Record<string, unknown>;

export const OPEN_TAG = "<tool_call>";
export const CLOSE_TAG = "</tool_call>";
/** Schema-less JSON (`{}`) nests at most this deep below where it starts (keeps states finite). */
const MAX_DEPTH = 4;
/** `obj` frames keep used keys in a 31-bit mask; bigger objects are matched as schema-less. */
const MAX_KEYS = 31;

type Op = { t: "opt"; c: string } | { t: "lit"; s: string } | { t: "name" } | { t: "args" };
/** The call block after `<tool_call>`, as emitted by the Hermes/Qwen templates. */
const PROGRAM: Op[] = [
  { t: "opt", c: "\n" },
  { t: "lit", s: "{" },
  { t: "opt", c: " " },
  { t: "lit", s: '"name"' },
  { t: "opt", c: " " },
  { t: "lit", s: ":" },
  { t: "opt", c: " " },
  { t: "name" },
  { t: "opt", c: " " },
  { t: "lit", s: "," },
  { t: "opt", c: " " },
  { t: "lit", s: '"arguments"' },
  { t: "opt", c: " " },
  { t: "lit", s: ":" },
  { t: "opt", c: " " },
  { t: "args" },
  { t: "opt", c: " " },
  { t: "lit", s: "}" },
  { t: "opt", c: "\n" },
  { t: "lit", s: CLOSE_TAG },
];
const TAG_PC = PROGRAM.length - 1;

/** UTF-8 bytes of a string, as a latin1 string. */
export function bytesOf(s: string): string {
  let out = "";
  for (const b of new TextEncoder().encode(s)) out += String.fromCharCode(b);
  return out;
}

/**
 * The tool-call automaton for one list of tools. States are immutable stacks; `feed` returns the
 * next state or null when the byte cannot continue a valid reply. Whitespace inside a call is at
 * most one space per gap (a newline after `<tool_call>` and before `</tool_call>`), so a model
 * cannot loop on it; strings may not contain `</` (it would end the block early).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ToolCallAutomaton } from "./grammar.ts";
 * const a = new ToolCallAutomaton([{
 *   name: "search", description: "",
 *   parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"] },
 * }]);
 * const ok = a.feedText(a.start(), '<tool_call>\n{"name": "search", "arguments": {"q": "x"}}\n</tool_call>');
 * assert.ok(ok !== null && !a.inCall(ok));
 * assert.ok(a.feedText(a.start(), '<tool_call>{"name": "other"') === null);
 * ```
 */
export class ToolCallAutomaton {
  readonly names: string[];
  readonly args: Node[];
  /** Tokens the close tag costs at least (1 when the tokenizer has it as one token). */
  readonly tagCost: number;
  #ids = 0;
  #any = new Map<number, Node>();
  #opPrefixMin: number[] = [];

  constructor(tools: readonly ToolDef[], opts: { tagCost?: number } = {}) {
    this.tagCost = opts.tagCost ?? CLOSE_TAG.length;
    this.names = tools.map((t) => bytesOf(JSON.stringify(t.name)));
    this.args = tools.map((t) => this.#compile(t.parameters as Schema, true));
    // Fixed bytes from each op to the end (literals only; name, args and the tag added apart).
    let acc = 0;
    for (let pc = PROGRAM.length - 1; pc >= 0; pc--) {
      const op = PROGRAM[pc];
      if (op.t === "lit" && pc !== TAG_PC) acc += op.s.length;
      this.#opPrefixMin[pc] = acc;
    }
  }

  /** The state before any reply text. */
  start(): GrammarState {
    return { top: { k: "text", m: 0 }, below: null, rest: 0 };
  }

  /** Whether the state is inside a `<tool_call>` block. */
  inCall(s: GrammarState): boolean {
    return s.top.k !== "text";
  }

  /** The fewest bytes (or tag tokens) that close every open block from this state. */
  minClose(s: GrammarState): number {
    return s.rest + this.#min(s.top);
  }

  /** A string identifying the state, for caches. */
  key(s: GrammarState): string {
    let k = "";
    for (let x: GrammarState | null = s; x; x = x.below) k += frameKey(x.top) + "|";
    return k;
  }

  /** Feed a latin1 string of bytes; null as soon as one does not fit. */
  feedText(s: GrammarState | null, bytes: string): GrammarState | null {
    for (let i = 0; i < bytes.length && s; i++) s = this.feed(s, bytes[i]);
    return s;
  }

  /** Feed one byte (a latin1 char). */
  feed(s: GrammarState, c: string): GrammarState | null {
    for (let guard = 0; guard < 64; guard++) {
      const r = this.#step(s.top, c);
      if (r === null) return null;
      if (r.pop) {
        if (!s.below) return null;
        if (!r.refeed) return s.below;
        s = s.below;
        continue;
      }
      s = { top: r.f, below: s.below, rest: s.rest };
      if (r.push) s = { top: r.push, below: s, rest: s.rest + this.#min(s.top) };
      if (!r.refeed) return s;
    }
    throw new Error(`Cannot feed ${JSON.stringify(c)} as the grammar loops: a bug in grammar.ts`);
  }

  // ---- schema → nodes ----

  #node<T extends Omit<Node, "id">>(n: T): T & { id: number } {
    return { ...n, id: this.#ids++ };
  }

  #compile(s: Schema | undefined, top = false): Node {
    if (!s || typeof s !== "object") return this.#anyValue(0);
    if (Array.isArray(s.enum) && s.enum.length > 0) return this.#lits(s.enum);
    if ("const" in s) return this.#lits([s.const]);
    const alts = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
    if (Array.isArray(alts) && alts.length > 0) {
      return this.#alt(alts.map((a) => this.#compile(a)));
    }
    let type = s.type;
    if (Array.isArray(type)) {
      return this.#alt(type.map((t) => this.#compile({ ...s, type: t })));
    }
    if (type === undefined) {
      type = s.properties || top ? "object" : s.items ? "array" : undefined;
    }
    switch (type) {
      case "string":
        return this.#node({ k: "str", min: 2 });
      case "number":
      case "integer":
        return this.#node({ k: "num", min: 1, int: type === "integer" });
      case "boolean":
        return this.#lits([true, false]);
      case "null":
        return this.#lits([null]);
      case "array":
        return this.#node({
          k: "arr",
          min: 2,
          item: this.#compile(s.items as Schema | undefined),
        });
      case "object": {
        const props = s.properties as Record<string, Schema> | undefined;
        const names = Object.keys(props ?? {});
        if (!props || names.length > MAX_KEYS) return this.#anyObject(0);
        const required = new Set(Array.isArray(s.required) ? s.required as string[] : []);
        const keys = names.map((n) => bytesOf(JSON.stringify(n)));
        const vals = names.map((n) => this.#compile(props[n]));
        let req = 0, min = 2, count = 0;
        names.forEach((n, i) => {
          if (!required.has(n)) return;
          req |= 1 << i;
          min += keys[i].length + 1 + vals[i].min + (count++ > 0 ? 1 : 0);
        });
        return this.#node({ k: "obj", min, keys, vals, req });
      }
      default:
        return this.#anyValue(0);
    }
  }

  #lits(values: unknown[]): Node {
    const lits = [...new Set(values.map((v) => bytesOf(JSON.stringify(v) ?? "null")))].sort();
    return this.#node({ k: "lit", lits, min: Math.min(...lits.map((l) => l.length)) });
  }

  /** Alternatives told apart by their first byte; clashing ones merge into the looser one. */
  #alt(nodes: Node[]): Node {
    const first = new Map<string, Node>();
    const add = (c: string, n: Node) => {
      const had = first.get(c);
      first.set(c, had ? this.#merge(had, n) : n);
    };
    const visit = (n: Node) => {
      if (n.k === "alt") { for (const [c, m] of n.first) add(c, m); }
      else for (const c of firstBytes(n)) add(c, n);
    };
    nodes.forEach(visit);
    const min = Math.min(...[...first.values()].map((n) => n.min));
    return this.#node({ k: "alt", first, min });
  }

  #merge(a: Node, b: Node): Node {
    if (a === b) return a;
    if (a.k === "lit" && b.k === "lit") return this.#lits([...a.lits, ...b.lits].map(parseLatin1));
    if (a.k === "lit") return b;
    if (b.k === "lit") return a;
    if (a.k === "num" && b.k === "num") return a.int ? b : a;
    if (a.k === "arr" && b.k === "arr") {
      return this.#node({ k: "arr", min: 2, item: this.#anyValue(1) });
    }
    if ((a.k === "obj" || a.k === "any_obj") && (b.k === "obj" || b.k === "any_obj")) {
      return this.#anyObject(1);
    }
    return a;
  }

  #anyObject(depth: number): Node {
    return this.#node({ k: "any_obj", min: 2, val: this.#anyValue(depth + 1) });
  }

  /** Any JSON value (for parts of a schema that say nothing), nested at most MAX_DEPTH deep. */
  #anyValue(depth: number): Node {
    const d = Math.min(depth, MAX_DEPTH);
    let n = this.#any.get(d);
    if (n) return n;
    const scalars: Node[] = [
      this.#node({ k: "str", min: 2 }),
      this.#node({ k: "num", min: 1, int: false }),
      this.#lits([true, false, null]),
    ];
    if (d < MAX_DEPTH) {
      scalars.push(
        this.#node({ k: "arr", min: 2, item: this.#anyValue(d + 1) }),
        this.#node({ k: "any_obj", min: 2, val: this.#anyValue(d + 1) }),
      );
    }
    n = this.#alt(scalars);
    this.#any.set(d, n);
    return n;
  }

  // ---- frames ----

  /** The frame that parses a value of `node` starting with byte `c` (not yet fed). */
  #open(node: Node, c: string): Frame | null {
    switch (node.k) {
      case "alt": {
        const n = node.first.get(c);
        return n ? this.#open(n, c) : null;
      }
      case "str":
        return { k: "str", st: 0, lt: false };
      case "num":
        return { k: "num", int: node.int, st: 0 };
      case "lit":
        return { k: "lit", node, p: "" };
      case "arr":
        return { k: "arr", node, st: 0, ws: false };
      case "obj":
        return { k: "obj", node, st: 0, ws: false, used: 0, cur: -1, p: "" };
      case "any_obj":
        return { k: "any_obj", node, st: 0, ws: false };
    }
  }

  /** A value starting with `c`: the parent becomes `then`, the value's frame is pushed and fed `c`. */
  #value(node: Node, c: string, then: Frame): Step {
    const push = this.#open(node, c);
    return push ? { f: then, push, refeed: true } : null;
  }

  #step(f: Frame, c: string): Step {
    switch (f.k) {
      case "text": {
        const m = c === OPEN_TAG[f.m] ? f.m + 1 : c === "<" ? 1 : 0;
        if (m < OPEN_TAG.length) return { f: { k: "text", m } };
        return { f: { k: "text", m: 0 }, push: { k: "call", pc: 0, off: 0, p: "", tool: -1 } };
      }
      case "call":
        return this.#stepCall(f, c);
      case "str":
        return stepString(f, c);
      case "num":
        return stepNumber(f, c);
      case "lit": {
        const p = f.p + c, lits = f.node.lits;
        let ext = 0, exact = false;
        for (const l of lits) {
          if (l.startsWith(p)) ext++, exact ||= l === p;
        }
        if (ext === 0) return lits.includes(f.p) ? { pop: true, refeed: true } : null;
        if (exact && ext === 1) return { pop: true, refeed: false };
        return { f: { ...f, p } };
      }
      case "arr": {
        const { st } = f;
        if (st === 0) return c === "[" ? { f: { ...f, st: 1 } } : null;
        if (c === " ") return f.ws ? null : { f: { ...f, ws: true } };
        if (st === 2) {
          if (c === ",") return { f: { ...f, st: 3, ws: false } };
          return c === "]" ? { pop: true, refeed: false } : null;
        }
        if (st === 1 && c === "]") return { pop: true, refeed: false };
        return this.#value(f.node.item, c, { ...f, st: 2, ws: false });
      }
      case "obj":
        return this.#stepObject(f, c);
      case "any_obj": {
        const { st } = f;
        if (st === 0) return c === "{" ? { f: { ...f, st: 1 } } : null;
        if (c === " " && st !== 0) return f.ws ? null : { f: { ...f, ws: true } };
        switch (st) {
          case 1:
          case 6:
            if (c === "}" && st === 1) return { pop: true, refeed: false };
            return c === '"'
              ? {
                f: { ...f, st: 2, ws: false },
                push: { k: "str", st: 0, lt: false },
                refeed: true,
              }
              : null;
          case 2:
            return c === ":" ? { f: { ...f, st: 3, ws: false } } : null;
          case 3:
            return this.#value(f.node.val, c, { ...f, st: 4, ws: false });
          default:
            if (c === ",") return { f: { ...f, st: 6, ws: false } };
            return c === "}" ? { pop: true, refeed: false } : null;
        }
      }
    }
  }

  #stepCall(f: Frame & { k: "call" }, c: string): Step {
    const op = PROGRAM[f.pc];
    switch (op.t) {
      case "opt":
        return { f: { ...f, pc: f.pc + 1 }, refeed: c !== op.c };
      case "lit": {
        if (c !== op.s[f.off]) return null;
        if (f.off + 1 < op.s.length) return { f: { ...f, off: f.off + 1 } };
        return f.pc === TAG_PC
          ? { pop: true, refeed: false }
          : { f: { ...f, pc: f.pc + 1, off: 0 } };
      }
      case "name": {
        const p = f.p + c;
        const i = this.names.indexOf(p);
        if (i >= 0) return { f: { ...f, pc: f.pc + 1, p: "", tool: i } };
        return this.names.some((n) => n.startsWith(p)) ? { f: { ...f, p } } : null;
      }
      case "args":
        return this.#value(this.args[f.tool], c, { ...f, pc: f.pc + 1 });
    }
  }

  #stepObject(f: Frame & { k: "obj" }, c: string): Step {
    const { st, node } = f;
    if (st === 0) return c === "{" ? { f: { ...f, st: 1 } } : null;
    if (c === " " && st !== 5) return f.ws ? null : { f: { ...f, ws: true } };
    const done = (f.used & node.req) === node.req;
    switch (st) {
      case 1:
      case 6:
        if (c === "}" && st === 1 && done) return { pop: true, refeed: false };
        return c === '"' && f.used !== (2 ** node.keys.length - 1) >>> 0
          ? { f: { ...f, st: 5, ws: false, p: '"' } }
          : null;
      case 5: {
        const p = f.p + c;
        let any = false;
        for (let i = 0; i < node.keys.length; i++) {
          if (f.used & (1 << i) || !node.keys[i].startsWith(p)) continue;
          if (node.keys[i] === p) {
            return { f: { ...f, st: 2, p: "", cur: i, used: (f.used | (1 << i)) >>> 0 } };
          }
          any = true;
        }
        return any ? { f: { ...f, p } } : null;
      }
      case 2:
        return c === ":" ? { f: { ...f, st: 3, ws: false } } : null;
      case 3:
        return this.#value(node.vals[f.cur], c, { ...f, st: 4, ws: false });
      default:
        if (c === "," && f.used !== (2 ** node.keys.length - 1) >>> 0) {
          return { f: { ...f, st: 6, ws: false } };
        }
        return c === "}" && done ? { pop: true, refeed: false } : null;
    }
  }

  // ---- shortest completions ----

  #min(f: Frame): number {
    switch (f.k) {
      case "text":
        return 0;
      case "call": {
        let n = f.pc <= TAG_PC ? this.tagCost : 0;
        if (f.pc === TAG_PC && f.off > 0) n = CLOSE_TAG.length - f.off;
        n += this.#opPrefixMin[f.pc];
        const op = PROGRAM[f.pc];
        if (op.t === "lit" && f.pc !== TAG_PC) n -= f.off;
        if (f.pc <= 7) {
          let best = Infinity;
          this.names.forEach((name, i) => {
            if (name.startsWith(f.p)) {
              best = Math.min(best, name.length - f.p.length + this.args[i].min);
            }
          });
          return n + best;
        }
        return f.pc <= 15 ? n + this.args[f.tool].min : n;
      }
      case "str":
        return f.st === 0 ? 2 : f.st === 1 ? 1 : f.st === 2 ? 2 : 8 - f.st;
      case "num":
        return [1, 1, 0, 0, 1, 0, 1, 1, 0][f.st];
      case "lit": {
        let best = Infinity;
        for (const l of f.node.lits) if (l.startsWith(f.p)) best = Math.min(best, l.length);
        return best - f.p.length;
      }
      case "arr":
        return f.st === 0 ? 2 : f.st === 3 ? f.node.item.min + 1 : 1;
      case "any_obj":
        return [2, 1, 2 + f.node.val.min, 1 + f.node.val.min, 1, 0, 4 + f.node.val.min][f.st];
      case "obj":
        return objectMin(f);
    }
  }
}
