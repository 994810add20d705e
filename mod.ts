/**
 * tooltrial: a declarative benchmark for tool generalization.
 *
 * Data flows one way: spec (YAML) → tools (Env) → runners (agents × protocols → episodes)
 * → tasks (checks) → reports (metrics, JSON, Markdown) → run (a bench run's life: resume,
 * reproduce, merge, compare); importers turn tool lists and BFCL data into env folders.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildReport, loadSuite, runSuite } from "./mod.ts";
 * const suite = await loadSuite("suite.yaml");
 * const episodes = await runSuite(suite, { agents: ["oracle"], protocols: ["direct"] });
 * assert.ok(episodes.every((e) => e.success));
 * ```
 * @module
 */
export * from "./spec/mod.ts";
export * from "./tools/mod.ts";
export * from "./tasks/mod.ts";
export * from "./runners/mod.ts";
export * from "./reports/mod.ts";
export * from "./importers/mod.ts";
export * from "./training/mod.ts";
export * from "./variants/mod.ts";
export * from "./serve/mod.ts";
export * from "./run/mod.ts";
export { VERSION } from "./version.ts";
