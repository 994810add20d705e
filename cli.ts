/**
 * The tooltrial command line: `bench`, `validate`, `list`.
 * Exit codes: 0 ok, 1 the run failed, 2 bad input (spec, flag or path).
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { closeNames, loadAny, loadSuite, sha256Hex, SpecError } from "./spec/mod.ts";
import type { EpisodeSplit, SuiteSpec } from "./spec/types.ts";
import {
  openEpisodeLog,
  planRun,
  runSuite,
  type VariantEvent,
  writeFileAtomic,
} from "./runners/mod.ts";
import { episodeSplit, SPLITS } from "./tasks/mod.ts";
import { operators, variantsFor } from "./variants/mod.ts";
import {
  assertValidReport,
  buildReport,
  overallMarkdown,
  progressBar,
  renderMarkdown,
  suiteProvenance,
} from "./reports/mod.ts";
import { VERSION } from "./version.ts";

/** Bad command-line input: printed without a stack trace, exit 2. */
export class UsageError extends Error {}

const HELP: Record<string, string> = {
  main: `tooltrial ${VERSION} — can an agent learn a tool it has never seen by trying it?

Usage: tooltrial <command> [options]

Commands:
  bench [suite.yaml]     run a suite (default suite.yaml) and write a report
  validate FILE...       check env or suite specs; exit 2 on any problem
  list [suite.yaml]      show a suite's environments, tools, tasks, agents and protocols

Run "tooltrial <command> --help" for a command's options.
Exit codes: 0 ok, 1 run failed, 2 bad input.`,
  bench: `Usage: tooltrial bench [suite.yaml] [options]

Runs every (env, variant, task, agent, protocol, seed, sample) episode of the suite and writes
  DIR/episodes.jsonl   every event of every episode, and each variant's mapping (versioned JSONL)
  DIR/report.json      aggregated results with provenance (reports/schema/report.v1.json)
  DIR/report.md        the same as Markdown tables

Options:
  --out DIR            output folder (default runs/<suite>-<run id>)
  --agents a,b         only these agents (default: all in the suite)
  --protocols p,q      only these protocols (default: all in the suite)
  --variants v,w       only these variants (clean is the baseline; default: all)
  --splits s,t         only these splits: seen, unseen_task, unseen_tool, unseen_env
  --samples N          episodes per (task, agent, protocol, seed) (default: the suite's)
  --seed N             use this one seed instead of the suite's seeds
  --concurrency N      episodes in flight at once (default 4); results do not depend on it
  --quiet              print nothing but errors
  -h, --help           show this help`,
  validate: `Usage: tooltrial validate FILE...

Loads each env (a folder with env.yaml, or the YAML file) or suite, checks it against the
JSON Schemas in spec/schema/ and every cross-reference (tools, tables, expressions, data files),
and prints each problem as file:line:col with a hint. Exit 2 if any file has a problem.

Options:
  -h, --help           show this help`,
  list: `Usage: tooltrial list [suite.yaml]

Shows the suite's environments with their tools and task counts per split, its variants, what it
holds out of training, its agents and protocols, and how many episodes a bench run makes.

Variant operators: ${Object.values(operators).map((o) => o.name).join(", ")}.

Options:
  -h, --help           show this help`,
};

type Flags = Record<string, { type: "string" | "boolean"; short?: string }>;

function parse<T extends Flags>(args: string[], options: T) {
  try {
    const all = { help: { type: "boolean", short: "h" }, ...options } as const;
    return parseArgs({ args, options: all, allowPositionals: true, strict: true }) as {
      values: { [K in keyof T]?: T[K]["type"] extends "string" ? string : boolean } & {
        help?: boolean;
      };
      positionals: string[];
    };
  } catch (err) {
    const msg = (err as Error).message.replace(/\. To specify a positional.*$/s, "");
    throw new UsageError(msg);
  }
}

function intFlag(v: string | undefined, name: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${v}"`);
  }
  return n;
}

