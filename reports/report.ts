import { Ajv2020 } from "ajv/dist/2020.js";
import type { EpisodeRecord, VariantEvent } from "../runners/events.ts";
import { agentRecord } from "../runners/mod.ts";
import { backendEntries } from "../tools/backends/mod.ts";
import type { SuiteSpec } from "../spec/types.ts";
import { Collector } from "./collect.ts";
import { comparisons, gaps, groupSummary, robustness } from "./metrics.ts";
import { SharedDraws } from "./stats.ts";
import reportSchema from "./schema/report.v1.json" with { type: "json" };
import type { EpisodeSummary, Provenance, Report } from "./types.ts";
import { bfclTable } from "./bfcl_table.ts";

export type {
  ComparisonRow,
  EpisodeSummary,
  GapRow,
  Provenance,
  Report,
  RobustnessRow,
  SummaryRow,
  Transcript,
  VariantSummary,
} from "./types.ts";

/** Version of the report format (reports/schema/report.v1.json). */
export const REPORT_VERSION = 1;

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

/** Fold finished episodes (with their events) and variant records into a collector. */
export function collect(
  episodes: readonly EpisodeRecord[],
  variants: readonly VariantEvent[] = [],
): Collector {
  const c = new Collector();
  for (const v of variants) c.add(v);
  for (const e of episodes) for (const ev of e.events) c.add(ev);
  return c;
}

/**
 * Build the report from what a run's log holds. Everything but `provenance` and the `ms` figures
 * is a pure function of the episodes: reruns, resumed runs and merged shards give the same numbers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildReport, collect } from "./report.ts";
 * import type { Provenance } from "./report.ts";
 * const r = buildReport(collect([]), { run_id: "x", provenance: {} as Provenance });
 * assert.ok(r.overall.length === 0);
 * ```
 */
export function buildReport(
  collected: Collector,
  opts: { run_id: string; provenance: Provenance },
): Report {
  const episodes = collected.episodes;
  // Every row of one agent resamples its tasks alike, from draws made once.
  const draws = new SharedDraws();
  return {
    format: "tooltrial.report",
    version: REPORT_VERSION,
    run_id: opts.run_id,
    provenance: opts.provenance,
    overall: groupSummary(episodes, ["agent", "protocol", "variant"], { draws }),
    breakdown: groupSummary(episodes, ["agent", "protocol", "variant", "env", "split"], { draws }),
    by_split: groupSummary(episodes, ["agent", "protocol", "variant", "split"], { draws }),
    robustness: robustness(episodes, { draws }),
    gaps: gaps(episodes),
    comparisons: comparisons(episodes),
    variants: [...collected.variants],
    episodes: [...episodes],
    transcripts: collected.transcripts(),
    ...bfclPart(episodes),
  };
}

/** BFCL's table, present only when some task is a BFCL entry. */
function bfclPart(episodes: EpisodeSummary[]): Pick<Report, "bfcl"> {
  const rows = bfclTable(episodes);
  return rows.length ? { bfcl: rows } : {};
}

/**
 * A report as canonical JSON without what legitimately differs between reruns of the same run
 * (provenance and timings): equal strings mean a rerun, resumed run or merge reproduced it.
 */
export function reportFigures(r: Report): string {
  return JSON.stringify(
    { ...r, provenance: undefined },
    (k, v) => (k === "ms" || k === "mean_ms" ? undefined : v),
  );
}

/** The suite-derived part of provenance. */
export function suiteProvenance(
  suite: SuiteSpec,
): Pick<
  Provenance,
  "suite" | "specs" | "backends" | "agents" | "user" | "judge" | "protocols" | "seeds" | "samples"
> {
  return {
    suite: { name: suite.name, file: suite.file, sha256: suite.sha256 },
    specs: suite.envs.flatMap((e) => e.files),
    backends: suite.envs.flatMap((e) =>
      backendEntries().flatMap((b) => {
        const p = b.provenance(e);
        return p ? [{ env: e.name, kind: b.kind, ...p }] : [];
      })
    ),
    agents: suite.agents.map(agentRecord),
    ...(suite.user
      ? {
        user: {
          ...agentRecord(suite.user.agent),
          ...(suite.user.ref !== undefined ? { ref: suite.user.ref } : {}),
          ...(suite.user.maxTurns !== undefined ? { max_turns: suite.user.maxTurns } : {}),
        },
      }
      : {}),
    ...(suite.judge ? { judge: agentRecord(suite.judge) } : {}),
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

/** What this machine and runtime are, for provenance. */
export function machineProvenance(): Pick<
  Provenance,
  "deno" | "v8" | "typescript" | "os" | "arch" | "machine" | "onnxruntime"
> {
  let memory = 0;
  try {
    memory = Deno.systemMemoryInfo().total;
  } catch { /* no --allow-sys: unknown */ }
  return {
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    os: Deno.build.os,
    arch: Deno.build.arch,
    machine: {
      cpus: navigator.hardwareConcurrency,
      memory_gb: Math.round((memory / 2 ** 30) * 10) / 10,
    },
    onnxruntime: null,
  };
}
