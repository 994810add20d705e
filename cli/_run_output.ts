// Where a run's words go when the CLI runs it: status lines and progress on stderr, none under
// --quiet; on Ctrl-C, where the episodes are and how to resume, then exit 130.
import { closeAllBackends } from "../tools/mod.ts";
import type { RunOutput } from "../run/mod.ts";

const enc = new TextEncoder();

/** A run's output on stderr (`quiet`: only what Ctrl-C says). */
export function runOutput(quiet: boolean): RunOutput {
  return {
    log: quiet ? undefined : (line) => console.error(line),
    progress: quiet ? undefined : (text) => void Deno.stderr.writeSync(enc.encode(text)),
    onInterrupt,
  };
}

/** Say where the finished episodes are, stop the sandboxes and servers the run started, exit. */
export function onInterrupt(logPath: string): void {
  console.error(
    `\ninterrupted: the finished episodes are in ${logPath}; run the same command again to resume`,
  );
  void closeAllBackends().finally(() => Deno.exit(130));
}
