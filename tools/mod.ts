/**
 * The tool layer: a runnable Env (tools + state + step) built from a spec. Variants wrap it.
 * @module
 */
export { declarativeEnv, parseArguments, unknownTool } from "./declarative.ts";
export { type BackendOptions, Backends, closeAllBackends } from "./backends.ts";
export * from "./types.ts";
export type { HttpMode } from "./http.ts";
