import { UsageError } from "../run/mod.ts";
import { command } from "./command.ts";
import { onInterrupt } from "./_run_output.ts";

/** `tooltrial train`: run a training file's stages, cached. */
export const train = command({
  name: "train",
  summary: "run training stages (synthesize, sft, grpo, export, evaluate); cached",
  usage: "train training.yaml",
  flags: {
    until: { type: "string" },
    quiet: { type: "boolean" },
  },
  help: `Usage: tooltrial train training.yaml [options]

Runs the stages of a training file in order: synthesize (teacher rollouts → chat JSONL), sft,
grpo (ONNX rollouts against the environments), export (ONNX folder, logits parity checked) and
evaluate (a suite run comparing the exported policies). Each stage's output goes to
OUT/<stage>-<key>, the key hashing its settings and inputs: a rerun skips finished stages, a
changed stage reruns with every stage that reads it, and a stage cut short resumes from its last
checkpoint. The learner is a separate process (training/trainer.py, PyTorch: Debian
python3-torch) speaking JSON lines over stdio.

Options:
  --until STAGE        stop after this stage
  --quiet              print nothing but errors
  -h, --help           show this help`,
  async run({ values, positionals }) {
    if (positionals.length !== 1) {
      throw new UsageError(
        "train takes one training file: tooltrial train training/toolmaster-mini.yaml",
      );
    }
    // Loaded on demand: the other commands need none of the training code.
    const { loadTraining, runTraining, TrainingError } = await import("../training/mod.ts");
    const spec = await loadTraining(positionals[0]);
    if (values.until !== undefined && !spec.stages.some((s) => s.name === values.until)) {
      throw new UsageError(
        `--until ${values.until}: no such stage (stages: ${
          spec.stages.map((s) => s.name).join(", ")
        })`,
      );
    }
    const quiet = values.quiet ?? false;
    try {
      const results = await runTraining(spec, {
        until: values.until,
        log: quiet ? () => {} : (l) => console.error(l),
        onInterrupt,
      });
      if (!quiet) {
        for (const r of results) console.log(`${r.name}\t${r.status}\t${r.seconds} s\t${r.dir}`);
      }
      return 0;
    } catch (err) {
      if (err instanceof TrainingError) {
        console.error(`error: ${err.message}`);
        return 1;
      }
      throw err;
    }
  },
});
