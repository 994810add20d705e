import { basename, join } from "node:path";
import { envFromDoc } from "../spec/load_env.ts";
import { SpecError, type SpecIssue } from "../spec/errors.ts";
import { readSpecFile } from "../spec/files.ts";
import type { Row } from "../spec/types.ts";
import { ajvIssues } from "../spec/validate.ts";
import { parseYaml } from "../spec/yaml.ts";
import { canonicalJson } from "../tasks/mod.ts";
import { declarativeEnv } from "../tools/mod.ts";
import { type InputRecord, readJsonRecords } from "./input.ts";
import { envName } from "./names.ts";
import type { ImportResult } from "./openai_tools.ts";
import { renderYaml } from "./render.ts";
import { TAU2_DOMAINS, type Tau2Domain } from "./tau2_domains.ts";
import { TAU2_LICENSE } from "./tau2_license.ts";
import { type Tau2Task, tau2TasksValidator } from "./tau2_schema.ts";
import {
  isDict,
  type Tau2Converted,
  type Tau2Engine,
  tau2Task,
  Unrepresentable,
} from "./tau2_task.ts";

/** db.json-shaped data (dicts of rows by id) as the domain's state tables, or where it is wrong. */
function dbTables(
  domain: Tau2Domain,
  db: Record<string, unknown>,
): { tables: Record<string, Row[]> } | { pointer: string; message: string; hint?: string } {
  const tables: Record<string, Row[]> = {};
  const known = Object.keys(domain.tables);
  for (const name of Object.keys(db)) {
    if (!known.includes(name)) {
      return {
        pointer: `/${name}`,
        message: `the ${domain.name} domain has no table "${name}"`,
        hint: `its tables: ${known.join(", ")}`,
      };
    }
  }
  for (const [name, { key }] of Object.entries(domain.tables)) {
    const dict = db[name];
    if (!isDict(dict)) {
      return {
        pointer: dict === undefined ? "" : `/${name}`,
        message: `"${name}" must be an object of rows by ${key}`,
        hint: `tau2 writes {"${name}": {"<${key}>": {"${key}": "<${key}>", …}}}`,
      };
    }
    const rows: Row[] = [];
    for (const [id, row] of Object.entries(dict)) {
      if (!isDict(row) || row[key] !== id) {
        return {
          pointer: `/${name}/${id}`,
          message: `row "${id}" of "${name}" must be an object whose ${key} is "${id}"`,
        };
      }
      rows.push(row);
    }
    tables[name] = rows;
  }
  return { tables };
}

/** The domain's tools over db.json's tables, to run calls at import time. */
async function engineFor(
  domain: Tau2Domain,
  db: Record<string, unknown>,
  tables: Record<string, Row[]>,
): Promise<Tau2Engine> {
  const text = JSON.stringify({ tooltrial: 1, env: "tau2", state: tables, tools: domain.tools });
  const spec = await envFromDoc(parseYaml(text, `<the ${domain.name} tools>`), text).catch(
    (err) => {
      // The tools are tooltrial's own: a failure here is a bug, not bad input.
      const why = err instanceof SpecError ? err.format() : String(err);
      throw new Error(`the tau2 ${domain.name} tools do not load (an importer bug):\n${why}`);
    },
  );
  const env = declarativeEnv(spec);
  let n = 0;
  return {
    domain,
    base: spec.state,
    db,
    tables(d) {
      const r = dbTables(domain, d);
      return "tables" in r ? r.tables : `${r.pointer.slice(1) || "the data"}: ${r.message}`;
    },
    async call(state, { name, args }) {
      const r = await env.step(state, { id: `import_${n++}`, name, arguments: args });
      return r.observation.ok
        ? { ok: true, result: r.observation.result, state: r.state }
        : { ok: false, message: r.observation.error.message };
    },
  };
}

/** Which domain's tools to use: --domain, else the folder's name. */
function domainOf(dir: string, name: string | undefined): Tau2Domain {
  const want = name ?? basename(dir.replace(/[\\/]+$/, ""));
  const domain = TAU2_DOMAINS[want];
  if (domain) return domain;
  throw new SpecError([{
    file: dir,
    line: 1,
    col: 1,
    pointer: "",
    message: `tooltrial has no tools for a tau2 domain "${want}"${
      name ? "" : " (the folder's name)"
    }`,
    hint:
      `domains it can import: ${Object.keys(TAU2_DOMAINS).join(", ")}; give the domain's data ` +
      "folder (data/tau2/domains/<name>), or name the domain with --domain",
  }]);
}

