import { join } from "node:path";
import type { AgentSpec, ProtocolSpec, SuiteSpec } from "../spec/types.ts";
import { observationText } from "../runners/episode.ts";
import type { EpisodeEvent, EpisodeRecord } from "../runners/events.ts";
import type { Message } from "../core/messages.ts";
import { checkEndpoints, closeAgents, openAgents } from "../runners/agents/mod.ts";
import { runSuite, variantEnvs } from "../runners/run.ts";
import { DEFAULT_MAX_TURNS } from "../spec/load_suite.ts";
import { variantsFor } from "../variants/mod.ts";
import type { TrainingContext } from "./context.ts";
import type { StageSpec, SynthesizeStage } from "./spec.ts";
import { type ChatExample, openaiTools, tokenizeChat } from "./tokenize.ts";
import { evaluatedNames, interfaceNames } from "./leakage.ts";

/** The conversation of an episode, rebuilt from its events (tool results as the agent read them). */
export function episodeMessages(events: readonly EpisodeEvent[]): Message[] {
  const out: Message[] = [];
  for (const ev of events) {
    if (ev.type === "message") out.push(ev.message);
    else if (ev.type === "tool") {
      out.push({
        role: "tool",
        tool_call_id: ev.call.id,
        name: ev.call.name,
        content: observationText(ev.observation),
      });
    }
  }
  return out;
}

/** The protocol a synthesize style runs its teacher under. */
export function styleProtocol(
  style: "trial" | "direct" | "trajectory",
  budget: number,
): ProtocolSpec {
  return style === "trial"
    ? { name: "trial", kind: "trial", trialBudget: budget, maxTurns: DEFAULT_MAX_TURNS }
    : { name: "direct", kind: "direct", trialBudget: 0, maxTurns: DEFAULT_MAX_TURNS };
}

/** What a synthesize stage made, and why episodes were left out. */
export interface SynthesisStats {
  episodes: number;
  kept: number;
  /**
   * `leaked`: the interface used a tool or parameter name of an evaluated interface; `duplicate`:
   * the very conversation was kept already (clean runs once per seed and plays out the same).
   */
  dropped: {
    failed: number;
    too_long: number;
    invalid_calls: number;
    leaked: number;
    duplicate: number;
  };
  tokens: { total: number; assistant: number; mean: number; max: number };
  by_variant: Record<string, { episodes: number; kept: number }>;
  trial_calls_mean: number;
  calls_mean: number;
}

/**
 * Roll out the teacher on the training tasks (seen only) under every training variant and seed,
 * keep the episodes the filters accept, and write them as chat JSONL (`data.jsonl`: messages,
 * tools and where each came from) with `stats.json`.
 */
