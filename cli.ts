/**
 * The tooltrial command line (`deno task tooltrial`, `deno install`): see cli/mod.ts, where each
 * command is one entry of a table.
 * @module
 */
export { main } from "./cli/mod.ts";
import { main } from "./cli/mod.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
