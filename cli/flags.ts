// Flag parsing shared by the commands: one parser, typed values, and errors that say what to do.
import { parseArgs } from "node:util";
import { closeNames } from "../spec/mod.ts";
import {
  DEFAULT_CACHE,
  type EndpointCache,
  EPISODES_PER_WORKER,
  type Shard,
  UsageError,
} from "../run/mod.ts";

/** A command's flags, as `node:util` parseArgs takes them (`--help`/`-h` is added to every one). */
export type Flags = Record<
  string,
  { type: "string" | "boolean"; short?: string; multiple?: boolean }
>;

/** The parsed values of some flags: a string (strings for a repeatable one) or a boolean. */
export type Values<F extends Flags> =
  & {
    [K in keyof F]?: F[K]["type"] extends "string"
      ? F[K]["multiple"] extends true ? string[] : string
      : boolean;
  }
  & { help?: boolean };

/** Parse a command's arguments; an unknown or malformed flag is a UsageError naming `--help`. */
export function parse<F extends Flags>(
  args: string[],
  options: F,
  command: string,
): { values: Values<F>; positionals: string[] } {
  try {
    const all = { help: { type: "boolean", short: "h" }, ...options } as const;
    return parseArgs({ args, options: all, allowPositionals: true, strict: true }) as {
      values: Values<F>;
      positionals: string[];
    };
  } catch (err) {
    const msg = (err as Error).message.replace(/\. To specify a positional.*$/s, "");
    throw new UsageError(`${msg}; run "tooltrial ${command} --help" for its options`);
  }
}

/** An integer flag ≥ `min`; undefined when not given. */
export function intFlag(v: string | undefined, name: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${v}"`);
  }
  return n;
}

/** Most workers `--workers` takes: each one holds its own agents, backends and suite. */
export const MAX_WORKERS = 256;

/** `--workers N`: an integer in 1..MAX_WORKERS; default `auto` (run/_run_into.ts: one per core). */
export function workersFlag(v: string | undefined): number | "auto" {
  const cores = navigator.hardwareConcurrency;
  if (v === undefined || v === "auto") return "auto";
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isInteger(n) || n < 1 || n > MAX_WORKERS) {
    throw new UsageError(
      `--workers must be an integer from 1 to ${MAX_WORKERS}, got "${v}": the number of worker threads running episodes (default auto: one per core, ${cores} here, and one per ${EPISODES_PER_WORKER} episodes at most; 1 runs them all in one thread)`,
    );
  }
  return n;
}

/** A comma-separated list flag whose every item must be one of `known`; undefined when not given. */
export function listFlag(
  v: string | undefined,
  name: string,
  known: string[],
  where = "in the suite",
): string[] | undefined {
  if (v === undefined) return undefined;
  const items = v.split(",").map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!known.includes(item)) {
      const close = closeNames(item, known, 1);
      throw new UsageError(
        `--${name}: "${item}" is not ${where}${
          close.length ? ` (did you mean "${close[0]}"?)` : ""
        }; known: ${known.join(", ")}`,
      );
    }
  }
  return items;
}

/** `i/n`, or `auto/n` (index from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID). */
export function shardFlag(v: string | undefined): Shard | undefined {
  if (v === undefined) return undefined;
  const m = v.match(/^(\d+|auto)\/(\d+)$/);
  if (!m) {
    throw new UsageError(`--shard must be i/n (e.g. 0/4) or auto/n, got "${v}"`);
  }
  const count = Number(m[2]);
  let index: number;
  if (m[1] === "auto") {
    const job = Deno.env.get("JOB_COMPLETION_INDEX");
    const slurm = Deno.env.get("SLURM_ARRAY_TASK_ID");
    if (job === undefined && slurm === undefined) {
      throw new UsageError(
        "--shard auto/n needs JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID (Slurm array) in the environment",
      );
    }
    index = job !== undefined
      ? Number(job)
      : Number(slurm) - Number(Deno.env.get("SLURM_ARRAY_TASK_MIN") ?? 0);
  } else index = Number(m[1]);
  if (!Number.isInteger(index) || count < 1 || index < 0 || index >= count) {
    throw new UsageError(`--shard ${v}: the index must be 0 … ${count - 1}`);
  }
  return { index, count };
}

/** The response cache a command uses, from its `--cache-dir` and `--no-cache` flags. */
export function cacheFlags(values: { "cache-dir"?: string; "no-cache"?: boolean }): EndpointCache {
  return { dir: values["cache-dir"] ?? DEFAULT_CACHE.dir, off: values["no-cache"] ?? false };
}
