import type { EnvSpec, SuiteSpec, TaskSpec } from "../spec/types.ts";
import { declarativeEnv } from "../tools/mod.ts";
import type { Env } from "../tools/types.ts";
import type { Agent } from "./agent.ts";
import { scriptedAgent } from "./agents/mod.ts";
import { runEpisode } from "./episode.ts";
import type { EpisodeRecord } from "./events.ts";
import { deriveSeed } from "./rng.ts";

/** One planned episode. */
export interface PlannedEpisode {
  index: number;
  id: string;
  env: EnvSpec;
  task: TaskSpec;
  agent: string;
  protocol: string;
  seed: number;
  sample: number;
  /** Seed of this episode's generator: a function of (run seed, env, task, agent, protocol, sample). */
  episodeSeed: number;
}

export interface RunOptions {
  /** Restrict to these agent names (default: all in the suite). */
  agents?: string[];
  protocols?: string[];
  samples?: number;
  seeds?: number[];
  /** Episodes in flight at once; results do not depend on it. */
  concurrency?: number;
  /** Called in plan order as soon as each episode (and all before it) is done. */
  onEpisode?: (rec: EpisodeRecord, done: number, total: number) => void | Promise<void>;
}

/** Every episode the suite asks for, in a fixed order: env, task, agent, protocol, seed, sample. */
export function planRun(suite: SuiteSpec, opts: RunOptions = {}): PlannedEpisode[] {
  const agents = suite.agents.filter((a) => !opts.agents || opts.agents.includes(a.name));
  const protocols = suite.protocols.filter((p) =>
    !opts.protocols || opts.protocols.includes(p.name)
  );
  const seeds = opts.seeds ?? suite.seeds;
  const samples = opts.samples ?? suite.samples;
  const plan: PlannedEpisode[] = [];
  for (const env of suite.envs) {
    for (const task of env.tasks) {
      for (const agent of agents) {
        for (const protocol of protocols) {
          for (const seed of seeds) {
            for (let sample = 0; sample < samples; sample++) {
              plan.push({
                index: plan.length,
                id: `${env.name}/${task.id}/${agent.name}/${protocol.name}/${seed}.${sample}`,
                env,
                task,
                agent: agent.name,
                protocol: protocol.name,
                seed,
                sample,
                episodeSeed: deriveSeed(seed, env.name, task.id, agent.name, protocol.name, sample),
              });
            }
          }
        }
      }
    }
  }
  return plan;
}

/**
 * Run a suite's episodes with bounded concurrency. Records come back (and `onEpisode` fires) in
 * plan order, so the output is the same for any concurrency.
 */
export async function runSuite(suite: SuiteSpec, opts: RunOptions = {}): Promise<EpisodeRecord[]> {
  const plan = planRun(suite, opts);
  const envs = new Map<string, Env>(suite.envs.map((e) => [e.name, declarativeEnv(e)]));
  const agents = new Map<string, Agent>(suite.agents.map((a) => [a.name, scriptedAgent(a)]));
  const protocols = new Map(suite.protocols.map((p) => [p.name, p]));
  const results: (EpisodeRecord | undefined)[] = new Array(plan.length);
  let emitted = 0;
  let cursor = 0;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  let flushing = Promise.resolve();

  const flush = async () => {
    while (emitted < plan.length && results[emitted]) {
      const rec = results[emitted]!;
      emitted++;
      await opts.onEpisode?.(rec, emitted, plan.length);
    }
  };
  const worker = async () => {
    while (cursor < plan.length) {
      const p = plan[cursor++];
      results[p.index] = await runEpisode(envs.get(p.env.name)!, p.task, {
        agent: agents.get(p.agent)!,
        protocol: protocols.get(p.protocol)!,
        episode: { id: p.id, seed: p.episodeSeed, sample: p.sample },
      });
      flushing = flushing.then(flush);
      await flushing;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, plan.length) }, worker));
  await flushing;
  return results as EpisodeRecord[];
}
