/**
 * Importers: tool definitions and benchmark data from elsewhere → tooltrial env folders.
 * `openAiToolsEnv` (OpenAI / Anthropic tool lists → an env skeleton), `bfclEnv` (BFCL's
 * question+function and possible-answer files → an env whose tasks have `calls` checks),
 * `rotbenchEnvs` (a RoTBench First_Turn file → envs whose tasks judge the first action) and
 * `tau2Env` (a tau2-bench domain's data folder → a conversational env over tooltrial's version of
 * its tools).
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
export { tau2Env } from "./tau2.ts";
export { TAU2_DOMAINS, type Tau2Assertion, type Tau2Domain } from "./tau2_domains.ts";
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
