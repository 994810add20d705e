import { join } from "node:path";
import type { EpisodeRecord } from "../runners/events.ts";
import { runEpisode } from "../runners/episode.ts";
import { openOnnxAgent } from "../runners/agents/onnx.ts";
import { tinyModelFiles, writeFolder } from "../onnx/build/tiny_folder.ts";
import { createRng, deriveSeed } from "../runners/rng.ts";
import { variantEnvs } from "../runners/run.ts";
import { trainingTasks } from "../tasks/mod.ts";
import { variantsFor } from "../variants/mod.ts";
import type { TrainingContext } from "./context.ts";
import { readWeights } from "./export.ts";
import { Learner } from "./learner.ts";
import { type GrpoStage, type StageSpec, trainerThreads } from "./spec.ts";
import { episodeMessages, styleProtocol } from "./synthesize.ts";
import { tokenizeChat } from "./tokenize.ts";
import { episodeReward, groupAdvantages } from "./rewards.ts";
import { evaluatedNames, interfaceNames } from "./leakage.ts";

/** One GRPO step's log line. */
export interface GrpoStepLog {
  step: number;
  reward: number;
  success: number;
  calls: number;
  trial_calls: number;
  format: number;
  kl: number;
  loss: number;
  clip_frac: number;
  trained_sequences: number;
  /** Tokens of the trained sequences (the shared system prompt counted once per group). */
  trained_tokens: number;
  /** The longest trained sequence, in tokens. */
  longest: number;
  /** Trained sequences cut at the stage's `max_tokens`. */
  truncated: number;
  rollout_s: number;
  update_s: number;
}

/**
 * GRPO: each step exports the policy to ONNX, plays `group` rollouts of `tasks_per_step` training
 * tasks (seen only, under the training variants) through the ONNX agent in one batch, turns the
 * rewards into group-normalised advantages and sends the episodes' tokens to the trainer for a
 * clipped-ratio update with a KL penalty to the starting policy.
 */
export async function grpo(
  ctx: TrainingContext,
  stage: StageSpec & GrpoStage,
  opts: { dir: string; weights: string | null },
): Promise<
  {
    steps: number;
    log: GrpoStepLog[];
    first: GrpoStepLog | null;
    last: GrpoStepLog | null;
    skipped: string | null;
  }
