import { join } from "node:path";

/**
 * Where a run's words go. The run prints nothing itself: the CLI sends `log` to stderr (nothing
 * under --quiet), the progress display to stderr, and on Ctrl-C says how to resume.
 */
export interface RunOutput {
  /** Status lines: where models run, resumed logs, endpoint use (default: dropped). */
  log?: (line: string) => void;
  /** Where the progress display's text goes (default: no display). */
  progress?: (text: string) => void;
  /**
   * Called on SIGINT (and SIGTERM) while episodes run, with the episode log's path; without it the
   * run catches no signal. The CLI says how to resume, stops the backends and exits 130.
   */
  onInterrupt?: (logPath: string) => void;
}

/** Where endpoint agents keep their replies, and whether a run replays them. */
export interface EndpointCache {
  /** The cache folder (default runs/cache). */
  dir: string;
  /** true: call the endpoint for every turn (replies are still stored). */
  off: boolean;
}

/** The cache a run uses when none is given: runs/cache, replayed. */
export const DEFAULT_CACHE: Readonly<EndpointCache> = { dir: join("runs", "cache"), off: false };

/**
 * Episodes a worker must have, at least, for `workers: auto` to start it: starting one costs
 * about 0.3 s of CPU (its modules, the suite, its agents), a scripted episode a few ms.
 */
export const EPISODES_PER_WORKER = 250;
