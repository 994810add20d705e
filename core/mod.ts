/**
 * The ground floor every package may use: seeded randomness and atomic file writes. It imports
 * nothing of the project.
 * @module
 */
export { createRng, deriveSeed, hash32, type Rng } from "./rng.ts";
export { writeFileAtomic, writePartsAtomic } from "./atomic_write.ts";
export { writeJsonAtomic } from "./json_stream.ts";
export { Deadlines } from "./deadlines.ts";
export { floatJson } from "./float_json.ts";
