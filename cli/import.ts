import { basename, dirname, join } from "node:path";
import {
  bfclEnv,
  envName,
  type ImportResult,
  openAiToolsEnv,
  readJsonRecords,
  rotbenchEnvs,
  TAU2_DOMAINS,
  tau2Env,
} from "../importers/mod.ts";
import { closeNames, formatIssue, SpecError, type SpecIssue, withSchemaLine } from "../spec/mod.ts";
import { envFromDoc } from "../spec/load_env.ts";
import { parseJsonKeepFloats } from "../tasks/mod.ts";
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
  "bfcl-compat": { type: "boolean" },
  limit: { type: "string" },
  domain: { type: "string" },
} as const;

type ImportFlags = Values<typeof FLAGS>;

/** One kind of input `tooltrial import` turns into an env folder. */
interface Source {
  /** What the command line names: FILE (the default) or a folder. */
  input?: string;
  /** The flags only this source takes (--out and --name are everyone's). */
  flags: (keyof typeof FLAGS)[];
  /** Check its flags' values before anything is read. */
  check?: (values: ImportFlags) => void;
  /** Read the input: the env folder's files, and the problems left out. */
  build: (file: string, opts: { name?: string; values: ImportFlags }) => Promise<ImportResult>;
  /** The env's name when --name is not given (default: from the input file's name). */
  out?: (file: string, values: ImportFlags) => string;
}

/** The sources, by the kind named on the command line. */
const SOURCES: Record<string, Source> = {
  "openai-tools": {
    flags: [],
    build: async (file, { name }) =>
      openAiToolsEnv(await readJsonRecords(file, { what: "tool list" }), { file, name }),
  },
  bfcl: {
    flags: ["answers", "mode", "skip-bad", "bfcl-compat"],
    check: (values) => {
      if (values.mode !== undefined && values.mode !== "bfcl" && values.mode !== "strict") {
        throw new UsageError(`--mode must be bfcl or strict, got "${values.mode}"`);
      }
    },
    build: async (file, { name, values }) =>
      bfclEnv(
        await readJsonRecords(file, { what: "BFCL questions file" }),
        values.answers
          ? await readJsonRecords(values.answers, {
            what: "BFCL possible-answer file",
            // Answers keep BFCL's float spelling (1.0), which its checker types as floats.
            parse: parseJsonKeepFloats,
          })
          : undefined,
        {
          file,
          name,
          mode: values.mode as "bfcl" | "strict" | undefined,
          skipBad: values["skip-bad"],
          compat: values["bfcl-compat"],
        },
      ),
  },
  rotbench: {
    flags: ["skip-bad", "limit"],
    check: (values) => {
      const limit = values.limit === undefined ? undefined : Number(values.limit);
      if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
        throw new UsageError(`--limit must be a whole number above 0, got "${values.limit}"`);
      }
    },
    build: async (file, { name, values }) =>
      rotbenchEnvs(await readJsonRecords(file, { what: "RoTBench data file" }), {
        file,
        name,
        skipBad: values["skip-bad"],
        limit: values.limit === undefined ? undefined : Number(values.limit),
      }),
  },
  tau2: {
    input: "DOMAIN_DIR",
    flags: ["domain", "skip-bad"],
    build: (dir, { name, values }) =>
      tau2Env(dir, { name, domain: values.domain, skipBad: values["skip-bad"] }),
    out: (dir, values) => `tau2-${values.domain ?? basename(dir.replace(/[\\/]+$/, ""))}`,
  },
};

const KINDS = Object.keys(SOURCES);

