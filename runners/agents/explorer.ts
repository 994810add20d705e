import { editDistance } from "../../spec/mod.ts";
import type { Call } from "../../spec/types.ts";
import type { ToolDef } from "../../tools/types.ts";
import type { Agent, AgentSession } from "../agent.ts";
import { callTools, type Message, say } from "../../core/messages.ts";
import { GIVE_UP, latestResults, MAX_RETRIES, type SeenResult, transient } from "./common.ts";

/** Words of an identifier or sentence: `getBookById`, `get_book-by id` → get, book, by, id. */
export function words(s: string): string[] {
  return s
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/**
 * How alike two identifiers are, 0–1, ignoring case and punctuation. A name spelt backwards counts
 * as alike: reversed names are a perturbation an attentive reader sees through.
 */
function nameSimilarity(a: string, b: string): number {
  const x = a.toLowerCase().replace(/[^a-z0-9]/g, ""),
    y = b.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (x.length === 0 || y.length === 0) return 0;
  const sim = (u: string) => 1 - editDistance(x, u) / Math.max(x.length, u.length);
  return Math.max(sim(y), sim([...y].reverse().join("")));
}

function overlap(a: string[], b: Set<string>): number {
  if (a.length === 0) return 0;
  return a.filter((w) => b.has(w) || b.has(w.replace(/s$/, "")) || b.has(w + "s")).length /
    a.length;
}

/**
 * Rank the visible tools as candidates for a canonical call, using only what the environment shows:
 * names, descriptions and parameter names.
 */
export function rankTools(intent: Call, tools: readonly ToolDef[]): ToolDef[] {
  const intentWords = words(intent.tool);
  const argNames = Object.keys(intent.args);
  const scored = tools.map((t) => {
    if (t.name === intent.tool) return { t, s: 100 };
    const desc = new Set(words(`${t.name} ${t.description}`));
    const props = Object.keys((t.parameters.properties ?? {}) as object);
    const paramFit = argNames.length === 0
      ? 0
      : argNames.filter((a) => props.some((p) => nameSimilarity(a, p) > 0.7)).length /
        argNames.length;
    const s = 3 * nameSimilarity(intent.tool, t.name) + 2 * overlap(intentWords, desc) +
      2 * paramFit;
    return { t, s };
  });
  return scored.sort((a, b) => b.s - a.s || a.t.name.localeCompare(b.t.name)).map((x) => x.t);
}

/** What a tool's description says changed ("`old` was renamed to `new`", "`p` is now in X … = F X"). */
export function readChangelog(
  description: string,
): { renamed: Record<string, string>; factor: Record<string, number> } {
  const renamed: Record<string, string> = {};
  const factor: Record<string, number> = {};
  for (const m of description.matchAll(/`([^`]+)` was renamed to `([^`]+)`/g)) renamed[m[1]] = m[2];
  for (const m of description.matchAll(/`([^`]+)` is now in [^;]+; 1 [^=]+ = ([\d.]+)/g)) {
    factor[m[1]] = Number(m[2]);
  }
  return { renamed, factor };
}

/** A value for a required parameter the intent has no argument for, when the schema pins one. */
export function pinnedValue(schema: Record<string, unknown> | undefined): unknown {
  if (!schema) return undefined;
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length === 1) return schema.enum[0];
  return undefined;
}

/** Best visible parameter for a canonical argument name, or undefined. */
export function matchParam(arg: string, tool: ToolDef, taken: Set<string>): string | undefined {
  const props = (tool.parameters.properties ?? {}) as Record<string, { description?: string }>;
  const moved = readChangelog(tool.description).renamed[arg];
  if (moved && moved in props && !taken.has(moved)) return moved;
  let best: string | undefined, bestScore = 0.45;
  const argWords = words(arg);
  for (const [p, schema] of Object.entries(props)) {
    if (taken.has(p)) continue;
    if (p === arg) return p;
    const s = nameSimilarity(arg, p) +
      0.5 * overlap(argWords, new Set(words(`${p} ${schema.description ?? ""}`)));
    if (s > bestScore) best = p, bestScore = s;
  }
  return best;
}

/** Facts an invalid-arguments message states, read from its text. */
export function readArgumentErrors(message: string): { missing: string[]; unknown: string[] } {
  const missing = [...message.matchAll(/required property '([^']+)'/g)].map((m) => m[1]);
  const unknown = [...message.matchAll(/unknown parameter "([^"]+)"/g)].map((m) => m[1]);
  return { missing, unknown };
}

interface Learned {
  tool: ToolDef;
  /** canonical argument → visible parameter */
  params: Record<string, string>;
  /** parameters the interface requires beyond the intent's, with the values it pins */
  extra: Record<string, unknown>;
}

interface Attempt {
  intent: Call;
  candidates: ToolDef[];
  index: number;
  params: Record<string, string>;
  /** Canonical arguments whose parameter was a guess (not a name match): the first to revise. */
  guessed: Set<string>;
  /** Parameters already tried and rejected, per canonical argument. */
  rejected: Record<string, Set<string>>;
  extra: Record<string, unknown>;
  tries: number;
  /** Probe mode: the canonical tool name is still to be tried (it is not visible). */
  probeName?: boolean;
  /** Probe mode: the first call on a candidate uses the canonical argument names. */
  probeArgs?: boolean;
  /** A mapping that worked but returned nothing, kept while better ones are tried (trial only). */
  fallback?: { params: Record<string, string>; extra: Record<string, unknown> };
}

const jsonType = (v: unknown): string => (v === null ? "null" : typeof v);

/** Could this value go into a parameter with this schema? */
export function fits(value: unknown, schema: Record<string, unknown>): boolean {
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return false;
  const t = schema.type;
  const types = Array.isArray(t) ? t : t === undefined ? [] : [t];
  if (types.length > 0) {
    const ok = types.some((x) =>
      x === "integer"
        ? Number.isInteger(value)
        : x === "number"
        ? typeof value === "number"
        : x === "array"
        ? Array.isArray(value)
        : x === "object"
        ? typeof value === "object" && value !== null && !Array.isArray(value)
        : x === "null"
        ? value === null
        : jsonType(value) === x
    );
    if (!ok) return false;
  }
  if (typeof schema.pattern === "string" && typeof value === "string") {
    try {
      if (!new RegExp(schema.pattern).test(value)) return false;
    } catch { /* an odd pattern says nothing */ }
  }
  return true;
}

/**
 * Visible parameters that could carry a canonical argument, best first: a name or changelog match,
 * then every other parameter the value fits, ranked by how well its name and description match.
 */
export function paramOptions(
  arg: string,
  value: unknown,
  tool: ToolDef,
  exclude: ReadonlySet<string>,
): string[] {
  const props = (tool.parameters.properties ?? {}) as Record<string, Record<string, unknown>>;
  const first = matchParam(arg, tool, new Set(exclude));
  const argWords = words(arg);
  const rest = Object.entries(props)
    .filter(([p, schema]) => p !== first && !exclude.has(p) && fits(value, schema))
    .map(([p, schema], i) => ({
      p,
      i,
      s: nameSimilarity(arg, p) +
        overlap(argWords, new Set(words(`${p} ${String(schema.description ?? "")}`))),
    }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.p);
  return first ? [first, ...rest] : rest;
}

/** Is a result empty (nothing found)? Then a guessed parameter may have been the wrong one. */
function emptyResult(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === "string") return v.trim() === "" || v.trim() === "(no results)";
  return false;
}

/** The arguments for an intent under a learned mapping, in the units the tool's changelog gives. */
function visibleArgs(
  intent: Call,
  tool: ToolDef,
  params: Record<string, string>,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const { factor } = readChangelog(tool.description);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(intent.args)) {
    const p = params[k] ?? k;
    out[p] = typeof v === "number" && factor[p] ? v * factor[p] : v;
  }
  return { ...out, ...extra };
}

const MAX_TRIES_PER_TOOL = 6;
const MAX_CANDIDATES = 4;

/**
 * The trial-phase teacher. Knows each step's canonical intent (the gold calls) but not the
 * interface it will meet: it finds the tool and argument names that carry each intent out by
 * trying them, reading errors, and remembering what worked. In a trial protocol it does its
 * exploring on the sandbox, then executes with what it learned.
 *
 * With `probe: true` (a training teacher, `scripted: explorer` with `options: { probe: true }`) its
 * trial phase first tries what it remembers — the canonical tool name, then the canonical argument
 * names — and recovers from the errors the sandbox answers with, so trial data holds wrong guesses,
 * the errors and the corrections. On an unchanged interface the probe is the right call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { explorerAgent } from "./explorer.ts";
 * assert.ok(explorerAgent("teacher", { probe: true }).name === "teacher");
 * ```
 */
export function explorerAgent(name = "explorer", opts: { probe?: boolean } = {}): Agent {
  return {
    name,
    start(ctx): AgentSession {
      const intents = ctx.task.gold;
      const learned = new Map<string, Learned>();
      let attempt: Attempt | undefined;
      let phase: "trial" | "execute" | undefined;
      let step = 0; // next intent (execute) or next distinct tool to learn (trial)
      let failed = false;
      let seq = 0;
      let retries = 0;
      let last: { name: string; args: Record<string, unknown> } | undefined;
      const send = (c: { name: string; args: Record<string, unknown> }) => {
        last = c;
        return callTools([c], `${name}_${seq++}`);
      };
      const trialTargets = [...new Map(intents.map((c) => [c.tool, c])).values()];

      const startAttempt = (
        intent: Call,
        tools: readonly ToolDef[],
        probe = false,
      ): Attempt => ({
        intent,
        candidates: rankTools(intent, tools).slice(0, MAX_CANDIDATES),
        index: 0,
        params: {},
        guessed: new Set(),
        rejected: {},
        extra: {},
        tries: 0,
        probeName: probe && !tools.some((t) => t.name === intent.tool),
        probeArgs: probe,
      });
      /** The next parameter to try for a canonical argument, or undefined when none is left. */
      const nextOption = (a: Attempt, k: string): string | undefined => {
        const tool = a.candidates[a.index];
        const others = Object.entries(a.params).filter(([j]) => j !== k).map(([, p]) => p);
        return paramOptions(
          k,
          a.intent.args[k],
          tool,
          new Set([...others, ...(a.rejected[k] ?? [])]),
        )[0];
      };
      const reject = (a: Attempt, k: string) => {
        (a.rejected[k] ??= new Set()).add(a.params[k]);
        delete a.params[k];
      };
      const callFor = (a: Attempt) => {
        if (a.probeName) {
          // What a memorizer would send: the name it knows, which this interface does not have.
          return send({ name: a.intent.tool, args: { ...a.intent.args } });
        }
        a.tries++;
        const tool = a.candidates[a.index];
        if (a.probeArgs) {
          // The argument names it knows, where the tool has no better-named home for them.
          a.probeArgs = false;
          for (const k of Object.keys(a.intent.args)) a.params[k] = k, a.guessed.add(k);
        }
        for (const k of Object.keys(a.intent.args)) {
          if (a.params[k]) continue;
          const p = nextOption(a, k);
          a.params[k] = p ?? k;
          const named = p !== undefined && (p === k || nameSimilarity(k, p) >= 0.75 ||
            readChangelog(tool.description).renamed[k] === p);
          if (named) a.guessed.delete(k);
          else a.guessed.add(k);
        }
        return send({ name: tool.name, args: visibleArgs(a.intent, tool, a.params, a.extra) });
      };
      const learnedCall = (intent: Call) => {
        const l = learned.get(intent.tool)!;
        return send({ name: l.tool.name, args: visibleArgs(intent, l.tool, l.params, l.extra) });
      };

      /** Update the attempt from the result of its last call; true when the intent is carried out. */
      const absorb = (
        a: Attempt,
        r: SeenResult,
        inTrial: boolean,
        tools: readonly ToolDef[],
      ): "done" | "retry" | "exhausted" => {
        if (a.probeName) {
          // The remembered name is gone (the error says so): now read the tool list.
          a.probeName = false;
          return "retry";
        }
        const tool = a.candidates[a.index];
        // In the sandbox, an empty answer to a guessed mapping is worth a second guess.
        if (inTrial && r.ok && emptyResult(r.value) && a.tries < MAX_TRIES_PER_TOOL) {
          const k = [...a.guessed].find((g) => nextOption(a, g) !== undefined);
          if (k) {
            a.fallback ??= { params: { ...a.params }, extra: { ...a.extra } };
            reject(a, k);
            return "retry";
          }
        }
        const accepted = r.ok || (inTrial && r.error?.kind === "tool_error");
        if (accepted) {
          const use = r.ok && emptyResult(r.value) && a.fallback ? a.fallback : a;
          learned.set(a.intent.tool, { tool, params: { ...use.params }, extra: { ...use.extra } });
          return "done";
        }
        if (r.error?.kind === "deprecated") {
          // The error names the replacement: try it next.
          const named = r.error.message.match(/use (\S+) instead/)?.[1];
          const replacement = tools.find((t) => t.name === named);
          if (replacement) {
            a.candidates = a.candidates.filter((t) => t !== replacement);
            a.candidates.splice(a.index + 1, 0, replacement);
          }
        } else if (r.error?.kind === "invalid_arguments" && a.tries < MAX_TRIES_PER_TOOL) {
          const { missing, unknown } = readArgumentErrors(r.error.message);
          const props = (tool.parameters.properties ?? {}) as Record<
            string,
            Record<string, unknown>
          >;
          let changed = false;
          const open = missing.filter((m) =>
            !Object.values(a.params).includes(m) && pinnedValue(props[m]) === undefined
          );
          for (const u of unknown) {
            const canon = Object.keys(a.params).find((k) => a.params[k] === u);
            if (!canon) continue;
            reject(a, canon);
            // A required parameter nobody fills is the likeliest home for the rejected argument.
            const m = open.find((m) => props[m] && fits(a.intent.args[canon], props[m]));
            const replacement = m ?? nextOption(a, canon);
            if (replacement) {
              a.params[canon] = replacement;
              if (m) open.splice(open.indexOf(m), 1);
              changed = true;
            }
          }
          // Still missing: move a guessed argument whose value fits there.
          for (const m of open) {
            const k = [...a.guessed].find((g) =>
              a.params[g] !== m && !a.rejected[g]?.has(m) && props[m] &&
              fits(a.intent.args[g], props[m])
            );
            if (k) reject(a, k), a.params[k] = m, changed = true;
          }
          for (const m of missing) {
            const v = pinnedValue(props[m]);
            if (v !== undefined && !(m in a.extra)) a.extra[m] = v, changed = true;
          }
          if (changed) return "retry";
        }
        a.index++;
        a.params = {};
        a.guessed = new Set();
        a.rejected = {};
        a.extra = {};
        a.tries = 0;
        a.fallback = undefined;
        return a.index < a.candidates.length ? "retry" : "exhausted";
      };

      const notes = () =>
        "Notes from the trial phase: " +
        ([...learned.entries()].map(([canon, l]) =>
          `${canon} → ${l.tool.name}(${
            [
              ...Object.entries(l.params).map(([k, p]) => (k === p ? k : `${k} as ${p}`)),
              ...Object.entries(l.extra).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
            ].join(", ")
          })`
        ).join("; ") || "nothing learned");

      return {
        act(messages: readonly Message[], tools, turn) {
          if (turn.phase !== phase) {
            phase = turn.phase;
            step = 0;
            attempt = undefined;
          }
          const results = latestResults(messages);
          // A timeout or rate limit says nothing about the interface: send the same call again.
          if (results.length > 0 && transient(results[0]) && last && retries < MAX_RETRIES) {
            if (turn.phase === "execute" || (turn.callsLeft ?? 0) > 0) {
              retries++;
              return Promise.resolve(send(last));
            }
          }
          retries = 0;
          if (turn.phase === "trial") {
            if (attempt && results.length > 0) {
              const outcome = absorb(attempt, results[0], true, tools);
              if (outcome !== "retry") attempt = undefined, step++;
            }
            while (!attempt && step < trialTargets.length && learned.has(trialTargets[step].tool)) {
              step++;
            }
            if ((turn.callsLeft ?? 0) <= 0 || (!attempt && step >= trialTargets.length)) {
              return Promise.resolve(say(notes()));
            }
            attempt ??= startAttempt(trialTargets[step], tools, opts.probe);
            return Promise.resolve(callFor(attempt));
          }
          // Execution phase: one intent at a time, exploring only what the trial did not settle.
          if (results.length > 0) {
            if (attempt) {
              const outcome = absorb(attempt, results[0], false, tools);
              if (outcome === "done") attempt = undefined, step++;
              else if (outcome === "exhausted") failed = true, attempt = undefined, step++;
            } else if (!results[0].ok) {
              // A learned call failed now: forget it and explore this intent afresh.
              learned.delete(intents[step].tool);
              attempt = startAttempt(intents[step], tools);
              return Promise.resolve(callFor(attempt));
            } else step++;
          }
          if (attempt) return Promise.resolve(callFor(attempt));
          if (step >= intents.length) {
            return Promise.resolve(say(failed ? GIVE_UP : ctx.task.answer));
          }
          const intent = intents[step];
          if (learned.has(intent.tool)) return Promise.resolve(learnedCall(intent));
          attempt = startAttempt(intent, tools);
          return Promise.resolve(callFor(attempt));
        },
      };
    },
  };
}
