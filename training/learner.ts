import { join } from "node:path";
import { NanLossError, Trainer, TrainerError } from "./bridge.ts";
import type { TrainingContext } from "./context.ts";
import { trainerThreads } from "./spec.ts";

/** A stage stopped for a reason the user must see (NaN loss, a trainer that keeps dying). */
export class TrainingError extends Error {}

/** A trainer process set up for one stage, restartable from the stage's last checkpoint. */
export class Learner {
  #ctx: TrainingContext;
  #dir: string;
  #init: Record<string, unknown>;
  #trainer: Trainer | null = null;
  #restarts = 0;
  /** Times the trainer died and was restarted from the last checkpoint. */
  get restarts(): number {
    return this.#restarts;
  }
  #reference: boolean;
  readonly stage: string;
  /** The trainer's answer to `init` (parameter count, device, threads). */
  info: Record<string, unknown> = {};
  /** Optimizer steps done (restored from the checkpoint on resume). */
  step = 0;

  constructor(
    ctx: TrainingContext,
    opts: {
      stage: string;
      dir: string;
      weights: string | null;
      lr: number;
      /** Keep a frozen copy of the starting weights as the KL reference (GRPO). */
      reference?: boolean;
    },
  ) {
    this.#ctx = ctx;
    this.#dir = opts.dir;
    this.stage = opts.stage;
    this.#reference = opts.reference ?? false;
    this.#init = {
      shape: ctx.shape,
      seed: "init" in ctx.spec.model ? ctx.spec.model.init.seed : 0,
      weights: opts.weights,
      lr: opts.lr,
      device: ctx.spec.trainer.device,
      threads: trainerThreads(ctx.spec.trainer),
      pad_id: ctx.tokenizer.token_to_id("<|endoftext|>") ?? 0,
    };
  }

  get checkpoint(): string {
    return join(this.#dir, "checkpoint.pt");
  }

  /** Start the trainer; resume from the stage's checkpoint when one is there. */
  async open(): Promise<{ resumed: boolean }> {
    this.#trainer = Trainer.start(this.#ctx.trainer);
    this.info = await this.#trainer.request("init", this.#init);
    if (this.#reference) await this.#trainer.request("set_reference");
    try {
      await Deno.stat(this.checkpoint);
    } catch {
      return { resumed: false };
    }
    const r = await this.#trainer.request("load", { path: this.checkpoint });
    this.step = r.step as number;
    return { resumed: true };
  }

  /**
   * Send a request; if the trainer died, restart it from the last checkpoint (up to max_restarts
   * times) and report that so the caller redoes the steps since. A NaN loss stops the stage.
   */
  async request(
    cmd: string,
    body: Record<string, unknown> = {},
  ): Promise<Record<string, unknown> | "restarted"> {
    try {
      return await this.#trainer!.request(cmd, body);
    } catch (err) {
      if (err instanceof NanLossError) {
        throw new TrainingError(
          `stage ${this.stage}: ${err.message}. Training stopped; the last checkpoint is kept in ${this.#dir}. ` +
            "Lower the learning rate (lr) or check the data, then rerun: it resumes from the checkpoint.",
        );
      }
      if (!(err instanceof TrainerError) || !err.died) throw err;
      if (this.#restarts >= this.#ctx.spec.trainer.max_restarts) {
        throw new TrainingError(
          `stage ${this.stage}: the trainer died ${
            this.#restarts + 1
          } times; last: ${err.message}. ` +
            `Rerun to resume from the last checkpoint in ${this.#dir}.`,
        );
      }
      this.#restarts++;
      this.#ctx.log(
        `  ${this.stage}: trainer died (${
          err.message.split("\n")[0]
        }); restarting from the last checkpoint`,
      );
      this.#trainer!.kill();
      this.step = 0;
      await this.open();
      return "restarted";
    }
  }

  /** Save a checkpoint (atomically) and the step it holds. */
  async save(): Promise<void> {
    const r = await this.request("save", { path: this.checkpoint });
    if (r === "restarted") {
      throw new TrainingError(`stage ${this.stage}: trainer died while saving`);
    }
  }

  /** Write the weights as weights.bin (+ .json manifest) and config.json into `dir`. */
  async exportWeights(dir: string): Promise<void> {
    const r = await this.request("export", { path: join(dir, "weights.bin") });
    if (r === "restarted") {
      throw new TrainingError(`stage ${this.stage}: trainer died while exporting`);
    }
    await Deno.writeTextFile(
      join(dir, "config.json"),
      JSON.stringify(this.#ctx.shape, null, 2) + "\n",
    );
  }

  /** Kill the process: a test's way to make it die mid-stage. */
  kill(): void {
    this.#trainer?.kill();
  }

  async close(): Promise<void> {
    await this.#trainer?.close();
    this.#trainer = null;
  }
}
