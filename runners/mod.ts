/**
 * Runners: agents, protocols (direct, trial) and the episode loop; episodes out as JSONL events.
 * @module
 */
export type { Agent, AgentInfo, AgentSession, EpisodeContext, Phase, TurnInfo } from "./agent.ts";
export type { ModelInfo } from "../core/model_info.ts";
export { AgentSetupError } from "./agent.ts";
export {
  agentKind,
  type AgentKindEntry,
  agentKinds,
  type AgentRecord,
  agentRecord,
  conversing,
  explorerAgent,
  type OpenOptions,
  questionFor,
  randomAgent,
  recordedKind,
  type RecordLine,
  replayAgent,
  scriptedAgent,
  scriptedAgents,
  type SpecOf,
} from "./agents/mod.ts";
export type { EndpointRunOptions } from "./agents/endpoint.ts";
export type { AgentKind } from "../spec/agent_kinds.ts";
export {
  type EpisodeOptions,
  EpisodeSession,
  observationText,
  runEpisode,
  type StepOutcome,
  TRANSFER_TOOL,
} from "./episode.ts";
export { type GoldState, goldState } from "./gold_state.ts";
export { judgeGrader } from "./judge_grader.ts";
export { ScriptedUser, type UserReply, type UserTurn, wordsOf } from "./scripted_user.ts";
export {
  MAX_USER_TOOL_STEPS,
  openUser,
  USER_OPENER,
  USER_STOP_TOKENS,
  type UserAnswer,
  type UserPlayer,
  userPlayer,
  type UserSimulator,
  userSystemPrompt,
  type UserToolCall,
  userToOpen,
} from "./user_sim.ts";
export {
  EPISODE_LOG_VERSION,
  type EpisodeEvent,
  type EpisodeMetrics,
  type EpisodeRecord,
  type RunHeader,
  type VariantEvent,
} from "./events.ts";
export {
  type AssistantMessage,
  type AssistantToolCall,
  callTools,
  type Message,
  say,
} from "../core/messages.ts";
export { type PromptOptions, prompts } from "./prompts.ts";
export { createRng, deriveSeed, type Rng } from "./rng.ts";
export {
  type EpisodeRunner,
  inShard,
  interfaceKey,
  type PlannedEpisode,
  planRun,
  type RunOptions,
  runSuite,
  variantEvent,
} from "./run.ts";
export {
  EpisodePool,
  type PooledModel,
  type PoolOptions,
  runsInWorkers,
  StartedWorkers,
  threadsPerWorker,
} from "./worker_pool.ts";
export { type EpisodeLog, writeFileAtomic } from "./write.ts";
export {
  type EpisodeHead,
  EpisodeLines,
  type EpisodeMeta,
  type EpisodeResult,
} from "./episode_lines.ts";
export {
  DEFAULT_VARIANTS,
  type GoldResult,
  type ReplayReport,
  replayTasks,
  type TaskFault,
} from "./replay_tasks.ts";
export { auditTasks, type TaskAudit } from "./audit_tasks.ts";
export {
  fileLines,
  lockRunDir,
  LogError,
  type LogRecord,
  openRunLog,
  readHeader,
  readLog,
} from "./log.ts";
export { sortLog } from "./log_scan.ts";
export type { ChatModel, TurnRequest, TurnResult } from "../onnx/runtime/chat_model.ts";
export type { ChatTemplate } from "../onnx/runtime/chat_template.ts";
export type {
  CacheShape,
  Decoder,
  GenerateRequest,
  GenerateResult,
  KvCache,
} from "../onnx/runtime/decoder.ts";
export type { ModelSession, TensorLike } from "../onnx/runtime/session.ts";
export type { ModelFolder, TextTokenizer } from "../onnx/runtime/model_folder.ts";
export type { Device, DEVICES } from "../onnx/runtime/providers.ts";
export type { Sampling } from "../onnx/runtime/sampler.ts";
