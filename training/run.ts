import { join } from "node:path";
import { VERSION } from "../version.ts";
import { openContext, stageInputs, stageKey, type TrainingContext } from "./context.ts";
import { evaluate } from "./evaluate.ts";
import { sft } from "./sft.ts";
import { BASE, type StageSpec, type TrainingSpec } from "./spec.ts";
import { synthesize } from "./synthesize.ts";

/** What happened to one stage in a run. */
export interface StageResult {
  /** Stage name. */
  name: string;
  /** Stage kind. */
  kind: StageSpec["kind"];
  /** Hash of the stage's inputs: a finished output with the same key is reused. */
  key: string;
  /** The stage's output folder. */
  dir: string;
  /** `cached`: a finished output with the same key was there; `ran`: it ran now. */
  status: "cached" | "ran";
  /** Wall time the stage took (0 when cached). */
  seconds: number;
  /** What the stage reports about itself (examples, loss, success rates). */
  stats: Record<string, unknown>;
}

/** How `runTraining` runs: logging, where to stop, and what Ctrl-C does during an evaluation. */
export interface TrainOptions {
  /**
   * Called on SIGINT/SIGTERM while an evaluate stage runs its episodes, with their log's path (the
   * CLI says how to resume and exits); without it that run catches no signal.
   */
  onInterrupt?: (logPath: string) => void;
  /** Where progress lines go (default: stderr). */
  log?: (line: string) => void;
  /** Only the stages up to and including this one. */
  until?: string;
  /** Test hook: kill the trainer before this SFT step (once), to exercise resume. */
  crashAt?: number;
}

/** The file a finished stage writes last; its presence with the same key means "done". */
export const DONE_FILE = "stage.json";

/**
 * Run a training file's stages. Each stage's output goes to `<out>/<name>-<key>` where the key
 * hashes its settings and inputs; a stage whose output is complete is skipped, so a rerun only does
 * what changed (and a stage interrupted half way resumes from its checkpoint). With
 * `trainer.parallel` > 1, a stage starts as soon as the stages it reads are done, at most that many
 * at once (two SFT stages on different data, say); otherwise one after the other in file order.
 * Results come back in file order either way. When a stage fails, no new stage starts, the running
 * ones finish, and the first failure is thrown.
 */
export async function runTraining(spec: TrainingSpec, opts: TrainOptions): Promise<StageResult[]> {
  const ctx = await openContext(spec, { log: opts.log });
  const last = opts.until === undefined
    ? spec.stages.length
    : spec.stages.findIndex((s) => s.name === opts.until) + 1;
  const stages = spec.stages.slice(0, last > 0 ? last : spec.stages.length);
  // Keys in file order: a stage's key hashes the keys of the (earlier) stages it reads.
  for (const stage of stages) {
    const key = await stageKey(ctx, stage);
    ctx.keys.set(stage.name, key);
    ctx.dirs.set(stage.name, join(spec.out, `${stage.name}-${key.slice(0, 12)}`));
  }
  const results = await schedule(
    stages.map((s) => ({ name: s.name, inputs: stageInputs(s).filter((n) => ctx.keys.has(n)) })),
    spec.trainer.parallel,
    (name) => runOne(ctx, stages.find((s) => s.name === name)!, opts),
  );
  return stages.map((s) => results.get(s.name)!);
}

/**
 * Run jobs that read each other's outputs: a job starts once every job named in its `inputs` has
 * finished, at most `width` at once; with width 1, strictly in list order. After a failure no job
 * starts, the running ones finish, and the first failure is thrown.
 */
export async function schedule<T>(
  jobs: readonly { name: string; inputs: readonly string[] }[],
  width: number,
  run: (name: string) => Promise<T>,
): Promise<Map<string, T>> {
  const results = new Map<string, T>();
  const finished = new Set<string>();
  const running = new Map<string, Promise<void>>();
  let failure: { error: unknown } | null = null;
  const max = Math.max(1, width);
  while (finished.size < jobs.length) {
    if (!failure) {
      for (const [i, job] of jobs.entries()) {
        if (running.size >= max) break;
        if (finished.has(job.name) || running.has(job.name)) continue;
        if (!job.inputs.every((n) => finished.has(n))) continue;
        // One at a time: strictly in list order.
        if (max === 1 && jobs.slice(0, i).some((j) => !finished.has(j.name))) break;
        running.set(
          job.name,
          run(job.name).then(
            (r) => void results.set(job.name, r),
            (error) => void (failure ??= { error }),
          ).finally(() => {
            running.delete(job.name);
            finished.add(job.name);
          }),
        );
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  if (failure) throw (failure as { error: unknown }).error;
  return results;
}

/** One stage: reuse its finished output, or run it and write its DONE_FILE last. */
async function runOne(
  ctx: TrainingContext,
  stage: StageSpec,
  opts: TrainOptions,
): Promise<StageResult> {
  const key = ctx.keys.get(stage.name)!;
  const dir = ctx.dirs.get(stage.name)!;
  const done = await readDone(dir, key);
  if (done) {
    ctx.log(`${stage.name} (${stage.kind}): cached → ${dir}`);
    return { ...done, status: "cached" };
  }
  ctx.log(`${stage.name} (${stage.kind}): running → ${dir}`);
  await Deno.mkdir(dir, { recursive: true });
  const t0 = performance.now();
  const stats = await runStage(ctx, stage, dir, opts) as unknown as Record<string, unknown>;
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  const result: StageResult = {
    name: stage.name,
    kind: stage.kind,
    key,
    dir,
    status: "ran",
    seconds,
    stats,
  };
  await Deno.writeTextFile(
    join(dir, DONE_FILE),
    JSON.stringify(
      { tooltrial: VERSION, ...result, settings: stage, inputs: stageInputs(stage) },
      null,
      2,
    ) + "\n",
  );
  ctx.log(`${stage.name}: done in ${seconds} s`);
  return result;
}

async function readDone(dir: string, key: string): Promise<StageResult | null> {
  try {
    const r = JSON.parse(await Deno.readTextFile(join(dir, DONE_FILE)));
    return r.key === key ? r : null;
  } catch {
    return null;
  }
}

/** weights.bin of a weights-producing stage, or null for the base model. */
function weightsOf(ctx: TrainingContext, name: string): string | null {
  return name === BASE ? ctx.baseWeights : join(ctx.dirs.get(name)!, "weights.bin");
}

async function runStage(ctx: TrainingContext, stage: StageSpec, dir: string, opts: TrainOptions) {
  // onnxruntime loads only when a stage needs it.
  const { exportFolder } = await import("./export.ts");
  const { grpo } = await import("./grpo.ts");
  switch (stage.kind) {
    case "synthesize":
      return await synthesize(ctx, stage, dir);
    case "sft":
      return await sft(ctx, stage, {
        dir,
        data: ctx.dirs.get(stage.data)!,
        weights: weightsOf(ctx, stage.from),
        crashAt: opts.crashAt,
      });
    case "grpo":
      return await grpo(ctx, stage, { dir, weights: weightsOf(ctx, stage.from) });
    case "export":
      return await exportFolder(ctx, {
        name: stage.name,
        dir,
        weights: weightsOf(ctx, stage.from),
        tolerance: stage.tolerance,
        to: stage.to,
        seed: "init" in ctx.spec.model ? ctx.spec.model.init.seed : 0,
        meta: {
          training: ctx.spec.name,
          stage: stage.name,
          from: stage.from,
          key: ctx.keys.get(stage.name),
        },
      });
    case "evaluate":
      return await evaluate(ctx, stage, { dir, onInterrupt: opts.onInterrupt });
  }
}
