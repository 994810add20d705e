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

/** How the evaluate stage runs a suite (the CLI's bench, injected so this core stays pure). */
export type BenchFn = (args: string[]) => Promise<number>;

/** How `runTraining` runs: the bench to evaluate with, logging, and where to stop. */
export interface TrainOptions {
  /** Runs a suite for the evaluate stage. */
  bench: BenchFn;
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
 * Run a training file's stages in order. Each stage's output goes to `<out>/<name>-<key>` where
 * the key hashes its settings and inputs; a stage whose output is complete is skipped, so a rerun
 * only does what changed (and a stage interrupted half way resumes from its checkpoint).
 */
export async function runTraining(spec: TrainingSpec, opts: TrainOptions): Promise<StageResult[]> {
  const ctx = await openContext(spec, { log: opts.log });
  const results: StageResult[] = [];
  for (const stage of spec.stages) {
    const key = await stageKey(ctx, stage);
    const dir = join(spec.out, `${stage.name}-${key.slice(0, 12)}`);
    ctx.keys.set(stage.name, key);
    ctx.dirs.set(stage.name, dir);
    const done = await readDone(dir, key);
    if (done) {
      ctx.log(`${stage.name} (${stage.kind}): cached → ${dir}`);
      results.push({ ...done, status: "cached" });
    } else {
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
      results.push(result);
    }
    if (opts.until === stage.name) break;
  }
  return results;
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
      return await evaluate(ctx, stage, { dir, bench: opts.bench });
  }
}
