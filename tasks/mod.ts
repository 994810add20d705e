/**
 * Tasks and their checkers: judging an episode's final answer and final state.
 * @module
 */
export {
  CHECK_KINDS,
  checkAnswer,
  type CheckContext,
  type CheckInput,
  type CheckKey,
  type CheckKind,
  type CheckKindName,
  checkKindOf,
  type CheckOutcome,
  checkPointer,
  checkTask,
  failedCheckKinds,
  numbersIn,
  type TaskVerdict,
} from "./checks.ts";
export {
  gradeAssertions,
  type Grader,
  JUDGE_SYSTEM,
  type JudgeInput,
  judgeMessages,
  type JudgeOutcome,
  type JudgeRecord,
  parseJudgeAnswer,
  transcriptText,
} from "./judge.ts";
export { episodeSplit, SPLITS, trainingTasks } from "./splits.ts";
export { astMatch } from "./ast.ts";
export { type ActionsVerdict, checkActions } from "./actions.ts";
export { unsaid } from "./communicate.ts";
export { canonicalJson, sameValue } from "./same_value.ts";
export { stateDiff } from "./state_diff.ts";
export { ambiguousTasks, type TaskIssue } from "./ambiguity.ts";
export { type Evidence, needsGrounding, type Ungrounded, ungroundedValues } from "./grounding.ts";
export {
  type BfclCategory,
  type CallsInput,
  type CallStages,
  type CallsVerdict,
  checkBfcl,
  checkCalls,
  checkStrict,
  goldFromAnswers,
  parseJsonKeepFloats,
  spelledArgs,
} from "./calls/mod.ts";
