import { join } from "node:path";
import { createRng } from "../runners/rng.ts";
import type { TrainingContext } from "./context.ts";
import { Learner, TrainingError } from "./learner.ts";
import type { SftStage, StageSpec } from "./spec.ts";
import { type ChatExample, tokenizeChat, type TokenizedExample } from "./tokenize.ts";
import type { ToolDef } from "../tools/types.ts";
import { evaluatedNames, findLeaks } from "./leakage.ts";

/** Read a chat JSONL file and tokenize every example (assistant-token masks included). */
export async function readExamples(
  ctx: TrainingContext,
  path: string,
): Promise<(TokenizedExample & { source: ExampleSource })[]> {
  const text = await Deno.readTextFile(path);
  const parsed = text.split("\n").filter((l) => l.trim() !== "").map((l) =>
    JSON.parse(l) as ChatExample
  );
  const leaks = findLeaks(parsed, evaluatedNames(ctx.spec));
  if (leaks.length > 0) {
    const shown = leaks.slice(0, 5).map((k) => `line ${k.line}: "${k.name}" (${k.where})`);
    throw new TrainingError(
      `${path}: ${leaks.length} tool or parameter names of the evaluated interfaces appear in the training data — ${
        shown.join("; ")
      }${
        leaks.length > 5 ? "; …" : ""
      }. Training on them would train on the evaluation split: synthesize the data again (it leaves such interfaces out), or use training variants and seeds whose names evaluation does not show (e.g. style: random instead of reverse).`,
    );
  }
  return parsed.map((ex) => {
    const tools: ToolDef[] = ex.tools.map((t) => ({
      name: t.function.name,
      description: t.function.description,
      parameters: t.function.parameters as Record<string, unknown>,
    }));
    const tok = tokenizeChat({ messages: ex.messages, tools }, {
      template: ctx.template,
      tokenizer: ctx.tokenizer,
      endTurn: "<|im_end|>",
    });
    return { ...tok, source: ex.meta && { env: ex.meta.env, variant: ex.meta.variant } };
  });
}

/**
 * The batches of an SFT run, fixed by the seed. Examples are grouped by their shared prefix (the
 * system turn with the tool list) so a batch computes it once; each epoch shuffles within groups,
 * cuts them into batches and shuffles the batches.
 */