/** `tooltrial import`: an env folder from a tool list or a benchmark's data. */
export const importCommand = command({
  name: "import",
  summary: "make an env folder from OpenAI/Anthropic tool lists, BFCL, RoTBench or tau2-bench data",
  usage: "import KIND FILE",
  flags: FLAGS,
  help: `Usage: tooltrial import openai-tools TOOLS.json [--out DIR] [--name NAME]
       tooltrial import bfcl QUESTIONS.json [--answers POSSIBLE_ANSWER.json] [--out DIR]
                             [--name NAME] [--mode bfcl|strict] [--skip-bad] [--bfcl-compat]
       tooltrial import rotbench FIRST_TURN.json [--out DIR] [--name NAME] [--skip-bad] [--limit N]
       tooltrial import tau2 DOMAIN_DIR [--out DIR] [--name NAME] [--domain NAME] [--skip-bad]

openai-tools: an OpenAI ([{"type": "function", "function": {name, description, parameters}}]) or
  Anthropic ([{name, description, input_schema}]) tool list → DIR/env.yaml, a skeleton whose tools
  return a placeholder you must replace (the file says where), with a sample task, and
  DIR/suite.yaml to bench it.
bfcl: BFCL's question+function file (JSON lines with id, question, function) and its
  possible-answer file (id, ground_truth) → DIR/env.yaml with the union of the functions as tools
  (dotted names become valid tool names; each call is acknowledged with its arguments) and one task
  per entry offering only its entry's functions, checked by a calls check against the possible
  answers, and DIR/suite.yaml. Entries whose functions share a name but not a doc go to separate
  envs (DIR/NAME-01/env.yaml, …) so every task sees BFCL's exact names. The oracle replays each
  entry's possible answer (values chosen to fit the schema) and must score 100%. simple_java and
  simple_javascript parameters are strings of Java/JavaScript values, as BFCL shows them. irrelevance and
  live_irrelevance entries (told by their ids) need no answers: their check is "no call";
  live_relevance entries are checked for at least one call.
rotbench: a RoTBench Data/First_Turn file (clean, slight, medium, heavy, union) → one task per
  case offering the case's tools under their noisy names, judged on its first action against the
  accepted actions with RoTBench's rules; cases whose tool names clash go to separate envs
  (DIR/NAME-01/env.yaml, …) under one DIR/suite.yaml. See docs/importers-rotbench.md.
tau2: a tau2-bench domain's data folder (data/tau2/domains/NAME: tasks.json, db.json, policy.md)
  → DIR/env.yaml over tooltrial's version of the domain's tools (domains: ${
    Object.keys(TAU2_DOMAINS).join(", ")
  }), its db as
  state tables (DIR/db/), its policy, one conversational task per tau2 task (a scripted user, the
  reference actions as gold calls, the checks its reward_basis gates), DIR/suite.yaml with a
  renamed variant, tau2's LICENSE and a README. Tasks tooltrial cannot score as tau2 does are left
  out, each listed with its reason; nl_assertions become judge: checks (advisory outside the
  reward_basis), graded when the suite configures a judge. See docs/conversations.md.

Nothing is written when the input has a problem: every problem is printed as file:line:col.

Options:
  --out DIR            output folder (default ./NAME); refused if it already holds an env.yaml
                       the import would write
  --name NAME          env name (default from the file name; tau2: tau2-DOMAIN)
  --answers FILE       bfcl: the possible-answer file (else each entry's own ground_truth)
  --mode M             bfcl: the calls checks' mode, bfcl (default: the leaderboard's rules) or strict
  --bfcl-compat        bfcl: tools validate arguments as BFCL's checker does (enums not enforced,
                       BFCL's "variable" values accepted), so every entry BFCL scores can run
  --skip-bad           bfcl, rotbench, tau2: leave out entries with problems (each listed on stderr
                       with its reason, none of their tools kept) instead of stopping
  --limit N            rotbench: import only the file's first N cases
  --domain NAME        tau2: whose tools to use (default: the folder's name)
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
    const source = SOURCES[kind];
    const input = source.input ?? "FILE";
    if (file === undefined || extra.length > 0) {
      throw new UsageError(
        `import ${kind} takes one ${input === "FILE" ? "input file" : "folder"}: ` +
          `tooltrial import ${kind} ${input}`,
      );
    }
    for (const flag of Object.keys(FLAGS) as (keyof typeof FLAGS)[]) {
      const takers = KINDS.filter((k) => SOURCES[k].flags.includes(flag));
      if (values[flag] !== undefined && takers.length > 0 && !takers.includes(kind)) {
        throw new UsageError(`--${flag} only applies to import ${takers.join(" and import ")}`);
      }
    }
    source.check?.(values);
    const name = values.name === undefined ? undefined : envName(values.name);
    const { files, skipped, notes } = await source.build(file, { name, values });
    for (const issue of skipped) console.error(`skipped: ${formatIssue(issue)}`);
    const out = values.out ?? envName(name ?? source.out?.(file, values) ?? file);
    return await writeEnvFolder(files, { out, skipped, notes: notes ?? [] });
  },
});

/** Write an imported env folder (or several under one suite) and say what comes next. */
async function writeEnvFolder(
  files: Record<string, string>,
  opts: { out: string; skipped: SpecIssue[]; notes: string[] },
): Promise<number> {
  const { out, skipped } = opts;
  const envFiles = Object.keys(files).filter((rel) => rel.endsWith("env.yaml"));
  for (const rel of envFiles) {
    if (await Deno.stat(join(out, rel)).then(() => true, () => false)) {
      throw new UsageError(
        `${join(out, rel)} already exists: pick another --out, or remove it first`,
      );
    }
  }
  // What we write must load (with its data files beside it, so it is staged in a scratch folder
  // first); a failure here is a bug in the importer, not bad input.
  const stage = await Deno.makeTempDir({ prefix: "tooltrial-import-" });
  const envs = [];
  try {
    for (const rel of Object.keys(files)) {
      await Deno.mkdir(dirname(join(stage, rel)), { recursive: true });
      await Deno.writeTextFile(join(stage, rel), files[rel]);
    }
    for (const rel of envFiles) {
      try {
        envs.push(await envFromDoc(parseYaml(files[rel], join(stage, rel)), files[rel]));
      } catch (err) {
        if (!(err instanceof SpecError)) throw err;
        throw new Error(`the imported env does not load (an importer bug):\n${err.format()}`);
      }
    }
  } finally {
    await Deno.remove(stage, { recursive: true });
  }
  for (const note of opts.notes) console.log(`note: ${note}`);
  for (const rel of Object.keys(files)) {
    await Deno.mkdir(dirname(join(out, rel)), { recursive: true });
    // Specs open in editors with their schema (a modeline pointing at this copy's schemas).
    const text = rel.endsWith(".yaml") ? withSchemaLine(files[rel], join(out, rel)) : files[rel];
    await writeFileAtomic(join(out, rel), text);
  }
  const problems = skipped.length
    ? `; ${skipped.length} problem${skipped.length === 1 ? "" : "s"} skipped`
    : "";
  const suite = join(out, "suite.yaml");
  if (envFiles.length > 1 || envFiles[0] !== "env.yaml") {
    const tasks = envs.reduce((n, e) => n + e.tasks.length, 0);
    console.log(
      `wrote ${envs.length} env${envs.length === 1 ? "" : "s"} under ${out} (${tasks} task${
        tasks === 1 ? "" : "s"
      }${problems}) and ${suite}\nnext: tooltrial validate ${suite} && tooltrial bench ${suite}`,
    );
    return 0;
  }
  const [env] = envs;
  console.log(
    `wrote ${
      join(out, "env.yaml")
    } (env "${env.name}": ${env.tools.length} tools, ${env.tasks.length} task${
      env.tasks.length === 1 ? "" : "s"
    }${problems}) and ${suite}\nnext: tooltrial validate ${out} && tooltrial bench ${suite}`,
  );
  return 0;
}
