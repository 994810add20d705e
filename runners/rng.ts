/**
 * Seeded randomness lives in `core/` (variants and tools use it below the runners); kept here so
 * runner code and older imports read it where they always did.
 * @module
 */
export * from "../core/rng.ts";