function listFlag(
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

async function gitInfo(): Promise<{ commit: string | null; dirty: boolean | null }> {
  try {
    const run = async (...args: string[]) => {
      const out = await new Deno.Command("git", { args, stdout: "piped", stderr: "null" }).output();
      if (!out.success) throw new Error("git failed");
      return new TextDecoder().decode(out.stdout).trim();
    };
    const commit = await run("rev-parse", "HEAD");
    const dirty = (await run("status", "--porcelain", "--untracked-files=no")).length > 0;
    return { commit, dirty };
  } catch {
    return { commit: null, dirty: null };
  }
}

/** A run id: hash of what determines the results (specs, agents, protocols, seeds, samples, version). */
export async function runId(
  suite: SuiteSpec,
  sel: {
    agents?: string[];
    protocols?: string[];
    variants?: string[];
    splits?: string[];
    samples: number;
    seeds: number[];
  },
): Promise<string> {
  const key = JSON.stringify({
    v: VERSION,
    suite: suite.sha256,
    agents: suite.agents.filter((a) => !sel.agents || sel.agents.includes(a.name)),
    protocols: suite.protocols.filter((p) => !sel.protocols || sel.protocols.includes(p.name)),
    samples: sel.samples,
    seeds: sel.seeds,
    ...(sel.variants ? { variants: sel.variants } : {}),
    ...(sel.splits ? { splits: sel.splits } : {}),
  });
  return (await sha256Hex(key)).slice(0, 16);
}

/** Every variant name the suite runs on some environment, clean first. */
function variantNames(suite: SuiteSpec): string[] {
  return [...new Set(suite.envs.flatMap((e) => variantsFor(suite, e).map((v) => v.name)))];
}

async function bench(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      out: { type: "string" },
      agents: { type: "string" },
      protocols: { type: "string" },
      variants: { type: "string" },
      splits: { type: "string" },
      samples: { type: "string" },
      seed: { type: "string" },
      concurrency: { type: "string" },
      quiet: { type: "boolean" },
    } as const,
  );
  if (values.help) return print(HELP.bench);
  if (positionals.length > 1) {
    throw new UsageError(
      `bench takes one suite file, got ${positionals.length}: ${positionals.join(" ")}`,
    );
  }
  const started = new Date();
  const suite = await loadSuite(positionals[0] ?? "suite.yaml");
  const agents = listFlag(values.agents, "agents", suite.agents.map((a) => a.name));
  const protocols = listFlag(values.protocols, "protocols", suite.protocols.map((p) => p.name));
  const variants = listFlag(values.variants, "variants", variantNames(suite));
  const splits = listFlag(values.splits, "splits", [...SPLITS], "a split") as
    | EpisodeSplit[]
    | undefined;
  const samples = intFlag(values.samples, "samples", 1) ?? suite.samples;
  const seed = intFlag(values.seed, "seed", 0);
  const seeds = seed !== undefined ? [seed] : suite.seeds;
  const concurrency = intFlag(values.concurrency, "concurrency", 1) ?? 4;
  const selection = { agents, protocols, variants, splits, samples, seeds };
  const id = await runId(suite, selection);
  const out = values.out ?? join("runs", `${suite.name}-${id}`);
  const total = planRun(suite, selection).length;
  if (total === 0) {
    throw new UsageError(
      `nothing to run: the suite has no tasks for the selected agents, protocols, variants and splits`,
    );
  }

  await Deno.mkdir(out, { recursive: true });
  // A report from an earlier run in this folder must not pass for this run's.
  for (const f of ["report.json", "report.md"]) await Deno.remove(join(out, f)).catch(() => {});
  const log = await openEpisodeLog(join(out, "episodes.jsonl"));
  const quiet = values.quiet ?? false;
  const bar = progressBar(total, { label: `${suite.name} `, enabled: quiet ? false : undefined });
  if (!quiet) {
    console.error(
      `tooltrial ${VERSION}: ${total} episodes (${suite.envs.length} envs, run ${id}) → ${out}`,
    );
  }
  let records;
  const variantEvents: VariantEvent[] = [];
  try {
    records = await runSuite(suite, {
      ...selection,
      concurrency,
      onVariant: async (ev) => {
        variantEvents.push(ev);
        await log.note(ev);
      },
      onEpisode: async (rec, done) => {
        await log.append(rec);
        bar.tick(done);
      },
    });
  } finally {
    log.close();
  }
  bar.done();
  const git = await gitInfo();
  const report = buildReport(records, {
    run_id: id,
    variants: variantEvents,
    provenance: {
      tooltrial_version: VERSION,
      git_commit: git.commit,
      git_dirty: git.dirty,
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      typescript: Deno.version.typescript,
      os: Deno.build.os,
      arch: Deno.build.arch,
      started_at: started.toISOString(),
      finished_at: new Date().toISOString(),
      command: ["bench", ...args],
      ...suiteProvenance(suite),
      seeds,
      samples,
      concurrency,
    },
  });
  assertValidReport(report);
  await writeFileAtomic(join(out, "report.md"), renderMarkdown(report));
  await writeFileAtomic(join(out, "report.json"), JSON.stringify(report, null, 2) + "\n");
  if (!quiet) {
    console.log(overallMarkdown(report));
    console.log(
      `\nreport: ${join(out, "report.md")} · ${join(out, "report.json")} · episodes: ${
        join(out, "episodes.jsonl")
      }`,
    );
  }
  return 0;
}

