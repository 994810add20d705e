/**
 * Importers: tool definitions and benchmark data from elsewhere → tooltrial env folders.
 * `openAiToolsEnv` (OpenAI / Anthropic tool lists → an env skeleton), `bfclEnv` (BFCL's
 * question+function and possible-answer files → an env whose tasks have `calls` checks) and
 * `rotbenchEnvs` (a RoTBench First_Turn file → envs whose tasks judge the first action).
 * @module
 */
export {
  type ImportedFiles,
  type ImportResult,
  openAiToolsEnv,
  suiteYaml,
} from "./openai_tools.ts";
export { ANY_CALL_CATEGORIES, bfclCategory, bfclEnv, NO_CALL_CATEGORIES } from "./bfcl.ts";
export { rotbenchEnvs } from "./rotbench.ts";
export {
  readRotbenchCase,
  ROTBENCH_WILDCARD,
  type RotbenchCase,
  type RotbenchTool,
} from "./rotbench_case.ts";
export { BFCL_TYPES, bfclSchema, type ConvertIssue } from "./bfcl_schema.ts";
export { type InputRecord, readJsonRecords } from "./input.ts";
export { envName, taskId, toolName } from "./names.ts";
export { sampleArgs } from "./sample_args.ts";
