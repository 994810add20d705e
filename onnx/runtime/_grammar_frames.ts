/** Internal to grammar.ts: the automaton's value nodes and frames, and its byte-level steps. */

/** A value's grammar, compiled from a JSON Schema. `min`: the shortest value's length in bytes. */
export type Node =
  | { k: "str"; id: number; min: number }
  | { k: "num"; id: number; min: number; int: boolean }
  | { k: "lit"; id: number; min: number; lits: string[] }
  | { k: "arr"; id: number; min: number; item: Node }
  | { k: "obj"; id: number; min: number; keys: string[]; vals: Node[]; req: number }
  | { k: "any_obj"; id: number; min: number; val: Node }
  | { k: "alt"; id: number; min: number; first: Map<string, Node> };

/** One level of the automaton's stack; frames are immutable, so states can branch cheaply. */
export type Frame =
  | { k: "text"; m: number }
  | { k: "call"; pc: number; off: number; p: string; tool: number }
  | { k: "str"; st: number; lt: boolean }
  | { k: "num"; int: boolean; st: number }
  | { k: "lit"; node: Node & { k: "lit" }; p: string }
  | { k: "arr"; node: Node & { k: "arr" }; st: number; ws: boolean }
  | {
    k: "obj";
    node: Node & { k: "obj" };
    st: number;
    ws: boolean;
    used: number;
    cur: number;
    p: string;
  }
  | { k: "any_obj"; node: Node & { k: "any_obj" }; st: number; ws: boolean };

/** An automaton state: a stack of frames, with the shortest completion of the frames below. */
export interface GrammarState {
  readonly top: Frame;
  readonly below: GrammarState | null;
  /** Bytes the frames below need at least to finish. */
  readonly rest: number;
}

/** What one byte does to the top frame. */
export type Step =
  | null
  | { pop: true; refeed: boolean }
  | { pop?: false; f: Frame; push?: Frame; refeed?: boolean };

const isDigit = (c: string) => c >= "0" && c <= "9";

/** Shortest completion of a schema object: its missing required keys, then `}`. */
export function objectMin(f: Frame & { k: "obj" }): number {
  const { node } = f;
  const rest = (used: number) => {
    let n = 1;
    for (let i = 0; i < node.keys.length; i++) {
      if (node.req & (1 << i) && !(used & (1 << i))) {
        n += node.keys[i].length + node.vals[i].min + 2;
      }
    }
    return n;
  };
  const viaKey = (p: string) => {
    let best = Infinity;
    for (let i = 0; i < node.keys.length; i++) {
      if (f.used & (1 << i) || !node.keys[i].startsWith(p)) continue;
      const n = node.keys[i].length - p.length + 1 + node.vals[i].min + rest(f.used | (1 << i));
      best = Math.min(best, n);
    }
    return best;
  };
  switch (f.st) {
    case 0:
      return node.min;
    case 1:
      return (f.used & node.req) === node.req ? 1 : viaKey("");
    case 6:
      return viaKey("");
    case 5:
      return viaKey(f.p);
    case 2:
      return 1 + node.vals[f.cur].min + rest(f.used);
    case 3:
      return node.vals[f.cur].min + rest(f.used);
    default:
      return rest(f.used);
  }
}

export function stepString(f: Frame & { k: "str" }, c: string): Step {
  switch (f.st) {
    case 0:
      return c === '"' ? { f: { ...f, st: 1 } } : null;
    case 1:
      if (c === '"') return { pop: true, refeed: false };
      if (c === "\\") return { f: { ...f, st: 2, lt: false } };
      if (c < " " || (f.lt && c === "/")) return null;
      return { f: c === "<" || f.lt ? { ...f, lt: c === "<" } : f };
    case 2:
      if ('"\\/bfnrt'.includes(c)) return { f: { ...f, st: 1 } };
      return c === "u" ? { f: { ...f, st: 3 } } : null;
    default:
      if (!/[0-9a-fA-F]/.test(c)) return null;
      return { f: { ...f, st: f.st === 6 ? 1 : f.st + 1 } };
  }
}

export function stepNumber(f: Frame & { k: "num" }, c: string): Step {
  const d = isDigit(c), to = (st: number): Step => ({ f: { ...f, st } });
  const end: Step = { pop: true, refeed: true };
  const frac = !f.int && c === ".", exp = !f.int && (c === "e" || c === "E");
  switch (f.st) {
    case 0:
      return c === "-" ? to(1) : c === "0" ? to(2) : d ? to(3) : null;
    case 1:
      return c === "0" ? to(2) : d ? to(3) : null;
    case 2:
      return frac ? to(4) : exp ? to(6) : d ? null : end;
    case 3:
      return d ? { f } : frac ? to(4) : exp ? to(6) : end;
    case 4:
      return d ? to(5) : null;
    case 5:
      return d ? { f } : exp ? to(6) : end;
    case 6:
      return c === "+" || c === "-" ? to(7) : d ? to(8) : null;
    case 7:
      return d ? to(8) : null;
    default:
      return d ? { f } : end;
  }
}

/** The bytes a value of `n` may start with. */
export function firstBytes(n: Node): string[] {
  switch (n.k) {
    case "str":
      return ['"'];
    case "num":
      return ["-", ..."0123456789"];
    case "lit":
      return [...new Set(n.lits.map((l) => l[0]))];
    case "arr":
      return ["["];
    case "alt":
      return [...n.first.keys()];
    default:
      return ["{"];
  }
}

export function parseLatin1(l: string): unknown {
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(l, (c) => c.charCodeAt(0))));
}

export function frameKey(f: Frame): string {
  switch (f.k) {
    case "text":
      return `t${f.m}`;
    case "call":
      return `c${f.pc}.${f.off}.${f.tool}.${f.p}`;
    case "str":
      return `s${f.st}${f.lt ? "<" : ""}`;
    case "num":
      return `n${f.int ? "i" : ""}${f.st}`;
    case "lit":
      return `l${f.node.id}.${f.p}`;
    case "arr":
      return `a${f.node.id}.${f.st}${f.ws ? "_" : ""}`;
    case "obj":
      return `o${f.node.id}.${f.st}${f.ws ? "_" : ""}.${f.used}.${f.cur}.${f.p}`;
    case "any_obj":
      return `O${f.node.id}.${f.st}${f.ws ? "_" : ""}`;
  }
}
