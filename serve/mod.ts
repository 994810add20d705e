/**
 * Serve: a suite's environments as an HTTP API (sessions, MCP, the report viewer) and ONNX
 * policies as OpenAI-compatible `/v1/chat/completions` routes (`tooltrial serve`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadSuite } from "../spec/mod.ts";
 * import { createApp } from "./mod.ts";
 * const { app, store } = createApp({ suite: await loadSuite("testdata/good/suite.yaml") });
 * assert.ok((await app.request("/v1/envs")).status === 200 && store.size === 0);
 * ```
 * @module
 */
export { createApp, createModelApp, type HttpApp, type ServeOptions } from "./app.ts";
export {
  closeServedModels,
  DEFAULT_MAX_TOKENS,
  openServedModels,
  parseModelFlag,
  type ServedModel,
  type ServedModelOptions,
} from "./openai_api.ts";
export { ApiError, type OpenSession, type SessionRequest, SessionStore } from "./sessions.ts";
export { openApi } from "./openapi.ts";
