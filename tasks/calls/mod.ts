/**
 * BFCL-style AST checking of tool calls against possible answers, in two modes: `bfcl` (the
 * leaderboard's rules, quirks included) and `strict` (the default; the same spirit without the
 * known flaws). See bfcl.ts and strict.ts for the rules and every difference.
 * @module
 */
export { callCheckers, checkCalls, goldFromAnswers } from "./check_calls.ts";
export { bfclCheckOne, checkBfcl } from "./bfcl.ts";
export { checkStrict, strictCheckOne, typeProblem } from "./strict.ts";
export { bfclStandardize, strictStringEqual, strictTokens } from "./strings.ts";
export { maxMatching } from "./matching.ts";
export { parseJsonKeepFloats, plainJson, pyEqual, PyFloat, pyType } from "./py_value.ts";
export type { BfclCategory, CallsInput, CallsVerdict } from "./types.ts";
