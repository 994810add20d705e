/**
 * The shell commands that Markdown docs show, and a static check of each: a `deno task X` names a
 * task of `deno.json`, a `tooltrial X` (or `deno task tooltrial X`, `deno run … cli.ts X`) names a
 * command of the CLI, its `--flags` are in that command's help, and every repository path it names
 * exists. `scripts/doc_commands_test.ts` runs it over README.md and docs/*.md.
 *
 * @module
 */

/** One word of a shell command, quotes removed; `quoted` when any part of it was quoted. */
export interface Word {
  /** The word as the shell passes it on. */
  text: string;
  /** Whether any part of it was inside quotes. */
  quoted: boolean;
}

/** One command of a fenced `sh`/`bash`/`shell` block, with where it starts. */
export interface DocCommand {
  /** The Markdown file, as given. */
  file: string;
  /** 1-based line of the file where the command starts. */
  line: number;
  /** Its words; pipes, `&&`, `;` and `&` separate commands. */
  words: Word[];
}

/** A call of the CLI or of a `deno task` found in a command. */
export interface CliCall {
  /** The command it is in. */
  command: DocCommand;
  /** The `deno task` named, if it is one. */
  task?: string;
  /** Whether it runs the CLI (`tooltrial`, a task running `cli.ts`, `deno run … cli.ts`). */
  cli: boolean;
  /** The CLI command (`bench`, `validate`, …) it runs; none for `tooltrial --help`. */
  sub?: string;
  /** The words after the task or CLI command. */
  args: string[];
}

/** What {@linkcode checkCommands} compares the commands with. */
export interface CheckOptions {
  /** `deno.json`'s tasks: name → command line. */
  tasks: Record<string, string>;
  /** The CLI's commands (`bench`, `validate`, …). */
  subcommands: string[];
  /** The repository's top-level files and folders: a word starting with one is a path. */
  roots: string[];
  /** Whether a repository path exists. */
  exists: (path: string) => boolean;
  /** Each CLI command's `--help` text; when given, every `--flag` used must appear in it. */
  help?: Record<string, string>;
}

const SHELL_FENCE = /^(\s*)(`{3,}|~{3,})\s*(sh|bash|shell|console)\b.*$/;

/**
 * Every command in the Markdown's fenced `sh`, `bash` and `shell` blocks (other blocks are
 * output or YAML): comments dropped, `\` line continuations joined, quotes that span lines kept in
 * one word, and a quoted word that is itself a `deno task`/`tooltrial` command (`sbatch --wrap '…'`)
 * read as one more command.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { extractCommands } from "./doc_commands.ts";
 * const fence = "`".repeat(3);
 * const md = `Run:\n\n${fence}sh\ndeno task bench suite.yaml   # the default\n${fence}\n`;
 * const [cmd] = extractCommands(md, "README.md");
 * assert.ok(cmd.line === 4 && cmd.words.map((w) => w.text).join(" ") === "deno task bench suite.yaml");
 * ```
 */
export function extractCommands(markdown: string, file: string): DocCommand[] {
  const lines = markdown.split("\n");
  const out: DocCommand[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(SHELL_FENCE);
    if (!open) continue;
    const [, indent, fence] = open;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].trim().startsWith(fence)) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
      j++;
    }
    out.push(...parseShell(body.join("\n"), { file, line: i + 2 }));
    i = j;
  }
  return out;
}

/** Splits shell text into commands of words: quotes, escapes, comments and separators. */
function parseShell(text: string, at: { file: string; line: number }): DocCommand[] {
  const out: DocCommand[] = [];
  let words: Word[] = [];
  let word: Word | undefined;
  let line = at.line, start = at.line;
  const endWord = () => {
    if (word) words.push(word);
    word = undefined;
  };
  const endCommand = () => {
    endWord();
    if (words.length) out.push({ file: at.file, line: start, words });
    words = [];
  };
  const add = (s: string, quoted: boolean) => {
    if (!word) {
      if (!words.length) start = line;
      word = { text: "", quoted: false };
    }
    word.text += s;
    word.quoted ||= quoted;
  };
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (c === "\\" && text[k + 1] === "\n") {
      k++, line++;
    } else if (c === "\\" && k + 1 < text.length) {
      add(text[++k], true);
    } else if (c === "'" || c === '"') {
      let end = text.indexOf(c, k + 1);
      if (end < 0) end = text.length;
      let s = text.slice(k + 1, end);
      if (c === '"') s = s.replace(/\\(["\\$`])/g, "$1");
      if (!word && !words.length) start = line;
      add(s, true);
      line += (text.slice(k, end).match(/\n/g) ?? []).length;
      k = end;
    } else if (c === "#" && !word) {
      while (k + 1 < text.length && text[k + 1] !== "\n") k++;
    } else if (c === "\n") {
      endCommand();
      line++;
    } else if (c === ";" || c === "|" || c === "&") {
      while (text[k + 1] === c) k++;
      endCommand();
    } else if (c === " " || c === "\t") {
      endWord();
    } else {
      add(c, false);
    }
  }
  endCommand();
  // A quoted word holding a whole command (sbatch --wrap '…', sh -c "…") is one more command.
  for (const cmd of [...out]) {
    for (const w of cmd.words) {
      if (w.quoted && /^\s*(tooltrial\s|(npx\s+-y\s+)?deno(@\S+)?\s+(task|run)\s)/.test(w.text)) {
        out.push(...parseShell(w.text, { file: at.file, line: cmd.line }));
      }
    }
  }
  return out.sort((a, b) => a.line - b.line);
}

