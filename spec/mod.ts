/**
 * Spec loading: YAML with positions → JSON Schema validation → normalized, typed values.
 * Past this folder, code trusts what it is given.
 * @module
 */
export {
  closeNames,
  didYouMean,
  editDistance,
  formatIssue,
  SpecError,
  type SpecIssue,
} from "./errors.ts";
export {
  compileExpr,
  compileTemplate,
  type Expr,
  exprAst,
  exprErrorMessage,
  exprLimits,
  type ExprOptions,
  FIXED_NOW,
  parseNow,
  type Template,
} from "./expr.ts";
export { parseCsv } from "./csv.ts";
export { DEFAULT_STOP } from "./env/conversation.ts";
export { taskInitialState } from "./task_state.ts";
export {
  compileToolSchema,
  deepFreeze,
  loadEnv,
  type ToolArgumentError,
  type ToolValidator,
} from "./load_env.ts";
export { DEFAULT_MAX_TURNS, loadAny, loadSuite } from "./load_suite.ts";
export { type TaskIssueMaker, taskIssues } from "./locate_task.ts";
export { type SchemaKeywordIssue, unknownKeywords } from "./strict_schema.ts";
export { sha256Hex } from "./files.ts";
export {
  type AgentEntryContext,
  agentSpec,
  type RawAgent,
  type RawAgentOf,
} from "./agent_kinds.ts";
export { readRecorded, recordedFor, recordedKey } from "./recorded.ts";
export { specSchemas, trustSpecs } from "./validate.ts";
export { EPISODE_SPLITS, TASK_SPLITS } from "./split_names.ts";
export {
  SCHEMA_KINDS,
  type SchemaKind,
  schemaLine,
  specKind,
  withSchemaLine,
} from "./schema_line.ts";
export type * from "./types.ts";
export type { Flat, FromSchema, ObjectOf, TypeOf } from "./schema/from_schema.ts";
export { AGENT_SCHEMAS } from "./schema/suite.schema.ts";
