/**
 * BFCL-style AST checking of tool calls against possible answers, in three modes: `bfcl` (the
 * leaderboard's rules, quirks included), `strict` (the default; the same spirit without the
 * known flaws) and `rotbench` (RoTBench's exact rules). See bfcl.ts, strict.ts and rotbench.ts for
 * the rules and every difference; first_action.ts scores a first action against alternatives.
 * @module
 */
export { callCheckers, checkCalls, goldFromAnswers } from "./check_calls.ts";
export { bfclCheckOne, checkBfcl } from "./bfcl.ts";
export { checkStrict, strictCheckOne, typeProblem } from "./strict.ts";
export { checkRotbench, paramNamesProblem, rotbenchCheckOne } from "./rotbench.ts";
export { firstActionVerdict } from "./first_action.ts";
export { bfclStandardize, strictStringEqual, strictTokens } from "./strings.ts";
export { maxMatching } from "./matching.ts";
export {
  parseJsonKeepFloats,
  plainJson,
  pyEqual,
  PyFloat,
  pyType,
  spelledArgs,
  withFloats,
} from "./py_value.ts";
export type { BfclCategory, CallsInput, CallStages, CallsVerdict } from "./types.ts";
export { BFCL_LANGUAGE_TYPES, javaConvert, jsConvert } from "./bfcl_language.ts";