/**
 * The CLI calls and `deno task`s in a command: `deno task X …` (`npx -y deno@V task X …`),
 * `tooltrial X …` and `deno run … cli.ts X …`. A task that runs `cli.ts CMD` counts as CMD; the
 * `tooltrial` task (`cli.ts` alone) takes its command from the next word.
 */
export function cliCalls(command: DocCommand, tasks: Record<string, string>): CliCall[] {
  const w = command.words.map((x) => x.text);
  const calls: CliCall[] = [];
  for (let i = 0; i < w.length; i++) {
    if (i === 0 && w[0] === "tooltrial") {
      calls.push(cliCall(command, w.slice(1)));
      break;
    }
    if (!/^deno(@[\w.-]+)?$/.test(w[i])) continue;
    if (w[i + 1] === "task" && w[i + 2] !== undefined) {
      const task = w[i + 2], rest = w.slice(i + 3);
      const cli = tasks[task]?.match(/(?:^|\s)cli\.ts(?:\s+(\S+))?\s*$/);
      if (!cli) calls.push({ command, task, cli: false, args: rest });
      else if (cli[1]) calls.push({ command, task, cli: true, sub: cli[1], args: rest });
      else calls.push({ ...cliCall(command, rest), task });
      break;
    }
    if (w[i + 1] === "run") {
      const script = w.findIndex((x, k) => k > i + 1 && !x.startsWith("-"));
      if (script >= 0 && w[script].replace(/^\.\//, "") === "cli.ts") {
        calls.push(cliCall(command, w.slice(script + 1)));
      }
      break;
    }
  }
  return calls;
}

/** A CLI call from the words after `tooltrial`: a first word that is a flag names no command. */
function cliCall(command: DocCommand, words: string[]): CliCall {
  return words.length && !words[0].startsWith("-")
    ? { command, cli: true, sub: words[0], args: words.slice(1) }
    : { command, cli: true, args: words };
}

const FILE_EXTENSION = /\.(ya?ml|jsonl?|ts|py|csv|md|onnx|txt|sh)$/;
const NOT_A_PATH = /^[a-z][\w+.-]*:\/\/|^[/~-]|[\s$*?<>{}…\[\]]/;
/** Folders a command writes into rather than reads (git-ignored, absent in a fresh clone). */
const OUTPUTS = ["runs", "node_modules"];

/**
 * The repository path a word names, or undefined when it names none: a word that starts with one
 * of `roots` or ends in a file extension (`suite.yaml`), not a URL, an absolute path, a pattern, a
 * variable or an output folder (`runs/…`). In `NAME=PATH` the path is the part after `=`.
 */
export function repoPath(word: Word, roots: string[]): string | undefined {
  let s = word.text;
  const eq = s.match(/^-{0,2}[\w.-]+=(.*)$/);
  if (eq) s = eq[1];
  if (!s || NOT_A_PATH.test(s) || !/^[\w@.+-]+(\/[\w@.+-]*)*$/.test(s)) return undefined;
  s = s.replace(/^\.\//, "");
  const first = s.split("/")[0];
  if (OUTPUTS.includes(first)) return undefined;
  if ((s.includes("/") && roots.includes(first)) || FILE_EXTENSION.test(s)) return s;
  return undefined;
}

/**
 * Every problem with the commands, as `file:line: what`: a task `deno.json` lacks, a CLI command
 * that does not exist, a flag its help does not list, a repository path that does not exist.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkCommands, extractCommands } from "./doc_commands.ts";
 * const fence = "`".repeat(3);
 * const cmds = extractCommands(`${fence}sh\ndeno task bnech\n${fence}\n`, "x.md");
 * const problems = checkCommands(cmds, {
 *   tasks: { bench: "deno run cli.ts bench" },
 *   subcommands: ["bench"],
 *   roots: [],
 *   exists: () => true,
 * });
 * assert.ok(problems[0].startsWith('x.md:2: "deno task bnech"'));
 * ```
 */
export function checkCommands(commands: DocCommand[], options: CheckOptions): string[] {
  const problems: string[] = [];
  for (const command of commands) {
    const where = `${command.file}:${command.line}`;
    for (const call of cliCalls(command, options.tasks)) {
      if (call.task !== undefined && !(call.task in options.tasks)) {
        problems.push(
          `${where}: "deno task ${call.task}" is not a task of deno.json (tasks: ${
            Object.keys(options.tasks).join(", ")
          })`,
        );
        continue;
      }
      if (call.sub === undefined) continue;
      if (!options.subcommands.includes(call.sub)) {
        problems.push(
          `${where}: "tooltrial ${call.sub}" is not a command of the CLI (commands: ${
            options.subcommands.join(", ")
          })`,
        );
        continue;
      }
      const help = options.help?.[call.sub];
      if (help === undefined) continue;
      for (const arg of call.args) {
        const flag = arg.match(/^--?[\w-]+/)?.[0];
        if (flag && !new RegExp(`(^|[\\s\\[|,])${flag}\\b`).test(help)) {
          problems.push(`${where}: "tooltrial ${call.sub}" has no option ${flag}`);
        }
      }
    }
    for (const word of command.words) {
      const path = repoPath(word, options.roots);
      if (path !== undefined && !options.exists(path)) {
        problems.push(`${where}: "${path}" does not exist in the repository`);
      }
    }
  }
  return problems;
}
