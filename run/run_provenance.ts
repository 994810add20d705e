import type { Agent } from "../runners/mod.ts";
import { machineProvenance, type Provenance, suiteProvenance } from "../reports/mod.ts";
import type { SuiteSpec } from "../spec/mod.ts";
import { VERSION } from "../version.ts";
import { gitInfo } from "./_git_info.ts";
import type { Selection } from "./selection.ts";

/** What a run's log header records about it; `finished_at` is filled in by the report. */
export type RunProvenance = Omit<Provenance, "finished_at" | "shards"> & { finished_at: string };

/** What {@linkcode runProvenance} records besides the suite and selection. */
export interface ProvenanceOptions {
  /** The command line that started the run (`reproduce` shows it). */
  command: string[];
  /** Episodes in flight at once. */
  concurrency: number;
  /** Worker threads that ran the episodes (default 1); recorded, never part of the run id. */
  workers?: number;
  /** The run's model agents, open: each one's execution provider and the ONNX runtime. */
  models: readonly Agent[];
}

/**
 * Where, when and on what a run starts: tooltrial version, git commit, machine, the suite's
 * hashed files, the selection, seeds and samples, and each model's execution provider.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadSuite } from "../spec/mod.ts";
 * import { runProvenance } from "./run_provenance.ts";
 * const suite = await loadSuite("testdata/good/suite.yaml");
 * const sel = { samples: 1, seeds: [0] };
 * const p = await runProvenance(suite, sel, { command: ["bench"], concurrency: 4, models: [] });
 * assert.ok(p.selection.agents === null && p.seeds[0] === 0);
 * ```
 */
export async function runProvenance(
  suite: SuiteSpec,
  sel: Selection,
  opts: ProvenanceOptions,
): Promise<RunProvenance> {
  const { models } = opts;
  const git = await gitInfo();
  return {
    tooltrial_version: VERSION,
    git_commit: git.commit,
    git_dirty: git.dirty,
    ...machineProvenance(),
    onnxruntime: models.find((a) => a.info?.runtime)?.info?.runtime ?? null,
    started_at: new Date().toISOString(),
    finished_at: "",
    command: opts.command,
    ...suiteProvenance(suite),
    selection: {
      agents: sel.agents ?? null,
      protocols: sel.protocols ?? null,
      variants: sel.variants ?? null,
      splits: sel.splits ?? null,
    },
    execution_providers: Object.fromEntries(
      models.map((a) => [a.name, a.info!.provider ?? "remote"]),
    ),
    seeds: sel.seeds,
    samples: sel.samples,
    concurrency: opts.concurrency,
    workers: opts.workers ?? 1,
  };
}
