/**
 * Training stages from YAML: teacher trajectories → SFT → GRPO → ONNX policies, evaluated on a
 * suite. The learner runs behind a JSON-lines bridge (training/trainer.py is the PyTorch one).
 * @module
 */
export type {
  CurriculumPhase,
  EvaluateStage,
  ExportStage,
  GrpoStage,
  InitShape,
  SftStage,
  SynthesizeStage,
} from "./spec.ts";
export { loadTraining, type StageSpec, type TrainingSpec } from "./spec.ts";
export { DONE_FILE, runTraining, type StageResult, type TrainOptions } from "./run.ts";
export { TrainingError } from "./learner.ts";
export {
  NanLossError,
  PYTORCH_TRAINER,
  Trainer,
  type TrainerCommand,
  TrainerError,
  type TrainerReply,
} from "./bridge.ts";
export { type ChatExample, tokenizeChat, type TokenizedExample } from "./tokenize.ts";
export { episodeReward, groupAdvantages } from "./rewards.ts";
export { comparisonMarkdown } from "./evaluate.ts";
