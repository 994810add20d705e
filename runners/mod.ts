/**
 * Runners: agents, protocols (direct, trial) and the episode loop; episodes out as JSONL events.
 * @module
 */
export type { Agent, AgentSession, EpisodeContext, Phase, TurnInfo } from "./agent.ts";
export { AgentSetupError } from "./agent.ts";
export {
  explorerAgent,
  randomAgent,
  replayAgent,
  scriptedAgent,
  scriptedAgents,
} from "./agents/mod.ts";
export { observationText, runEpisode } from "./episode.ts";
export {
  EPISODE_LOG_VERSION,
  type EpisodeEvent,
  type EpisodeMetrics,
  type EpisodeRecord,
  type RunHeader,
  type VariantEvent,
} from "./events.ts";
export { type AssistantMessage, callTools, type Message, say } from "./messages.ts";
export { prompts } from "./prompts.ts";
export { createRng, deriveSeed, type Rng } from "./rng.ts";
export {
  inShard,
  interfaceKey,
  type PlannedEpisode,
  planRun,
  type RunOptions,
  runSuite,
  variantEvent,
} from "./run.ts";
export { type EpisodeLog, writeFileAtomic } from "./write.ts";
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
