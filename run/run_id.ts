import { sha256Hex, type SuiteSpec } from "../spec/mod.ts";
import { VERSION } from "../version.ts";

/**
 * A run id: a hash of what determines the results (specs, agents, protocols, seeds, samples,
 * version). A rerun of the same selection gets the same id, and so the same default folder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadSuite } from "../spec/mod.ts";
 * import { runId } from "./run_id.ts";
 * const suite = await loadSuite("testdata/good/suite.yaml");
 * const id = await runId(suite, { samples: suite.samples, seeds: suite.seeds });
 * assert.ok(/^[0-9a-f]{16}$/.test(id));
 * ```
 */
export async function runId(
  suite: SuiteSpec,
  sel: {
    agents?: string[];
    protocols?: string[];
    variants?: string[];
    splits?: string[];
    samples: number;
    seeds: number[];
  },
): Promise<string> {
  const key = JSON.stringify({
    v: VERSION,
    suite: suite.sha256,
    agents: suite.agents.filter((a) => !sel.agents || sel.agents.includes(a.name)),
    protocols: suite.protocols.filter((p) => !sel.protocols || sel.protocols.includes(p.name)),
    samples: sel.samples,
    seeds: sel.seeds,
    // Who plays the user (its model's hash included) decides conversations' outcomes.
    ...(suite.user ? { user: suite.user } : {}),
    ...(sel.variants ? { variants: sel.variants } : {}),
    ...(sel.splits ? { splits: sel.splits } : {}),
  });
  return (await sha256Hex(key)).slice(0, 16);
}