/** The tasks of tasks.json that are valid, and the located problems of the others. */
function readTasks(
  rec: InputRecord,
  { text, file }: { text: string; file: string },
): { tasks: (Tau2Task | undefined)[]; issues: SpecIssue[][]; whole: SpecIssue[] } {
  const validate = tau2TasksValidator();
  if (validate(rec.value)) {
    return { tasks: rec.value as Tau2Task[], issues: [], whole: [] };
  }
  const all = ajvIssues(validate.errors ?? [], parseYaml(text, file));
  const whole = all.filter((i) => !/^\/\d+/.test(i.pointer));
  const issues: SpecIssue[][] = [];
  const list = Array.isArray(rec.value) ? rec.value : [];
  const tasks = list.map((t, i) => {
    issues[i] = all.filter((x) => x.pointer === `/${i}` || x.pointer.startsWith(`/${i}/`));
    return issues[i].length ? undefined : t as Tau2Task;
  });
  return { tasks, issues, whole };
}

/**
 * Each valid task converted, in order; one tooltrial cannot represent is added to `skipped` with
 * its located reason.
 */
async function convertTasks(
  tasks: (Tau2Task | undefined)[],
  o: { engine: Tau2Engine; rec: InputRecord; skipped: SpecIssue[] },
): Promise<{ t: Tau2Task; c: Tau2Converted }[]> {
  const kept: { t: Tau2Task; c: Tau2Converted }[] = [];
  // tau2 scores one scenario several ways; tooltrial takes two tasks alike for a copy.
  const alike = new Map<string, string>();
  for (const [i, t] of tasks.entries()) {
    if (!t) continue;
    try {
      const c = await tau2Task(t, o.engine);
      const { query, user, history, state } = c.task;
      const key = canonicalJson([query, user, history, state]);
      const first = alike.get(key);
      if (first !== undefined) {
        throw new Unrepresentable(
          "/user_scenario",
          `it is task ${first}'s conversation (the same first message, user, history and ` +
            "state) scored another way, and tooltrial takes two tasks alike for a copy",
        );
      }
      alike.set(key, t.id);
      kept.push({ t, c });
    } catch (err) {
      if (!(err instanceof Unrepresentable)) throw err;
      o.skipped.push(o.rec.issue(
        `/${i}${err.pointer}`,
        `task ${t.id} left out: ${err.message}`,
        "tooltrial cannot score it as tau2 does",
      ));
    }
  }
  return kept;
}

/**
 * An env folder from a tau2-bench domain's data folder (tasks.json, db.json, policy.md): the
 * domain's db as state tables (db/), its policy, tooltrial's version of its tools, one task per
 * tau2 task, a suite with a `renamed` variant, tau2's LICENSE and a README. Tasks tooltrial cannot
 * score as tau2 does (user tools, a user database, nl_assertions in the reward basis, nothing
 * that can fail) are left out and listed in `skipped` with the reason; malformed input is a
 * SpecError with every located problem (with `skipBad`, malformed tasks are skipped too).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tau2Env } from "./tau2.ts";
 * const { files, skipped } = await tau2Env("testdata/tau2/mock", {});
 * assert.ok("env.yaml" in files && "db/tasks.json" in files && skipped.length > 0);
 * ```
 */