async function validate(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {});
  if (values.help) return print(HELP.validate);
  if (positionals.length === 0) {
    throw new UsageError("validate needs at least one file: tooltrial validate envs/library");
  }
  let bad = 0;
  for (const file of positionals) {
    try {
      const r = await loadAny(file);
      const what = r.kind === "env"
        ? `env "${r.spec.name}": ${r.spec.tools.length} tools, ${r.spec.tasks.length} task${
          r.spec.tasks.length === 1 ? "" : "s"
        }`
        : `suite "${r.spec.name}": ${r.spec.envs.length} envs, ${
          r.spec.envs.reduce((n, e) => n + e.tasks.length, 0)
        } tasks`;
      console.log(`ok  ${file}  (${what})`);
    } catch (err) {
      if (!(err instanceof SpecError)) throw err;
      bad++;
      console.error(err.format());
    }
  }
  if (bad > 0) {
    console.error(
      `\n${bad} of ${positionals.length} file${positionals.length > 1 ? "s" : ""} invalid`,
    );
  }
  return bad > 0 ? 2 : 0;
}

async function list(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {});
  if (values.help) return print(HELP.list);
  const suite = await loadSuite(positionals[0] ?? "suite.yaml");
  const lines = [`suite ${suite.name}${suite.description ? ` — ${suite.description}` : ""}`, ""];
  for (const e of suite.envs) {
    const counts = new Map<string, number>();
    for (const t of e.tasks) {
      const s = episodeSplit(suite, e, t);
      counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    lines.push(
      `env ${e.name} (${e.file}): ${e.tasks.length} tasks (${
        SPLITS.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s}`).join(", ")
      })`,
    );
    lines.push(`  tools: ${e.tools.map((t) => t.name).join(", ")}`);
    lines.push(
      `  state: ${Object.entries(e.state).map(([k, rows]) => `${k} (${rows.length})`).join(", ")}`,
    );
  }
  lines.push("", "variants:");
  for (const name of variantNames(suite)) {
    const v = suite.variants.find((x) => x.name === name) ??
      suite.envs.flatMap((e) => e.variants).find((x) => x.name === name);
    const ops = v ? v.ops.map((o) => o.op).join(" → ") : "";
    const only = suite.envs.filter((e) => variantsFor(suite, e).some((x) => x.name === name));
    lines.push(
      `  ${name}: ${ops || "no operators (baseline)"}${
        only.length < suite.envs.length ? ` (only ${only.map((e) => e.name).join(", ")})` : ""
      }`,
    );
  }
  if (suite.heldout.envs.length + suite.heldout.tools.length > 0) {
    lines.push(
      `held out of training: envs [${suite.heldout.envs.join(", ")}], tools [${
        suite.heldout.tools.join(", ")
      }]`,
    );
  }
  lines.push("", `agents: ${suite.agents.map((a) => `${a.name} (${a.scripted})`).join(", ")}`);
  lines.push(
    `protocols: ${
      suite.protocols.map((p) =>
        p.kind === "trial" ? `${p.name} (trial, budget ${p.trialBudget})` : `${p.name} (direct)`
      ).join(", ")
    }`,
  );
  lines.push(
    `seeds: ${suite.seeds.join(", ")} · samples: ${suite.samples} · episodes per bench run: ${
      planRun(suite).length
    }`,
  );
  console.log(lines.join("\n"));
  return 0;
}

function print(text: string): number {
  console.log(text);
  return 0;
}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = { bench, validate, list };

/** Run the CLI with `args`; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  try {
    if (cmd === undefined || cmd === "help" || cmd === "--help" || cmd === "-h") {
      return print(HELP.main);
    }
    if (cmd === "--version" || cmd === "-V") return print(VERSION);
    const run = COMMANDS[cmd];
    if (!run) {
      const close = closeNames(cmd, Object.keys(COMMANDS), 1);
      throw new UsageError(
        `unknown command "${cmd}"${
          close.length ? ` (did you mean "${close[0]}"?)` : ""
        }; run "tooltrial --help" for the list`,
      );
    }
    return await run(rest);
  } catch (err) {
    if (err instanceof SpecError) {
      console.error(err.format());
      console.error(
        `\n${err.issues.length} problem${err.issues.length > 1 ? "s" : ""} found; nothing was run.`,
      );
      return 2;
    }
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}`);
      return 2;
    }
    console.error(
      `tooltrial failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`,
    );
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
