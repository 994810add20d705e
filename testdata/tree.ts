import { join } from "node:path";

/** Folders no tree walk of the repository enters: dependencies, run outputs, git's own. */
const SKIP = new Set(["node_modules", "runs", ".git"]);

/**
 * Every file under `dir` whose name `keep` accepts, skipping node_modules, runs/, .git and the
 * folders `skip` names (paths relative to the repository root). For tests that check the tree.
 */
export async function* repoFiles(
  dir: string,
  keep: (name: string) => boolean,
  skip: readonly string[] = [],
): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) {
      if (!SKIP.has(e.name) && !skip.includes(p)) yield* repoFiles(p, keep, skip);
    } else if (keep(e.name)) yield p;
  }
}