export function sftBatches(
  prefixes: readonly string[],
  opts: { epochs: number; batch: number; seed: number },
): number[][] {
  const rng = createRng(opts.seed);
  const shuffle = <T>(a: T[]): T[] => {
    for (let i = a.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  };
  const groups = new Map<string, number[]>();
  prefixes.forEach((p, i) => groups.set(p, [...(groups.get(p) ?? []), i]));
  const perEpoch = [...groups.values()].reduce((n, g) => n + Math.ceil(g.length / opts.batch), 0);
  const total = Math.max(1, Math.round(opts.epochs * perEpoch));
  const out: number[][] = [];
  while (out.length < total) {
    const epoch: number[][] = [];
    for (const g of groups.values()) {
      const order = shuffle([...g]);
      for (let b = 0; b < order.length; b += opts.batch) epoch.push(order.slice(b, b + opts.batch));
    }
    out.push(...shuffle(epoch));
  }
  return out.slice(0, total);
}

/** Optimizer steps in one epoch of `sftBatches` (batches never mix prefix groups). */
export function batchesPerEpoch(prefixes: readonly string[], batch: number): number {
  const groups = new Map<string, number>();
  for (const p of prefixes) groups.set(p, (groups.get(p) ?? 0) + 1);
  return [...groups.values()].reduce((n, g) => n + Math.ceil(g / batch), 0);
}

/** One optimizer step of an SFT plan: its batch, its phase, and the epoch it ends, if any. */
export interface PlannedStep {
  /** Example indexes of the batch. */
  batch: number[];
  /** `all`, or the curriculum phase's label (its environments and variants). */
  phase: string;
  /** The epoch of its phase this step completes (1-based), or null mid-epoch. */
  endsEpoch: number | null;
}

/** Where an example came from, as a curriculum selects it. */
export type ExampleSource = { env: string; variant: string } | undefined;

/**
 * The steps of an SFT stage: each curriculum phase in order, on its own examples with a seed of its
 * own, then `epochs` over all the data exactly as without a curriculum (so a stage without one
 * trains on the very batches it always did).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sftPlan } from "./sft.ts";
 * const prefixes = ["a", "a", "b", "b"];
 * const sources = [
 *   { env: "library", variant: "clean" },
 *   { env: "library", variant: "clean" },
 *   { env: "shop", variant: "clean" },
 *   { env: "shop", variant: "clean" },
 * ];
 * const plan = sftPlan(prefixes, sources, {
 *   epochs: 1,
 *   batch: 2,
 *   seed: 0,
 *   curriculum: [{ envs: ["library"], epochs: 2 }],
 * });
 * assert.deepEqual(plan.map((s) => s.phase), ["library", "library", "all", "all"]);
 * assert.deepEqual(plan.slice(0, 2).flatMap((s) => s.batch).sort(), [0, 0, 1, 1]);
 * ```
 */
export function sftPlan(
  prefixes: readonly string[],
  sources: readonly ExampleSource[],
  opts: Pick<SftStage, "epochs" | "batch" | "seed" | "curriculum">,
): PlannedStep[] {
  const plan: PlannedStep[] = [];
  const add = (
    batches: number[][],
    phase: string,
    perEpoch: number,
    index: (i: number) => number,
  ) => {
    batches.forEach((b, k) => {
      const last = k === batches.length - 1;
      plan.push({
        batch: b.map(index),
        phase,
        endsEpoch: (k + 1) % perEpoch === 0 || last ? Math.ceil((k + 1) / perEpoch) : null,
      });
    });
  };
  (opts.curriculum ?? []).forEach((ph, n) => {
    const chosen = sources.flatMap((src, i) =>
      src && ph.envs.includes(src.env) && (!ph.variants || ph.variants.includes(src.variant))
        ? [i]
        : []
    );
    const label = [ph.envs.join("+"), ...(ph.variants ? [ph.variants.join("+")] : [])].join(" · ");
    if (chosen.length === 0) {
      throw new TrainingError(
        `curriculum phase ${n + 1} (${label}): the data holds no example of ${
          ph.variants ? "those environments and variants" : "those environments"
        } — name environments (and variants) the data was synthesized from`,
      );
    }
    const sub = chosen.map((i) => prefixes[i]);
    const batches = sftBatches(sub, { ...ph, batch: opts.batch, seed: opts.seed + 7919 * (n + 1) });
    add(batches, label, batchesPerEpoch(sub, opts.batch), (i) => chosen[i]);
  });
  add(sftBatches(prefixes, opts), "all", batchesPerEpoch(prefixes, opts.batch), (i) => i);
  return plan;
}

/** One epoch of an SFT run, as the weights at each step reproduced that step's batch. */
export interface SftEpoch {
  /** The curriculum phase (its environments and variants); absent for epochs over all the data. */
  phase?: string;
  epoch: number;
  step: number;
  loss: number;
  /** Assistant tokens that are the greedy (argmax) token under teacher forcing. */
  token_accuracy: number;
  /** Assistant turns reproduced exactly (every token greedy), of `turns`. */
  exact_turns: number;
  turns: number;
}

/** Learning rate at a step: linear warm-up, then cosine decay to a tenth. */
export function lrAt(step: number, opts: { lr: number; warmup: number; steps: number }): number {
  if (step < opts.warmup) return opts.lr * (step + 1) / opts.warmup;
  const t = (step - opts.warmup) / Math.max(1, opts.steps - opts.warmup);
  return opts.lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, t))));
}

/** What an SFT stage reports. */
export interface SftStats {
  steps: number;
  examples: number;
  params: number;
  device: string;
  first_loss: number;
  last_loss: number;
  /** Mean seconds per optimizer step and assistant+context tokens per second. */
  s_per_step: number;
  tokens_per_s: number;
  resumed_from: number;
  /** Per epoch: loss, token accuracy and exact-turn rate on the training turns. */
  epochs: SftEpoch[];
  /** Why it stopped: every step of `epochs` done (`cap`) or the exact-turn target reached. */
  stopped: "cap" | "exact";
  /** Times the trainer died mid-stage and was restarted from the last checkpoint. */
  restarts: number;
}

/**
 * Supervised fine-tuning: loss on assistant tokens only. Checkpoints every `checkpoint_every`
 * steps; a trainer that dies is restarted from the last one; a rerun after a crash resumes there.
 */