export async function tau2Env(
  dir: string,
  opts: { name?: string; domain?: string; skipBad?: boolean },
): Promise<ImportResult> {
  const domain = domainOf(dir, opts.domain);
  const tasksFile = join(dir, "tasks.json"), dbFile = join(dir, "db.json");
  const [tasksRec] = await readJsonRecords(tasksFile, { what: "tau2 tasks file" });
  const [dbRec] = await readJsonRecords(dbFile, { what: "tau2 database file" });
  const policy = await readSpecFile(join(dir, "policy.md"), { what: "tau2 policy" });
  const issues: SpecIssue[] = [];
  if (policy.trim() === "") {
    issues.push({
      file: join(dir, "policy.md"),
      line: 1,
      col: 1,
      pointer: "",
      message: "the policy is empty",
      hint: "give the domain's policy.md",
    });
  }
  const db = isDict(dbRec.value) ? dbRec.value : {};
  const base = dbTables(domain, db);
  if (!("tables" in base)) issues.push(dbRec.issue(base.pointer, base.message, base.hint));
  const text = await Deno.readTextFile(tasksFile);
  const read = readTasks(tasksRec, { text, file: tasksFile });
  issues.push(...read.whole);
  const skipped: SpecIssue[] = [];
  for (const list of read.issues) if (list) (opts.skipBad ? skipped : issues).push(...list);
  const seen = new Map<string, number>();
  read.tasks.forEach((t, i) => {
    if (!t) return;
    const first = seen.get(t.id);
    if (first === undefined) return void seen.set(t.id, i);
    const dup = tasksRec.issue(
      `/${i}/id`,
      `task id "${t.id}" is also task ${first}'s`,
      "rename one",
    );
    (opts.skipBad ? skipped : issues).push(dup);
    read.tasks[i] = undefined;
  });
  if (issues.length > 0 || !("tables" in base)) throw new SpecError(issues);
  const engine = await engineFor(domain, db, base.tables);
  const kept = await convertTasks(read.tasks, { engine, rec: tasksRec, skipped });
  if (kept.length === 0) {
    throw new SpecError([
      ...skipped,
      tasksRec.issue("", "no task could be imported", "see the reasons above"),
    ]);
  }
  const name = envName(opts.name ?? `tau2-${domain.name}`);
  const source = dir.replace(/[\\/]+$/, "");
  const total = read.tasks.length;
  return {
    files: {
      "env.yaml": envYaml(domain, { name, source, kept, total }),
      ...Object.fromEntries(
        Object.entries(base.tables).map(([t, rows]) => [
          `db/${t}.json`,
          `${JSON.stringify(rows, null, 2)}\n`,
        ]),
      ),
      "policy.md": policy,
      "suite.yaml": suiteYaml(name, { domain, turns: turnsFor(kept) }),
      LICENSE: TAU2_LICENSE,
      "README.md": readme(domain, { source, kept, skipped, total }),
    },
    skipped,
    notes: notesOf(kept),
  };
}

/** The summary's notes: what the judge grades, and values the scripted user cannot tell. */
function notesOf(kept: { t: Tau2Task; c: Tau2Converted }[]): string[] {
  const judged = kept.filter((k) => k.c.judged.count > 0);
  const count = judged.reduce((n, k) => n + k.c.judged.count, 0);
  const advisory = judged.filter((k) => k.c.judged.advisory).length;
  const s = (n: number) => (n === 1 ? "" : "s");
  return [
    ...(count
      ? [
        `judge: ${count} nl_assertions of ${judged.length} task${s(judged.length)} (${
          judged.map((k) => k.t.id).join(", ")
        })${
          advisory
            ? `, ${
              advisory === judged.length ? "all" : advisory
            } advisory (outside the reward_basis)`
            : ""
        }: graded only when the suite configures a judge, else not scored`,
      ]
      : []),
    ...kept.flatMap((k) =>
      k.c.unreachable.map((u) =>
        `task ${k.t.id}: the scripted user cannot tell ${u}, which no message, fact or tool ` +
        "result holds: a model agent must infer it"
      )
    ),
  ];
}

function envYaml(
  domain: Tau2Domain,
  o: { name: string; source: string; kept: { t: Tau2Task; c: Tau2Converted }[]; total: number },
): string {
  const doc = {
    tooltrial: 1,
    env: o.name,
    description:
      `${domain.description} Imported from tau2-bench: ${o.kept.length} of its ${o.total} ` +
      "tasks, each a conversation with a scripted user.",
    policy: { file: "policy.md" },
    state: Object.fromEntries(Object.keys(domain.tables).map((t) => [t, { file: `db/${t}.json` }])),
    tools: domain.tools,
    tasks: o.kept.map((k) => k.c.task),
  };
  return renderYaml(doc, {
    header: [
      `Generated by \`tooltrial import tau2 ${o.source}\` from tau2-bench's ${domain.name} domain`,
      "(MIT License, Copyright (c) 2025 Sierra Research: see LICENSE and README.md here): its",
      "db.json as state tables (db/), its policy.md, and its tasks. The tools are tooltrial's own,",
      "written to behave as tau2's (names, parameters, results, error messages).",
      "Each task: the user scenario → a scripted user (first message: the reason for the call in the",
      "first person; known_info: the values the reference actions need that only the scenario",
      "holds); evaluation_criteria.actions → gold; the reward_basis → checks (DB → db: replay,",
      "ENV_ASSERTION → state, COMMUNICATE → communicate, ACTION → actions, NL_ASSERTION → judge:);",
      "nl_assertions outside the reward_basis → judge: with advisory: true (graded, deciding nothing).",
      "judge: checks are graded only when the suite configures a judge.",
      'See docs/conversations.md, "Importing tau2-bench domains".',
    ],
    flow: [
      "state/*",
      "policy",
      "tasks/*/tags",
      "tasks/*/gold/*",
      "tasks/*/state/*/*",
      "tasks/*/check/actions/*",
    ],
    comments: o.kept.map((k, i) => ({ path: ["tasks", i], lines: k.c.comments })),
  });
}

