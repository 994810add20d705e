import { join } from "node:path";
import {
  bfclEnv,
  envName,
  type ImportResult,
  type InputRecord,
  openAiToolsEnv,
  readJsonRecords,
} from "../importers/mod.ts";
import { closeNames, formatIssue, SpecError, type SpecIssue } from "../spec/mod.ts";
import { envFromDoc } from "../spec/load_env.ts";
import { parseYaml } from "../spec/yaml.ts";
import { writeFileAtomic } from "../runners/mod.ts";
import { UsageError } from "../run/mod.ts";
import { command } from "./command.ts";
import type { Values } from "./flags.ts";

const FLAGS = {
  out: { type: "string" },
  name: { type: "string" },
  answers: { type: "string" },
  mode: { type: "string" },
  "skip-bad": { type: "boolean" },
} as const;

type ImportFlags = Values<typeof FLAGS>;

/** One kind of input `tooltrial import` turns into an env folder. */
interface Source {
  /** What the input file is, for its errors. */
  what: string;
  /** The flags only this source takes (--out and --name are everyone's). */
  flags: (keyof typeof FLAGS)[];
  /** Check its flags' values before anything is read. */
  check?: (values: ImportFlags) => void;
  /** The env folder's files, and the problems left out (--skip-bad). */
  build: (
    records: InputRecord[],
    opts: { file: string; name?: string; values: ImportFlags },
  ) => Promise<ImportResult>;
}

/** The sources, by the kind named on the command line. */
const SOURCES: Record<string, Source> = {
  "openai-tools": {
    what: "tool list",
    flags: [],
    build: (records, { file, name }) => Promise.resolve(openAiToolsEnv(records, { file, name })),
  },
  bfcl: {
    what: "BFCL questions file",
    flags: ["answers", "mode", "skip-bad"],
    check: (values) => {
      if (values.mode !== undefined && values.mode !== "bfcl" && values.mode !== "strict") {
        throw new UsageError(`--mode must be bfcl or strict, got "${values.mode}"`);
      }
    },
    build: async (records, { file, name, values }) =>
      bfclEnv(
        records,
        values.answers
          ? await readJsonRecords(values.answers, { what: "BFCL possible-answer file" })
          : undefined,
        {
          file,
          name,
          mode: values.mode as "bfcl" | "strict" | undefined,
          skipBad: values["skip-bad"],
        },
      ),
  },
};

const KINDS = Object.keys(SOURCES);

/** `tooltrial import`: an env folder from a tool list or a benchmark's data. */
export const importCommand = command({
  name: "import",
  summary: "make an env folder from OpenAI/Anthropic tool lists or BFCL data",
  usage: "import KIND FILE",
  flags: FLAGS,
  help: `Usage: tooltrial import openai-tools TOOLS.json [--out DIR] [--name NAME]
       tooltrial import bfcl QUESTIONS.json [--answers POSSIBLE_ANSWER.json] [--out DIR]
                             [--name NAME] [--mode bfcl|strict] [--skip-bad]

openai-tools: an OpenAI ([{"type": "function", "function": {name, description, parameters}}]) or
  Anthropic ([{name, description, input_schema}]) tool list → DIR/env.yaml, a skeleton whose tools
  return a placeholder you must replace (the file says where), with a sample task, and
  DIR/suite.yaml to bench it.
bfcl: BFCL's question+function file (JSON lines with id, question, function) and its
  possible-answer file (id, ground_truth) → DIR/env.yaml with the union of the functions as tools
  (dotted names become valid tool names; each call is acknowledged with its arguments) and one task
  per entry, checked by a calls check against the possible answers, and DIR/suite.yaml. The
  oracle replays each entry's first possible answer and must score 100%. irrelevance and
  live_irrelevance entries (told by their ids) need no answers: their check is "no call";
  live_relevance entries are checked for at least one call.

Nothing is written when the input has a problem: every problem is printed as file:line:col.

Options:
  --out DIR            output folder (default ./NAME); refused if it already holds an env.yaml
  --name NAME          env name (default from the file name)
  --answers FILE       bfcl: the possible-answer file (else each entry's own ground_truth)
  --mode M             bfcl: the calls checks' mode, bfcl (default: the leaderboard's rules) or strict
  --skip-bad           bfcl: leave out entries with problems (each listed on stderr with its reason,
                       none of their tools kept) instead of stopping
  -h, --help           show this help`,
  async run({ values, positionals }) {
    const [kind, file, ...extra] = positionals;
    if (kind === undefined || !KINDS.includes(kind)) {
      const close = kind ? closeNames(kind, KINDS, 1) : [];
      throw new UsageError(
        `import needs a kind: ${KINDS.join(" or ")}${
          kind ? `, got "${kind}"${close.length ? ` (did you mean "${close[0]}"?)` : ""}` : ""
        }`,
      );
    }
    if (file === undefined || extra.length > 0) {
      throw new UsageError(`import ${kind} takes one input file: tooltrial import ${kind} FILE`);
    }
    const source = SOURCES[kind];
    for (const [other, s] of Object.entries(SOURCES)) {
      for (const flag of s.flags) {
        if (values[flag] !== undefined && !source.flags.includes(flag)) {
          throw new UsageError(`--${flag} only applies to import ${other}`);
        }
      }
    }
    source.check?.(values);
    const name = values.name === undefined ? undefined : envName(values.name);
    const records = await readJsonRecords(file, { what: source.what });
    const { files, skipped } = await source.build(records, { file, name, values });
    for (const issue of skipped) console.error(`skipped: ${formatIssue(issue)}`);
    return await writeEnvFolder(files, { out: values.out ?? envName(name ?? file), skipped });
  },
});

/** Write an imported env folder (refused over an existing env.yaml) and say what comes next. */
async function writeEnvFolder(
  files: Record<string, string>,
  opts: { out: string; skipped: SpecIssue[] },
): Promise<number> {
  const { out, skipped } = opts;
  const envText = files["env.yaml"];
  const envPath = join(out, "env.yaml");
  if (await Deno.stat(envPath).then(() => true, () => false)) {
    throw new UsageError(`${envPath} already exists: pick another --out, or remove it first`);
  }
  // What we write must load; a failure here is a bug in the importer, not bad input.
  let env;
  try {
    env = await envFromDoc(parseYaml(envText, envPath), envText);
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    throw new Error(`the imported env does not load (an importer bug):\n${err.format()}`);
  }
  await Deno.mkdir(out, { recursive: true });
  for (const [rel, text] of Object.entries(files)) await writeFileAtomic(join(out, rel), text);
  console.log(
    `wrote ${envPath} (env "${env.name}": ${env.tools.length} tools, ${env.tasks.length} task${
      env.tasks.length === 1 ? "" : "s"
    }${
      skipped.length ? `; ${skipped.length} problem${skipped.length === 1 ? "" : "s"} skipped` : ""
    }) and ${join(out, "suite.yaml")}\nnext: tooltrial validate ${out} && tooltrial bench ${
      join(out, "suite.yaml")
    }`,
  );
  return 0;
}
