import { type EnvSpec, loadAny, SpecError, type SuiteSpec } from "../spec/mod.ts";
import { agentKind } from "../runners/agents/mod.ts";
import { auditTasks } from "../runners/mod.ts";
import { UsageError } from "../run/mod.ts";
import { command } from "./command.ts";

/** `tooltrial validate`: check env, suite and training files, replaying every task. */
export const validate = command({
  name: "validate",
  summary: "check env or suite specs; exit 2 on any problem",
  usage: "validate FILE...",
  flags: { fast: { type: "boolean" } },
  help: `Usage: tooltrial validate FILE... [--fast]

Loads each env (a folder with env.yaml, or the YAML file), suite or training file, checks it against the
JSON Schemas in spec/schema/ and every cross-reference (tools, tables, expressions, data files),
then proves each task right: its gold calls replayed as the oracle makes them, on a fresh copy of
the state, under clean and every variant of the suite (a bare env: the seven default variants,
see docs/spec.md), must all succeed and its checks must pass with the reference answer; every value
an answer check expects must appear in the gold calls' results or the query (unless the task is
tagged compute or says grounded: false); no two tasks may share a query or accept each other's
answer. Tasks whose gold calls need an MCP server are not replayed (listed). Prints each problem
as file:line:col with a hint. Exit 2 if any file has a problem.

Options:
  --fast               skip the replay (schema and cross-references only)
  -h, --help           show this help`,
  async run({ values, positionals }) {
    if (positionals.length === 0) {
      throw new UsageError("validate needs at least one file: tooltrial validate envs/library");
    }
    let bad = 0;
    for (const file of positionals) {
      try {
        await validateFile(file, values.fast ?? false);
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
  },
});

/**
 * What a spec's `judge:` checks come to, once: graded by the suite's judge, or not scored
 * (without one, or in a bare env, where no suite names one); null when no task has one.
 */
function judgeNote(envs: readonly EnvSpec[], suite?: SuiteSpec): string | null {
  const tasks = envs.flatMap((e) => e.tasks.filter((t) => t.check.judge));
  if (tasks.length === 0) return null;
  const n = tasks.reduce((k, t) => k + t.check.judge!.assertions.length, 0);
  const advisory = tasks.filter((t) => t.check.judge!.advisory).length;
  const what = `judge: checks: ${tasks.length} task${
    tasks.length === 1 ? "" : "s"
  }, ${n} assertion${n === 1 ? "" : "s"}${
    advisory ? ` (${advisory === tasks.length ? "all" : advisory} advisory)` : ""
  }`;
  if (suite?.judge) return `${what}, graded by ${agentKind(suite.judge).describe(suite.judge)}`;
  return `${what} — not scored ${
    suite ? "(the suite configures no judge)" : "unless a suite configures a judge"
  }: those tasks' success rests on their other checks (replayed here without them)`;
}

/** Check one file and print what it holds; a problem is a SpecError. */
async function validateFile(file: string, fast: boolean): Promise<void> {
  if (/\.ya?ml$/.test(file) && /^training:/m.test(await Deno.readTextFile(file).catch(() => ""))) {
    const { loadTraining } = await import("../training/mod.ts");
    const t = await loadTraining(file);
    console.log(`ok  ${file}  (training "${t.name}": ${t.stages.length} stages)`);
    return;
  }
  const r = await loadAny(file);
  const what = r.kind === "env"
    ? `env "${r.spec.name}": ${r.spec.tools.length} tools, ${r.spec.tasks.length} task${
      r.spec.tasks.length === 1 ? "" : "s"
    }`
    : `suite "${r.spec.name}": ${r.spec.envs.length} envs, ${
      r.spec.envs.reduce((n, e) => n + e.tasks.length, 0)
    } tasks`;
  const audit = fast ? undefined : await auditTasks(
    r.kind === "env" ? [r.spec] : r.spec.envs,
    r.kind === "suite" ? { suite: r.spec } : {},
  );
  if (audit && audit.issues.length > 0) throw new SpecError(audit.issues);
  const replayed = audit ? `; ${audit.replayed} task replays` : "";
  console.log(`ok  ${file}  (${what}${replayed})`);
  const judged = judgeNote(
    r.kind === "env" ? [r.spec] : r.spec.envs,
    r.kind === "suite" ? r.spec : undefined,
  );
  if (judged) console.log(`    ${judged}`);
  if (audit && audit.skipped.length > 0) {
    const reasons = new Map<string, string[]>();
    for (const s of audit.skipped) {
      const k = `${s.env}: ${s.reason}`;
      reasons.set(k, [...reasons.get(k) ?? [], s.task]);
    }
    for (const [reason, tasks] of reasons) {
      const some = tasks.length > 4 ? `${tasks.slice(0, 4).join(", ")}, …` : tasks.join(", ");
      console.log(`    not replayed: ${reason}: ${tasks.length} (${some})`);
    }
  }
}
