/**
 * Serve: a suite's environments as an HTTP API (sessions, MCP, the report viewer) and ONNX
 * policies as OpenAI-compatible `/v1/chat/completions` routes (`tooltrial serve`).
 * @module
 */
export { createApp, createModelApp, type ServeOptions } from "./app.ts";
export {
  closeServedModels,
  DEFAULT_MAX_TOKENS,
  openServedModels,
  parseModelFlag,
  type ServedModel,
  type ServedModelOptions,
} from "./openai_api.ts";
export { ApiError, type OpenSession, type SessionRequest, SessionStore } from "./sessions.ts";
export { limit, type Limits } from "./limits.ts";
export { openApi } from "./openapi.ts";
export { viewer } from "./viewer.ts";
