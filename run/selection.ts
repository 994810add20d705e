import type { EpisodeSplit, SuiteSpec } from "../spec/mod.ts";
import { variantsFor } from "../variants/mod.ts";

/** What a bench run selects from its suite; also what a report records and `reproduce` replays. */
export interface Selection {
  /** Only these agents (default: every agent of the suite). */
  agents?: string[];
  /** Only these protocols (default: every protocol of the suite). */
  protocols?: string[];
  /** Only these variants (default: every variant the suite runs). */
  variants?: string[];
  /** Only these splits (default: all). */
  splits?: EpisodeSplit[];
  /** Episodes per (task, agent, protocol, seed). */
  samples: number;
  /** The seeds to run. */
  seeds: number[];
}

/** One slice of a run's episode grid: slice `index` (0-based) of `count`. */
export interface Shard {
  /** Which slice, 0 … count - 1. */
  index: number;
  /** How many slices the grid is cut into. */
  count: number;
}

/**
 * Every variant name the suite runs on some environment, clean first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadSuite } from "../spec/mod.ts";
 * import { variantNames } from "./selection.ts";
 * const names = variantNames(await loadSuite("testdata/good/suite.yaml"));
 * assert.ok(names[0] === "clean");
 * ```
 */
export function variantNames(suite: SuiteSpec): string[] {
  return [...new Set(suite.envs.flatMap((e) => variantsFor(suite, e).map((v) => v.name)))];
}