export async function synthesize(
  ctx: TrainingContext,
  stage: StageSpec & SynthesizeStage,
  dir: string,
): Promise<SynthesisStats> {
  const spec = ctx.spec;
  const base = teacherSpec(spec.suite, stage.teacher);
  const teacher = stage.probe && base.kind === "scripted"
    ? { ...base, options: { ...base.options, probe: true } }
    : base;
  const protocol = styleProtocol(
    stage.style === "trial" ? "trial" : "direct",
    spec.data.trial_budget,
  );
  const suite: SuiteSpec = { ...spec.suite, agents: [teacher], protocols: [protocol] };
  const envOf = variantEnvs(suite);
  const stats: SynthesisStats = {
    episodes: 0,
    kept: 0,
    dropped: { failed: 0, too_long: 0, invalid_calls: 0, leaked: 0, duplicate: 0 },
    tokens: { total: 0, assistant: 0, mean: 0, max: 0 },
    by_variant: {},
    trial_calls_mean: 0,
    calls_mean: 0,
  };
  const lines: string[] = [];
  const evaluated = evaluatedNames(spec);
  const seen = new Set<string>();
  const take = (rec: EpisodeRecord) => {
    stats.episodes++;
    const v = (stats.by_variant[rec.variant] ??= { episodes: 0, kept: 0 });
    v.episodes++;
    if (stage.keep.success && !rec.success) return void stats.dropped.failed++;
    const maxInvalid = stage.keep.max_invalid_calls;
    if (maxInvalid !== undefined && rec.metrics.invalid_calls > maxInvalid) {
      return void stats.dropped.invalid_calls++;
    }
    const head = rec.events[0] as Extract<EpisodeEvent, { type: "episode" }>;
    const env = suite.envs.find((e) => e.name === rec.env)!;
    const variant = variantsFor(suite, env).find((x) => x.name === rec.variant)!;
    const tools = envOf(rec.env, variant, head.run_seed).tools;
    // A random name can coincide with one evaluation shows: such an episode is left out.
    if (interfaceNames(tools).some((n) => evaluated.has(n))) return void stats.dropped.leaked++;
    const messages = episodeMessages(rec.events);
    const tok = tokenizeChat({ messages, tools }, {
      template: ctx.template,
      tokenizer: ctx.tokenizer,
      endTurn: "<|im_end|>",
    });
    if (tok.ids.length > stage.keep.max_tokens) return void stats.dropped.too_long++;
    const ex: ChatExample = { messages, tools: openaiTools(tools) };
    const same = JSON.stringify(ex); // duplicates compare the conversation, not where it came from
    if (stage.keep.unique && seen.has(same)) return void stats.dropped.duplicate++;
    seen.add(same);
    const meta = { env: rec.env, task: rec.task, variant: rec.variant, seed: head.run_seed };
    lines.push(JSON.stringify({ ...ex, meta }));
    stats.kept++;
    v.kept++;
    stats.tokens.total += tok.ids.length;
    stats.tokens.assistant += tok.mask.reduce((a, b) => a + b, 0);
    stats.tokens.max = Math.max(stats.tokens.max, tok.ids.length);
    stats.trial_calls_mean += rec.metrics.trial_calls;
    stats.calls_mean += rec.metrics.calls;
  };
  // An endpoint teacher keeps its replies in the stage folder: a rerun after a crash pays once.
  const open = await openAgents([teacher], { endpoints: { cacheDir: join(dir, "cache") } });
  try {
    await checkEndpoints(open, (note) => ctx.log(`  ${note}`));
    await runSuite(suite, {
      open,
      variants: spec.data.variants,
      splits: ["seen"],
      seeds: spec.data.seeds,
      samples: stage.samples,
      keep: false,
      onEpisode: (rec, done, total) => {
        take(rec);
        if (done % 50 === 0 || done === total) {
          ctx.log(`  ${stage.name}: ${done}/${total} episodes, ${stats.kept} kept`);
        }
      },
    });
  } finally {
    await closeAgents(open);
  }
  if (stats.kept > 0) {
    stats.tokens.mean = Math.round(stats.tokens.total / stats.kept);
    stats.trial_calls_mean = round2(stats.trial_calls_mean / stats.kept);
    stats.calls_mean = round2(stats.calls_mean / stats.kept);
  }
  await Deno.writeTextFile(join(dir, "data.jsonl"), lines.join("\n") + (lines.length ? "\n" : ""));
  await Deno.writeTextFile(join(dir, "stats.json"), JSON.stringify(stats, null, 2) + "\n");
  return stats;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * The agent a synthesize stage's teacher names: a scripted reference, or an agent of the suite (an
 * endpoint model, an ONNX policy) under the name `teacher`.
 */
export function teacherSpec(suite: SuiteSpec, name: string): AgentSpec {
  const own = suite.agents.find((a) => a.name === name);
  if (own && own.kind !== "scripted") return { ...own, name: "teacher", only: undefined };
  return {
    name: "teacher",
    kind: "scripted",
    scripted: (own?.kind === "scripted" ? own.scripted : name) as "explorer",
    options: own?.kind === "scripted" ? own.options : {},
  };
}
