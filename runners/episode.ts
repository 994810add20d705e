import type { Call, EpisodeSplit, ProtocolSpec, State, TaskSpec } from "../spec/types.ts";
import { astMatch, checkTask } from "../tasks/mod.ts";
import { type Env, INVALID_KINDS, type Observation } from "../tools/types.ts";
import type { VariantEnv } from "../variants/types.ts";
import type { Agent, Phase } from "./agent.ts";
import type { EpisodeEvent, EpisodeMetrics, EpisodeRecord } from "./events.ts";
import type { Message } from "./messages.ts";
import { prompts } from "./prompts.ts";
import { createRng } from "./rng.ts";

export interface EpisodeOptions {
  id: string;
  seed: number;
  sample: number;
  /** Where the task stands relative to training (default: from the task's own split). */
  split?: EpisodeSplit;
  /** Position in the run's plan (default 0). */
  index?: number;
  /** The run seed (default: the episode seed). */
  runSeed?: number;
}

/**
 * What the agent reads back from a tool call: the result as JSON (a result that is already text,
 * e.g. CSV from an output_format variant, as is), or `{"error": kind, "message": …}`.
 */
export function observationText(o: Observation): string {
  if (o.ok) return typeof o.result === "string" ? o.result : JSON.stringify(o.result);
  return JSON.stringify({ error: o.error.kind, message: o.error.message });
}

const isVariant = (env: Env): env is VariantEnv => "toVisible" in env;

/**
 * Run one episode of `task` in `env` with `agent` under `protocol`.
 * Never throws for agent or tool failures: they end up in the record.
 *
 * @example
 * ```ts
 * import { loadEnv } from "../spec/mod.ts";
 * import { declarativeEnv } from "../tools/mod.ts";
 * import { runEpisode } from "./episode.ts";
 * import { scriptedAgent } from "./agents/mod.ts";
 * const spec = await loadEnv("envs/library");
 * const rec = await runEpisode(declarativeEnv(spec), spec.tasks[0], {
 *   agent: scriptedAgent({ name: "oracle", scripted: "oracle", options: {} }),
 *   protocol: { name: "direct", kind: "direct", trialBudget: 0, maxTurns: 12 },
 *   episode: { id: "e1", seed: 1, sample: 0 },
 * });
 * console.assert(rec.success);
 * ```
 */
