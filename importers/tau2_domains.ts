import { AIRLINE_DOMAIN } from "./tau2_airline.ts";
import { MOCK_DOMAIN } from "./tau2_mock.ts";

/** A tau2 `env_assertions` function, as a check over the final state. */
export interface Tau2Assertion {
  /** Its parameters, all required (the `arguments` of an assertion must be exactly these). */
  params: string[];
  /** The JSONata (over `{state}`) that is true when the assertion holds, for these arguments. */
  expr: (args: Record<string, unknown>) => string;
  /** A call that makes it hold: the reference solution of a task that lists no actions. */
  satisfy?: (args: Record<string, unknown>) => { tool: string; args: Record<string, unknown> };
}

/**
 * What tooltrial needs to import a tau2-bench domain: tools that behave as the domain's do, and
 * how its db.json and its assertion functions map onto state tables.
 */
export interface Tau2Domain {
  /** The domain's name in tau2-bench (its folder under data/tau2/domains). */
  name: string;
  /** One line on the domain, for the env's description. */
  description: string;
  /** db.json's top-level keys: each a dict of rows by id, the id repeated in the row's `key` field. */
  tables: Record<string, { key: string }>;
  /** The agent's tools, as env.yaml tools (JSONata): tau2's names, parameters, results and errors. */
  tools: Record<string, unknown>[];
  /** Tools that only read (tau2's ToolType.READ): a history's calls to them are not replayed. */
  reads: string[];
  /** The domain's assertion functions (`env_assertions` with env_type assistant), by name. */
  assertions: Record<string, Tau2Assertion>;
}

/**
 * The tau2-bench domains whose tools tooltrial has, by name: adding one is a file like
 * tau2_mock.ts and a line here.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TAU2_DOMAINS } from "./tau2_domains.ts";
 * assert.ok(Object.keys(TAU2_DOMAINS).includes("mock"));
 * ```
 */
export const TAU2_DOMAINS: Readonly<Record<string, Tau2Domain>> = {
  mock: MOCK_DOMAIN,
  airline: AIRLINE_DOMAIN,
};
