/**
 * The trainer bridge: the learner is a separate process that reads one JSON request per line on
 * stdin and answers one JSON line on stdout (`init`, `sft`, `grpo`, `set_reference`, `logits`,
 * `export`, `save`, `load`, `shutdown`). Any program that speaks these lines can be the trainer;
 * the reference one is training/trainer.py (PyTorch).
 */
import { TextLineStream } from "./lines.ts";

/** A trainer's answer: `ok` plus the command's fields, or an error kind and message. */
export type TrainerReply = { ok: true } & Record<string, unknown>;

/** The trainer reported a loss that is not a finite number: training must stop, not go on. */
export class NanLossError extends Error {}

/** The trainer process ended or answered with an error. */
export class TrainerError extends Error {
  /** True when the process is gone (crashed, killed): a resume may recover. */
  readonly died: boolean;
  /** An error with the trainer's message; `died` when the process is gone. */
  constructor(message: string, died: boolean) {
    super(message);
    this.died = died;
  }
}

/** How to start a trainer: the command line and its environment. */
export interface TrainerCommand {
  /** Program and arguments. */
  command: string[];
  /** Extra environment variables for the process. */
  env?: Record<string, string>;
}

/** The reference PyTorch trainer, run with Debian's python3 (where python3-torch lives). */
export const PYTORCH_TRAINER: TrainerCommand = {
  command: ["/usr/bin/python3", new URL("./trainer.py", import.meta.url).pathname],
};

/** A running trainer process. */
export class Trainer {
  #proc: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #lines: AsyncIterator<string>;
  #next = 0;
  #dead: string | null = null;
  /** The trainer's stderr lines so far, for error messages. */
  readonly stderr: string[] = [];

  private constructor(proc: Deno.ChildProcess) {
    this.#proc = proc;
    this.#writer = proc.stdin.getWriter();
    this.#lines = proc.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
      new TextLineStream(),
    )[Symbol.asyncIterator]();
    // Keep the last lines of stderr for error messages; never let it block the pipe.
    (async () => {
      for await (
        const line of proc.stderr.pipeThrough(new TextDecoderStream()).pipeThrough(
          new TextLineStream(),
        )
      ) {
        this.stderr.push(line);
        if (this.stderr.length > 40) this.stderr.shift();
      }
    })().catch(() => {});
    proc.status.then((s) => {
      this.#dead = `trainer exited with code ${s.code}${s.signal ? ` (${s.signal})` : ""}`;
    });
  }

  /**
   * Start a trainer process.
   *
   * @example
   * ```ts ignore
   * import { PYTORCH_TRAINER, Trainer } from "./bridge.ts";
   * const t = Trainer.start(PYTORCH_TRAINER);
   * await t.request("init", { shape: { vocab_size: 300 }, seed: 1 });
   * await t.close();
   * ```
   */
  static start(cmd: TrainerCommand): Trainer {
    const [bin, ...args] = cmd.command;
    let proc: Deno.ChildProcess;
    try {
      proc = new Deno.Command(bin, {
        args,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
        env: cmd.env,
      }).spawn();
    } catch (err) {
      throw new TrainerError(`cannot start the trainer ${bin}: ${(err as Error).message}`, true);
    }
    return new Trainer(proc);
  }

  /** Send one request and wait for its answer. */
  async request(cmd: string, body: Record<string, unknown> = {}): Promise<TrainerReply> {
    if (this.#dead) throw new TrainerError(this.#why(), true);
    const id = this.#next++;
    try {
      await this.#writer.write(
        new TextEncoder().encode(JSON.stringify({ id, cmd, ...body }) + "\n"),
      );
    } catch {
      throw new TrainerError(this.#why(), true);
    }
    const r = await this.#lines.next();
    if (r.done) {
      await this.#proc.status.catch(() => {});
      throw new TrainerError(this.#why(), true);
    }
    let reply: Record<string, unknown>;
    try {
      reply = JSON.parse(r.value);
    } catch {
      throw new TrainerError(
        `trainer wrote a line that is not JSON: ${r.value.slice(0, 200)}`,
        false,
      );
    }
    if (reply.id !== id) {
      throw new TrainerError(`trainer answered request ${reply.id}, expected ${id}`, false);
    }
    if (reply.ok !== true) {
      const msg = String(reply.message ?? reply.error);
      if (reply.error === "nan") throw new NanLossError(msg);
      throw new TrainerError(`trainer ${cmd} failed: ${msg}`, false);
    }
    return reply as TrainerReply;
  }

  #why(): string {
    const tail = this.stderr.slice(-8).join("\n");
    return `${this.#dead ?? "trainer closed its output"}${tail ? `\n${tail}` : ""}`;
  }

  /** Ask the trainer to shut down; kill it if it does not within 5 s. */
  async close(): Promise<void> {
    if (!this.#dead) {
      try {
        await this.request("shutdown");
      } catch { /* already gone */ }
    }
    await this.#writer.close().catch(() => {});
    const timer = setTimeout(() => {
      try {
        this.#proc.kill("SIGKILL");
      } catch { /* gone */ }
    }, 5000);
    await this.#proc.status;
    clearTimeout(timer);
  }

  /** Kill the process (tests use it to simulate a crash). */
  kill(): void {
    try {
      this.#proc.kill("SIGKILL");
    } catch { /* gone */ }
  }
}
