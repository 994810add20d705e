import type { Flags, Values } from "./flags.ts";

/** What a command's `run` gets: its parsed flags, its positional arguments, and the raw ones. */
export interface Invocation<F extends Flags = Flags> {
  /** The flags given (`--help` has been answered already). */
  values: Values<F>;
  /** The positional arguments. */
  positionals: string[];
  /** The arguments as given after the command's name (a run records them). */
  args: string[];
}

/**
 * One command of the CLI: `tooltrial <name> …`. The top-level help lists each command's `usage`
 * and `summary`; `tooltrial <name> --help` prints its `help`; every flag is parsed against
 * `flags` before `run` sees it. Adding a command is one file in cli/ and one line in cli/mod.ts.
 */
export interface Command<F extends Flags = Flags> {
  /** The word after `tooltrial`. */
  name: string;
  /** One line for the top-level help. */
  summary: string;
  /** Its arguments, short, for the top-level help (`bench [suite.yaml]`). */
  usage: string;
  /** The flags it takes (besides `--help`). */
  flags: F;
  /** What `--help` prints. */
  help: string;
  /** Run it; returns the exit code (0 ok, 1 the run failed, 2 bad input). */
  run(call: Invocation<F>): Promise<number>;
}

/** A command with its flag types checked, as the table of commands holds it. */
export function command<F extends Flags>(c: Command<F>): Command {
  return c as unknown as Command;
}
