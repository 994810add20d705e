/**
 * The tooltrial command line: a table of commands, one file each in this folder. `main` finds the
 * command, parses its flags, answers `--help` from its entry, runs it, and turns bad input into a
 * message and exit 2. Exit codes: 0 ok, 1 the run failed, 2 bad input (spec, flag or path).
 * @module
 */
import { closeNames, SpecError } from "../spec/mod.ts";
import { AgentSetupError, LogError } from "../runners/mod.ts";
import { UsageError } from "../run/mod.ts";
import { VERSION } from "../version.ts";
import type { Command } from "./command.ts";
import { parse } from "./flags.ts";
import { bench } from "./bench.ts";
import { validate } from "./validate.ts";
import { list } from "./list.ts";
import { report } from "./report.ts";
import { show } from "./show.ts";
import { merge } from "./merge.ts";
import { compare } from "./compare.ts";
import { reproduce } from "./reproduce.ts";
import { serve } from "./serve.ts";
import { importCommand } from "./import.ts";
import { train } from "./train.ts";
import { judge } from "./judge.ts";

export type { Command } from "./command.ts";
export { UsageError };

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [
  bench,
  validate,
  list,
  report,
  show,
  merge,
  compare,
  judge,
  reproduce,
  serve,
  importCommand,
  train,
];

/** The top-level help: the table of commands, from their entries. */
export function mainHelp(): string {
  return `tooltrial ${VERSION} — can an agent learn a tool it has never seen by trying it?

Usage: tooltrial <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.usage.padEnd(23)}${c.summary}`).join("\n")}

Run "tooltrial <command> --help" for a command's options.
Exit codes: 0 ok, 1 run failed, 2 bad input.`;
}

/** Run the CLI with `args`; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  try {
    if (name === undefined || name === "help" || name === "--help" || name === "-h") {
      return print(mainHelp());
    }
    if (name === "--version" || name === "-V") return print(VERSION);
    const cmd = COMMANDS.find((c) => c.name === name);
    if (!cmd) {
      const close = closeNames(name, COMMANDS.map((c) => c.name), 1);
      throw new UsageError(
        `unknown command "${name}"${
          close.length ? ` (did you mean "${close[0]}"?)` : ""
        }; run "tooltrial --help" for the list`,
      );
    }
    const { values, positionals } = parse(rest, cmd.flags, cmd.name);
    if (values.help) return print(cmd.help);
    return await cmd.run({ values, positionals, args: rest });
  } catch (err) {
    return failed(err);
  }
}

/** The exit code for an error, said on stderr: bad input 2 (no stack trace), anything else 1. */
function failed(err: unknown): number {
  if (err instanceof SpecError) {
    console.error(err.format());
    console.error(
      `\n${err.issues.length} problem${err.issues.length > 1 ? "s" : ""} found; nothing was run.`,
    );
    return 2;
  }
  // A log that is another run's, incomplete or damaged is bad input too: it says how to fix it.
  if (err instanceof UsageError || err instanceof LogError || err instanceof AgentSetupError) {
    console.error(`error: ${err.message}`);
    return 2;
  }
  console.error(
    `tooltrial failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`,
  );
  return 1;
}

function print(text: string): number {
  console.log(text);
  return 0;
}