/** The protocols' default turn limit (spec/schema/suite.json's `max_turns`). */
const DEFAULT_TURNS = 12;

/**
 * A turn limit that lets the scripted agents finish the longest task — a question for the user's
 * facts, one turn per gold call, exploring and the answer —, or undefined where the default does.
 */
function turnsFor(kept: { c: Tau2Converted }[]): number | undefined {
  const longest = Math.max(
    0,
    ...kept.map((k) => Array.isArray(k.c.task.gold) ? k.c.task.gold.length : 0),
  );
  return longest + 4 > DEFAULT_TURNS ? longest + 10 : undefined;
}

function suiteYaml(name: string, o: { domain: Tau2Domain; turns?: number }): string {
  const { domain, turns } = o;
  const limit = turns === undefined ? {} : { max_turns: turns };
  return renderYaml(
    {
      tooltrial: 1,
      suite: name,
      description: `tau2-bench's ${domain.name} domain, imported: the scripted agents on its ` +
        "tasks, as tau2 names the tools and with the tools renamed.",
      envs: ["."],
      variants: { renamed: [{ rename_tools: { level: "medium", style: "reverse" } }] },
      agents: {
        oracle: { scripted: "oracle" },
        memorizer: { scripted: "memorizer" },
        explorer: { scripted: "explorer" },
      },
      protocols: { direct: { ...limit }, trial: { trial_budget: 6, ...limit } },
    },
    {
      header: [
        "Run: tooltrial bench <this folder>/suite.yaml — the oracle must reach 100% under clean and",
        "renamed; the memorizer, replaying tau2's tool names, collapses once they are renamed.",
        "The tasks' judge: checks (tau2's nl_assertions) are not scored unless a judge is added, e.g.",
        "judge: { openai: { base_url: http://127.0.0.1:8000/v1, model: qwen } }",
      ],
      flow: ["envs", "variants/renamed", "agents/*", "protocols/*"],
    },
  );
}

function readme(
  domain: Tau2Domain,
  o: {
    source: string;
    kept: { t: Tau2Task; c: Tau2Converted }[];
    skipped: SpecIssue[];
    total: number;
  },
): string {
  const nl = o.kept.filter((k) => k.c.judged.count > 0);
  return [
    `# tau2-bench's ${domain.name} domain, imported`,
    "",
    `Generated by \`tooltrial import tau2 ${o.source}\`; do not edit by hand, import again.`,
    "",
    "## Source and license",
    "",
    "The data comes from [tau2-bench](https://github.com/sierra-research/tau2-bench), MIT License,",
    "Copyright (c) 2025 Sierra Research; the license's full text is in `LICENSE` beside this file.",
    `From the domain's folder (\`data/tau2/domains/${domain.name}\`): \`db/*.json\` (its \`db.json\`,`,
    "one file per table, rows in the same order), `policy.md` (as it is) and the tasks of `env.yaml`",
    "(converted from its `tasks.json`). The tools in `env.yaml` are tooltrial's own JSONata rewrite",
    `of \`src/tau2/domains/${domain.name}/tools.py\`: the same names, parameters, results and errors.`,
    "",
    "## Tasks",
    "",
    `${o.kept.length} of the ${o.total} tasks are imported. Left out, because tooltrial cannot score`,
    "them as tau2 does:",
    "",
    ...(o.skipped.length
      ? o.skipped.map((s) => {
        const m = s.message.match(/^task (\S+) left out: (.*)$/s);
        return m ? `- \`${m[1]}\`: ${m[2]}` : `- \`${s.pointer}\`: ${s.message}`;
      })
      : ["- none"]),
    "",
    ...(nl.length
      ? [
        "The `nl_assertions` of " + nl.map((k) => `\`${k.t.id}\``).join(", ") +
        " are `judge:` checks (advisory where the task's reward_basis leaves them out, as tau2",
        "does: graded and logged, success does not depend on them). They are graded only when the",
        "suite configures a judge (`judge:` in suite.yaml, e.g. an OpenAI-compatible endpoint);",
        "without one they are not scored.",
        "",
      ]
      : []),
    "## Run",
    "",
    "```sh",
    "tooltrial validate .",
    "tooltrial bench suite.yaml",
    "```",
    "",
  ].join("\n");
}
