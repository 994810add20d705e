import { Ajv2020 } from "ajv/dist/2020.js";
import type { EpisodeRecord, VariantEvent } from "../runners/events.ts";
import type { SuiteSpec } from "../spec/types.ts";
import { groupSummary, robustness, type RobustnessRow, type SummaryRow } from "./metrics.ts";
import reportSchema from "./schema/report.v1.json" with { type: "json" };

/** Version of the report format (reports/schema/report.v1.json). */
export const REPORT_VERSION = 1;

/** Where a run came from: enough to rerun it and to trust it. */
export interface Provenance {
  tooltrial_version: string;
  git_commit: string | null;
  git_dirty: boolean | null;
  deno: string;
  v8: string;
  typescript: string;
  os: string;
  arch: string;
  started_at: string;
  finished_at: string;
  command: string[];
  suite: { name: string; file: string; sha256: string };
  specs: { path: string; sha256: string }[];
  agents: { name: string; scripted: string; options: Record<string, unknown> }[];
  protocols: { name: string; kind: string; trial_budget: number; max_turns: number }[];
  seeds: number[];
  samples: number;
  concurrency: number;
}

export interface EpisodeSummary {
  id: string;
  env: string;
  task: string;
  variant: string;
  split: string;
  agent: string;
  protocol: string;
  seed: number;
  sample: number;
  success: boolean;
  calls: number;
  trial_calls: number;
  invalid_calls: number;
  self_corrections: number;
  ast_match: boolean;
  error: string | null;
}

/** What one variant showed the agent in one environment (the log's variant record). */
export type VariantSummary = Omit<VariantEvent, "v" | "type">;

export interface Report {
  format: "tooltrial.report";
  version: 1;
  run_id: string;
  provenance: Provenance;
  /** Per agent × protocol × variant. */
  overall: SummaryRow[];
  /** Per agent × protocol × variant × env × split. */
  breakdown: SummaryRow[];
  /** Clean − variant success per agent × protocol × variant, paired by task. */
  robustness: RobustnessRow[];
  variants: VariantSummary[];
  episodes: EpisodeSummary[];
}

const validateReport = new Ajv2020({
  allErrors: true,
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
}).compile(reportSchema);

/** Check a report against the published schema; throws with the first problems. */
export function assertValidReport(r: unknown): asserts r is Report {
  if (!validateReport(r)) {
    const msg = validateReport.errors!.slice(0, 5).map((e) =>
      `${e.instancePath || "/"} ${e.message}`
    ).join("; ");
    throw new Error(`report does not match reports/schema/report.v1.json: ${msg}`);
  }
}

/**
 * Build the report from a run's episodes.
 *
 * @example
 * ```ts
 * import { buildReport } from "./report.ts";
 * import type { Provenance } from "./report.ts";
 * const r = buildReport([], { run_id: "x", provenance: {} as Provenance, variants: [] });
 * console.assert(r.overall.length === 0);
 * ```
 */
export function buildReport(
  episodes: readonly EpisodeRecord[],
  opts: { run_id: string; provenance: Provenance; variants: readonly VariantEvent[] },
): Report {
  return {
    format: "tooltrial.report",
    version: REPORT_VERSION,
    run_id: opts.run_id,
    provenance: opts.provenance,
    overall: groupSummary(episodes, ["agent", "protocol", "variant"]),
    breakdown: groupSummary(episodes, ["agent", "protocol", "variant", "env", "split"]),
    robustness: robustness(episodes),
    variants: opts.variants.map(({ v: _v, type: _t, ...rest }) => rest),
    episodes: episodes.map((e) => ({
      id: e.id,
      env: e.env,
      task: e.task,
      variant: e.variant,
      split: e.split,
      agent: e.agent,
      protocol: e.protocol,
      seed: e.seed,
      sample: e.sample,
      success: e.success,
      calls: e.metrics.calls,
      trial_calls: e.metrics.trial_calls,
      invalid_calls: e.metrics.invalid_calls,
      self_corrections: e.metrics.self_corrections,
      ast_match: e.metrics.ast_match,
      error: e.error,
    })),
  };
}

/** The suite-derived part of provenance. */
export function suiteProvenance(
  suite: SuiteSpec,
): Pick<Provenance, "suite" | "specs" | "agents" | "protocols" | "seeds" | "samples"> {
  return {
    suite: { name: suite.name, file: suite.file, sha256: suite.sha256 },
    specs: suite.envs.flatMap((e) => e.files),
    agents: suite.agents.map((a) => ({ name: a.name, scripted: a.scripted, options: a.options })),
    protocols: suite.protocols.map((p) => ({
      name: p.name,
      kind: p.kind,
      trial_budget: p.trialBudget,
      max_turns: p.maxTurns,
    })),
    seeds: suite.seeds,
    samples: suite.samples,
  };
}
