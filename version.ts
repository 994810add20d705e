/** tooltrial's version; goes into every report's provenance and run id. */
export const VERSION = "0.1.0";