export async function sft(
  ctx: TrainingContext,
  stage: StageSpec & SftStage,
  opts: { dir: string; data: string; weights: string | null; crashAt?: number },
): Promise<SftStats> {
  const examples = await readExamples(ctx, join(opts.data, "data.jsonl"));
  if (examples.length === 0) {
    throw new TrainingError(`stage ${stage.name}: ${stage.data} kept no examples to train on`);
  }
  const prefixes = examples.map((e) => e.ids.slice(0, e.prefix).join(","));
  if (stage.curriculum && examples.some((e) => !e.source)) {
    throw new TrainingError(
      `stage ${stage.name}: a curriculum selects examples by environment, but ${stage.data}'s data.jsonl does not say where its examples came from (it was synthesized by an older version) — delete that stage's folder under the training's out folder and run again to synthesize it anew`,
    );
  }
  const plan = sftPlan(prefixes, examples.map((e) => e.source), stage);
  let steps = plan.length;
  const epochs: SftEpoch[] = [];
  let stopped: SftStats["stopped"] = "cap";
  let acc = { loss: 0, n: 0, tokens: 0, hit: 0, turns: 0, exact: 0 };
  const learner = new Learner(ctx, {
    stage: stage.name,
    dir: opts.dir,
    weights: opts.weights,
    lr: stage.lr,
  });
  const logPath = join(opts.dir, "train.jsonl");
  const { resumed } = await learner.open();
  const resumedFrom = learner.step;
  if (resumed) ctx.log(`  ${stage.name}: resuming at step ${learner.step}/${steps}`);
  let first = NaN, last = NaN, secs = 0, toks = 0, timed = 0;
  try {
    while (learner.step < steps) {
      const step = learner.step;
      if (opts.crashAt === step) {
        opts.crashAt = undefined;
        learner.kill();
      }
      const planned = plan[step];
      const b = planned.batch.map((i) => examples[i]);
      const r = await learner.request("sft", {
        ids: b.map((e) => e.ids),
        mask: b.map((e) => e.mask),
        prefix: Math.min(...b.map((e) => e.prefix)),
        lr: lrAt(step, { lr: stage.lr, warmup: stage.warmup, steps: plan.length }),
      });
      if (r === "restarted") continue;
      learner.step = r.step as number;
      const loss = r.loss as number;
      if (Number.isNaN(first)) first = loss;
      last = loss;
      secs += r.s as number, toks += r.seq_tokens as number, timed++;
      await Deno.writeTextFile(
        logPath,
        JSON.stringify({ step: learner.step, ...r, ok: undefined, id: undefined }) + "\n",
        {
          append: true,
        },
      );
      acc.loss += loss, acc.n++, acc.tokens += r.tokens as number;
      acc.hit += r.hit_tokens as number, acc.turns += r.turns as number;
      acc.exact += r.exact_turns as number;
      let stop = false;
      if (planned.endsEpoch !== null) {
        const ep: SftEpoch = {
          ...(planned.phase === "all" ? {} : { phase: planned.phase }),
          epoch: planned.endsEpoch,
          step: learner.step,
          loss: round(acc.loss / acc.n, 4),
          token_accuracy: round(acc.hit / Math.max(1, acc.tokens), 4),
          exact_turns: round(acc.exact / Math.max(1, acc.turns), 4),
          turns: acc.turns,
        };
        epochs.push(ep);
        await Deno.writeTextFile(join(opts.dir, "epochs.jsonl"), JSON.stringify(ep) + "\n", {
          append: true,
        });
        ctx.log(
          `  ${stage.name}: ${
            ep.phase ? `${ep.phase} ` : ""
          }epoch ${ep.epoch} (step ${ep.step}/${steps}) loss ${ep.loss} token accuracy ${ep.token_accuracy} exact turns ${ep.exact_turns} of ${ep.turns}`,
        );
        acc = { loss: 0, n: 0, tokens: 0, hit: 0, turns: 0, exact: 0 };
        // Only an epoch over all the data can end the stage: a phase's subset is easier.
        if (
          planned.phase === "all" && stage.until_exact !== null &&
          ep.exact_turns >= stage.until_exact
        ) {
          stop = true, stopped = "exact";
        }
      }
      if (stop || learner.step % stage.checkpoint_every === 0 || learner.step === steps) {
        await learner.save();
      }
      if (stop) {
        steps = learner.step;
        break;
      }
      if (learner.step % 10 === 0 || learner.step === steps) {
        ctx.log(
          `  ${stage.name}: step ${learner.step}/${steps} loss ${loss.toFixed(4)} (${
            (r.s as number).toFixed(2)
          } s/step)`,
        );
      }
    }
    await learner.exportWeights(opts.dir);
  } finally {
    await learner.close();
  }
  return {
    steps,
    examples: examples.length,
    params: learner.info.params as number,
    device: learner.info.device as string,
    first_loss: first,
    last_loss: last,
    s_per_step: timed ? round(secs / timed, 3) : 0,
    tokens_per_s: secs ? Math.round(toks / secs) : 0,
    resumed_from: resumedFrom,
    epochs,
    stopped,
    restarts: learner.restarts,
  };
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