> {
  const spec = ctx.spec;
  const suite = spec.suite;
  const envOf = variantEnvs(suite);
  // Rollouts are training data too: interfaces with an evaluated name are left out.
  const evaluated = evaluatedNames(spec);
  const pool = trainingTasks(suite).flatMap(({ env, task }) =>
    variantsFor(suite, env).filter((v) => spec.data.variants.includes(v.name)).flatMap((variant) =>
      spec.data.seeds.map((seed) => ({ env, task, variant, seed }))
    )
  ).filter((p) =>
    !interfaceNames(envOf(p.env.name, p.variant, p.seed).tools).some((n) => evaluated.has(n))
  );
  const protocol = styleProtocol(stage.protocol, spec.data.trial_budget);
  const learner = new Learner(ctx, {
    stage: stage.name,
    dir: opts.dir,
    weights: opts.weights,
    lr: stage.lr,
    reference: true,
  });
  const logPath = join(opts.dir, "grpo.jsonl");
  const log: GrpoStepLog[] = [];
  await learner.open();
  if (learner.step > 0) ctx.log(`  ${stage.name}: resuming at step ${learner.step}/${stage.steps}`);
  const policyDir = join(opts.dir, "policy");
  let skipped: string | null = null;
  try {
    while (learner.step < stage.steps) {
      const step = learner.step;
      const t0 = performance.now();
      // The current policy as the ONNX agent loads it.
      await learner.exportWeights(opts.dir);
      const w = await readWeights(join(opts.dir, "weights.bin"), ctx.shape);
      await writeFolder(
        policyDir,
        tinyModelFiles(ctx.shape, w, ctx.merges, {}, {
          chatTemplate: ctx.templateSource,
        }),
      );
      const agent = await openOnnxAgent("policy", {
        path: policyDir,
        device: spec.trainer.device === "cuda" ? ["cuda", "cpu"] : ["cpu"],
        threads: trainerThreads(spec.trainer),
        max_new_tokens: stage.max_new_tokens,
        sampling: { temperature: stage.temperature, top_k: stage.top_k, top_p: 1 },
        batch: stage.tasks_per_step * stage.group,
        stop: [],
        ...(stage.grammar ? { grammar: true } : {}),
      });
      const rng = createRng(deriveSeed(stage.seed, "grpo", step));
      const picked = Array.from({ length: stage.tasks_per_step }, () => pool[rng.int(pool.length)]);
      let groups: EpisodeRecord[][];
      try {
        groups = await Promise.all(
          picked.map((p, i) =>
            Promise.all(Array.from({ length: stage.group }, (_, g) => {
              const seed = deriveSeed(stage.seed, step, i, g, p.task.id);
              return runEpisode(envOf(p.env.name, p.variant, p.seed), p.task, {
                agent,
                protocol,
                episode: { id: `grpo/${step}/${i}/${g}`, seed, sample: g, split: "seen" },
              });
            }))
          ),
        );
      } finally {
        await agent.close();
      }
      const rolloutS = (performance.now() - t0) / 1000;
      const rewards = groups.map((g, i) =>
        g.map((r) =>
          episodeReward(r, stage.reward, { gold: picked[i].task.gold.map((c) => c.tool) })
        )
      );
      const adv = groupAdvantages(rewards);
      // One trainer group per task: its rollouts share the system turn, computed once.
      let truncated = 0;
      const batch = groups.flatMap((g, i) => {
        const p = picked[i];
        const rows = g.flatMap((rec, j) => {
          if (adv[i][j] === 0) return [];
          const tok = tokenizeChat({
            messages: episodeMessages(rec.events),
            tools: envOf(p.env.name, p.variant, p.seed).tools,
          }, { template: ctx.template, tokenizer: ctx.tokenizer, endTurn: "<|im_end|>" });
          // A long rollout is trained on its first max_tokens tokens: the update's memory grows
          // with the square of the longest sequence of a group.
          const cut = stage.max_tokens !== undefined && tok.ids.length > stage.max_tokens;
          if (cut) truncated++;
          const ids = cut ? tok.ids.slice(0, stage.max_tokens) : tok.ids;
          const mask = cut ? tok.mask.slice(0, stage.max_tokens) : tok.mask;
          return [{ ...tok, ids, mask, adv: adv[i][j] }];
        });
        if (rows.length === 0) return [];
        return [{
          ids: rows.map((r) => r.ids),
          mask: rows.map((r) => r.mask),
          adv: rows.map((r) => r.adv),
          prefix: Math.min(...rows.map((r) => r.prefix)),
        }];
      });
      const trained = batch.reduce((n, b) => n + b.ids.length, 0);
      const success = groups.flat().filter((r) => r.success).length / groups.flat().length;
      if (step === 0 && success < stage.min_success) {
        skipped = `the start policy solved ${
          round(success * 100, 1)
        }% of its first ${groups.flat().length} rollouts, below min_success ${
          stage.min_success * 100
        }%: GRPO would have (almost) only tied groups, so the policy is kept as it is`;
        ctx.log(`  ${stage.name}: skipped — ${skipped}`);
        break;
      }
      const all = groups.flat();
      const mean = (f: (r: EpisodeRecord) => number) =>
        all.reduce((a, r) => a + f(r), 0) / all.length;
      const entry: GrpoStepLog = {
        step: step + 1,
        reward: round(rewards.flat().reduce((a, b) => a + b, 0) / all.length),
        success: round(mean((r) => (r.success ? 1 : 0))),
        calls: round(mean((r) => r.metrics.calls)),
        trial_calls: round(mean((r) => r.metrics.trial_calls)),
        format: round(
          mean((r) => episodeReward(r, { ...stage.reward, task: 0, format: 1, call_penalty: 0 })),
        ),
        kl: 0,
        loss: 0,
        clip_frac: 0,
        trained_sequences: trained,
        trained_tokens: batch.reduce(
          (n, b) => n + b.prefix + b.ids.reduce((m, r) => m + r.length - b.prefix, 0),
          0,
        ),
        longest: Math.max(0, ...batch.flatMap((b) => b.ids.map((r) => r.length))),
        truncated,
        rollout_s: round(rolloutS),
        update_s: 0,
      };
      if (trained > 0) {
        const r = await learner.request("grpo", {
          groups: batch,
          epochs: stage.epochs,
          clip: stage.clip,
          kl: stage.kl,
          lr: stage.lr,
        });
        if (r === "restarted") continue;
        entry.kl = round(r.kl as number, 5);
        entry.loss = round(r.loss as number, 5);
        entry.clip_frac = round(r.clip_frac as number);
        entry.update_s = round(r.s as number);
        learner.step = step + 1;
      } else {
        // Nothing to learn from this batch (every group tied): the step still counts.
        const r = await learner.request("skip_step");
        if (r === "restarted") continue;
        learner.step = r.step as number;
      }
      log.push(entry);
      await Deno.writeTextFile(logPath, JSON.stringify(entry) + "\n", { append: true });
      await learner.save();
      ctx.log(
        `  ${stage.name}: step ${entry.step}/${stage.steps} reward ${entry.reward} success ${entry.success} calls ${entry.calls}+${entry.trial_calls} trial, kl ${entry.kl} (${entry.rollout_s} s rollouts, ${entry.update_s} s update)`,
      );
    }
    await learner.exportWeights(opts.dir);
  } finally {
    await learner.close();
  }
  return {
    steps: skipped ? 0 : stage.steps,
    log,
    first: log[0] ?? null,
    last: log[log.length - 1] ?? null,
    skipped,
  };
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