export async function runEpisode(
  env: Env | VariantEnv,
  task: TaskSpec,
  opts: { agent: Agent; protocol: ProtocolSpec; episode: EpisodeOptions },
): Promise<EpisodeRecord> {
  const { agent, protocol, episode } = opts;
  const t0 = performance.now();
  const events: EpisodeEvent[] = [];
  const id = episode.id;
  const variant = isVariant(env)
    ? { name: env.variant, toVisible: env.toVisible }
    : { name: "clean", toVisible: (c: Call) => c };
  const split = episode.split ?? (task.split === "unseen" ? "unseen_task" : "seen");
  events.push({
    v: 1,
    type: "episode",
    episode: id,
    index: episode.index ?? 0,
    env: env.name,
    task: task.id,
    variant: variant.name,
    split,
    agent: agent.name,
    protocol: protocol.name,
    run_seed: episode.runSeed ?? episode.seed,
    seed: episode.seed,
    sample: episode.sample,
  });
  const metrics: EpisodeMetrics = {
    calls: 0,
    trial_calls: 0,
    invalid_calls: 0,
    trial_invalid_calls: 0,
    failed_calls: 0,
    self_corrections: 0,
    turns: 0,
    ast_match: false,
  };
  const executed: Call[] = [];
  const messages: Message[] = [];
  const post = (phase: Phase, message: Message) => {
    messages.push(message);
    if (message.role !== "tool") {
      events.push({ v: 1, type: "message", episode: id, phase, message });
    }
  };
  let error: string | null = null;
  let answer: string | null = null;
  let finalState: State = env.initialState;

  try {
    const session = agent.start({
      task,
      protocol,
      seed: episode.seed,
      rng: createRng(episode.seed),
      variant,
    });

    /** Runs one phase from `state`; returns the final plain message (or null) and the end state. */
    const phase = async (name: Phase, start: State, budget: number | undefined) => {
      let state = start;
      let lastFailed = false;
      let used = 0;
      for (let turn = 0; turn < protocol.maxTurns; turn++) {
        const callsLeft = budget === undefined ? undefined : budget - used;
        const reply = await session.act(messages, env.tools, { phase: name, callsLeft });
        metrics.turns++;
        post(name, reply);
        const calls = reply.tool_calls ?? [];
        if (calls.length === 0) return { text: reply.content ?? "", state };
        for (const tc of calls) {
          const call = { id: tc.id, name: tc.function.name, arguments: tc.function.arguments };
          const c0 = performance.now();
          // Over budget: answered, but not run and not counted.
          const runs = budget === undefined || used < budget;
          let observation: Observation;
          let canonical: Call | null = null;
          if (runs) {
            used++;
            const r = await env.step(state, call);
            state = r.state;
            observation = r.observation;
            canonical = r.canonical !== undefined
              ? r.canonical
              : { tool: call.name, args: parseMaybe(call.arguments) as Record<string, unknown> };
            if (canonical && name === "execute") executed.push(canonical);
          } else {
            observation = {
              ok: false,
              error: { kind: "tool_error", message: prompts.budgetExhausted(budget) },
            };
          }
          const invalid = !observation.ok && INVALID_KINDS.has(observation.error.kind);
          if (runs) {
            if (name === "trial") {
              metrics.trial_calls++;
              if (invalid) metrics.trial_invalid_calls++;
            } else {
              metrics.calls++;
              if (invalid) metrics.invalid_calls++;
            }
            if (!observation.ok) metrics.failed_calls++;
            if (lastFailed && observation.ok) metrics.self_corrections++;
            lastFailed = !observation.ok;
          }
          events.push({
            v: 1,
            type: "tool",
            episode: id,
            phase: name,
            call: { id: call.id, name: call.name, arguments: parseMaybe(call.arguments) },
            canonical,
            observation,
            invalid,
            ms: round(performance.now() - c0),
          });
          messages.push({
            role: "tool",
            tool_call_id: tc.id,
            name: tc.function.name,
            content: observationText(observation),
          });
        }
        // Only the trial phase has a budget; once it is spent the phase ends.
        if (budget !== undefined && used >= budget) return { text: null, state };
      }
      return { text: null, state };
    };

    if (protocol.kind === "direct") {
      post("execute", { role: "system", content: prompts.direct() });
      post("execute", { role: "user", content: task.query });
    } else {
      post("trial", { role: "system", content: prompts.trialSystem(protocol.trialBudget) });
      post("trial", { role: "user", content: prompts.trialUser(task) });
      // The trial phase's end state is the sandbox: it is thrown away.
      if (protocol.trialBudget > 0) await phase("trial", env.initialState, protocol.trialBudget);
      events.push({ v: 1, type: "phase", episode: id, phase: "execute" });
      post("execute", { role: "user", content: prompts.executeUser(task) });
    }
    const r = await phase("execute", env.initialState, undefined);
    finalState = r.state;
    answer = r.text;
    if (answer === null) error = `no final answer within ${protocol.maxTurns} turns`;
  } catch (err) {
    error = `agent failed: ${err instanceof Error ? err.message : String(err)}`;
  }

  metrics.ast_match = astMatch(task.gold, executed);
  const verdict = await checkTask(task, answer, finalState);
  if (answer === null) {
    verdict.checks.unshift({ name: "answered", passed: false, detail: error ?? "no final answer" });
    verdict.passed = false;
  }
  const ms = round(performance.now() - t0);
  events.push({
    v: 1,
    type: "result",
    episode: id,
    success: verdict.passed,
    answer,
    checks: verdict.checks,
    metrics,
    error,
    ms,
  });
  return {
    id,
    env: env.name,
    task: task.id,
    variant: variant.name,
    split,
    tags: task.tags,
    agent: agent.name,
    protocol: protocol.name,
    seed: episode.seed,
    sample: episode.sample,
    success: verdict.passed,
    answer,
    metrics,
    error,
    ms,
    events,
  };
}

function parseMaybe(raw: string | Record<string, unknown>): unknown {
  if (typeof raw !== "string") return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
