import { editDistance } from "../../spec/mod.ts";
import type { Call } from "../../spec/types.ts";
import type { ToolDef } from "../../tools/types.ts";
import type { Agent, AgentSession } from "../agent.ts";
import { callTools, type Message, say } from "../messages.ts";
import { GIVE_UP, latestResults, type SeenResult } from "./common.ts";

/** Words of an identifier or sentence: `getBookById`, `get_book-by id` → get, book, by, id. */
export function words(s: string): string[] {
  return s
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

function nameSimilarity(a: string, b: string): number {
  const x = a.toLowerCase().replace(/[^a-z0-9]/g, ""),
    y = b.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (x.length === 0 || y.length === 0) return 0;
  return 1 - editDistance(x, y) / Math.max(x.length, y.length);
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

/** Best visible parameter for a canonical argument name, or undefined. */
export function matchParam(arg: string, tool: ToolDef, taken: Set<string>): string | undefined {
  const props = (tool.parameters.properties ?? {}) as Record<string, { description?: string }>;
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
  tool: string;
  /** canonical argument → visible parameter */
  params: Record<string, string>;
}

interface Attempt {
  intent: Call;
  candidates: ToolDef[];
  index: number;
  params: Record<string, string>;
  tries: number;
}

const MAX_TRIES_PER_TOOL = 3;
const MAX_CANDIDATES = 4;

/**
 * The trial-phase teacher. Knows each step's canonical intent (the gold calls) but not the
 * interface it will meet: it finds the tool and argument names that carry each intent out by
 * trying them, reading errors, and remembering what worked. In a trial protocol it does its
 * exploring on the sandbox, then executes with what it learned.
 */
export function explorerAgent(name = "explorer"): Agent {
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
      const trialTargets = [...new Map(intents.map((c) => [c.tool, c])).values()];

      const startAttempt = (intent: Call, tools: readonly ToolDef[]): Attempt => ({
        intent,
        candidates: rankTools(intent, tools).slice(0, MAX_CANDIDATES),
        index: 0,
        params: {},
        tries: 0,
      });
      const argsFor = (a: Attempt): Record<string, unknown> => {
        const tool = a.candidates[a.index];
        const taken = new Set<string>(Object.values(a.params));
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(a.intent.args)) {
          const p = a.params[k] ?? matchParam(k, tool, taken) ?? k;
          a.params[k] = p;
          taken.add(p);
          out[p] = v;
        }
        return out;
      };
      const callFor = (a: Attempt) => {
        a.tries++;
        return callTools(
          [{ name: a.candidates[a.index].name, args: argsFor(a) }],
          `${name}_${seq++}`,
        );
      };
      const learnedCall = (intent: Call) => {
        const l = learned.get(intent.tool)!;
        const args: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(intent.args)) args[l.params[k] ?? k] = v;
        return callTools([{ name: l.tool, args }], `${name}_${seq++}`);
      };

      /** Update the attempt from the result of its last call; true when the intent is carried out. */
      const absorb = (
        a: Attempt,
        r: SeenResult,
        inTrial: boolean,
      ): "done" | "retry" | "exhausted" => {
        const tool = a.candidates[a.index];
        const accepted = r.ok || (inTrial && r.error?.kind === "tool_error");
        if (accepted) {
          learned.set(a.intent.tool, { tool: tool.name, params: { ...a.params } });
          return "done";
        }
        if (r.error?.kind === "invalid_arguments" && a.tries < MAX_TRIES_PER_TOOL) {
          const { missing, unknown } = readArgumentErrors(r.error.message);
          for (const u of unknown) {
            const canon = Object.keys(a.params).find((k) => a.params[k] === u);
            if (!canon) continue;
            const replacement = missing.find((m) => !Object.values(a.params).includes(m)) ??
              matchParam(canon, tool, new Set(Object.values(a.params)));
            if (replacement) a.params[canon] = replacement;
          }
          if (unknown.length > 0 || missing.length > 0) return "retry";
        }
        a.index++;
        a.params = {};
        a.tries = 0;
        return a.index < a.candidates.length ? "retry" : "exhausted";
      };

      const notes = () =>
        "Notes from the trial phase: " +
        ([...learned.entries()].map(([canon, l]) =>
          `${canon} → ${l.tool}(${
            Object.entries(l.params).map(([k, p]) => (k === p ? k : `${k} as ${p}`)).join(", ")
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
          if (turn.phase === "trial") {
            if (attempt && results.length > 0) {
              const outcome = absorb(attempt, results[0], true);
              if (outcome !== "retry") attempt = undefined, step++;
            }
            while (!attempt && step < trialTargets.length && learned.has(trialTargets[step].tool)) {
              step++;
            }
            if ((turn.callsLeft ?? 0) <= 0 || (!attempt && step >= trialTargets.length)) {
              return Promise.resolve(say(notes()));
            }
            attempt ??= startAttempt(trialTargets[step], tools);
            return Promise.resolve(callFor(attempt));
          }
          // Execution phase: one intent at a time, exploring only what the trial did not settle.
          if (results.length > 0) {
            if (attempt) {
              const outcome = absorb(attempt, results[0], false);
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
