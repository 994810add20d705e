import { SpecError, type SpecIssue } from "../spec/errors.ts";
import { goldFromAnswers } from "../tasks/calls/check_calls.ts";
import type { InputRecord } from "./input.ts";
import { envName, toolName } from "./names.ts";
import type { ImportResult } from "./openai_tools.ts";
import { renderYaml } from "./render.ts";
import { readRotbenchCase, ROTBENCH_WILDCARD, type RotbenchCase } from "./rotbench_case.ts";

/** One env of the import: cases whose tools agree on every name they share. */
interface Group {
  /** Tool name as RoTBench shows it → its doc (JSON) and the tool name in the env. */
  tools: Map<string, { doc: string; name: string }>;
  /** The env's tool names, taken. */
  taken: Set<string>;
  /** Its cases' queries, normalized: a query twice in one env is ambiguous (the noisy files repeat each). */
  queries: Set<string>;
  cases: RotbenchCase[];
}

const normQuery = (q: string) => q.toLowerCase().replace(/\s+/g, " ").trim();

const docOf = (t: RotbenchCase["tools"][number]) =>
  JSON.stringify({ description: t.description, parameters: t.parameters });

/**
 * Put a case in the first group it fits — every tool name it shares with the group has the same
 * doc, and no case there has its query — or in a new one.
 */
function place(groups: Group[], c: RotbenchCase): void {
  const query = normQuery(c.query);
  const fits = (g: Group) =>
    !g.queries.has(query) &&
    c.tools.every((t) => (g.tools.get(t.name)?.doc ?? docOf(t)) === docOf(t));
  let g = groups.find(fits);
  if (!g) groups.push(g = { tools: new Map(), taken: new Set(), queries: new Set(), cases: [] });
  g.queries.add(query);
  for (const t of c.tools) {
    // A name tooltrial refuses (a leading digit, from reversing a name) gets a valid one.
    if (!g.tools.has(t.name)) {
      g.tools.set(t.name, { doc: docOf(t), name: toolName(t.name, g.taken) });
    }
  }
  g.cases.push(c);
}

/** Every case of the input, each with its record and the pointer to it. */
function casesOf(
  records: InputRecord[],
): { rec: InputRecord; index: number; pointer: string }[] {
  if (records.length === 1 && Array.isArray(records[0].value)) {
    return (records[0].value as unknown[]).map((_, i) => ({
      rec: records[0],
      index: i,
      pointer: `/${i}`,
    }));
  }
  return records.map((rec, i) => ({ rec, index: i, pointer: "" }));
}

/**
 * Envs from a RoTBench First_Turn file (`clean.json`, `slight.json`, …): one task per case,
 * offering that case's tools (`tools:`) under the exact — noisy — names the case shows, and
 * checked on its first action against RoTBench's accepted actions (`calls` with `any_of`,
 * `first_action_only`, mode `rotbench`, wildcard `"None"`). Cases that show the same tool name
 * with different docs cannot share an env, so the cases are packed first-fit into as few envs as
 * the names allow (`NAME-01`, `NAME-02`, …; one env keeps NAME), each in its own folder, with one
 * suite.yaml over them all. Each tool answers with an acknowledgement echoing its arguments.
 * RoTBench's final-answer tool (the last one listed, "finish" unless noise renamed it) becomes
 * the protocol's final answer. Throws SpecError with every located problem; with `skipBad`, a
 * case with problems is listed in `skipped` and left out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rotbenchEnvs } from "./rotbench.ts";
 * const tools = [{ name: "get_time", description: "Now.", parameters: { type: "object", properties: { tz: { type: "string" } }, required: ["tz"] } },
 *   { name: "ask_to_user", description: "Ask.", parameters: { type: "object", properties: { question: { type: "string" } } } },
 *   { name: "finish", description: "Finish the task and give your answer.", parameters: { type: "object", properties: { answer: { type: "string" } } } }];
 * const value = [{ conversations: [
 *   { from: "system", value: `Tools:\n${JSON.stringify(tools)}\n\nLet's Begin!` },
 *   { from: "user", value: "What time is it in Paris?\nBegin!\n" },
 *   { from: "assistant", value: ['Thought:\nAction: get_time\nAction Input: {"tz": "Europe/Paris"}'] },
 * ], scenario: "RS" }];
 * const rec = { value, issue: (pointer: string, message: string) => ({ file: "clean.json", line: 1, col: 1, pointer, message }) };
 * const { files } = rotbenchEnvs([rec], { file: "clean.json" });
 * assert.ok(Object.keys(files).join() === "rotbench-clean/env.yaml,suite.yaml");
 * ```
 */
export function rotbenchEnvs(
  records: InputRecord[],
  opts: { file: string; name?: string; skipBad?: boolean; limit?: number },
): ImportResult {
  const issues: SpecIssue[] = [];
  const skipped: SpecIssue[] = [];
  const groups: Group[] = [];
  const all = casesOf(records);
  const todo = opts.limit === undefined ? all : all.slice(0, opts.limit);
  for (const { rec, index, pointer } of todo) {
    const before = issues.length;
    const c = readRotbenchCase(rec, { index, pointer, issues });
    if (c) place(groups, c);
    // With skipBad a case's problems are listed, and the case is left out.
    else if (opts.skipBad) skipped.push(...issues.splice(before));
  }
  if (issues.length === 0 && groups.length === 0) {
    const where = records[0] ?? { issue: () => ({}) as SpecIssue };
    issues.push(
      skipped.length
        ? where.issue("", "every case was skipped", "fix the problems listed above")
        : where.issue("", "no RoTBench cases found", "give a Data/First_Turn file of RoTBench"),
    );
  }
  if (issues.length > 0) throw new SpecError(groups.length ? issues : [...skipped, ...issues]);
  const source = opts.file.replace(/^.*[\\/]/, "");
  const level = source.replace(/\.jsonl?$/i, "");
  const base = envName(opts.name ?? (/rotbench/i.test(level) ? level : `rotbench-${level}`));
  const width = String(groups.length).length;
  const names = groups.map((_, k) =>
    groups.length === 1 ? base : `${base}-${String(k + 1).padStart(Math.max(2, width), "0")}`
  );
  const files: Record<string, string> = {};
  groups.forEach((g, k) => {
    files[`${names[k]}/env.yaml`] = envYaml(g, {
      env: names[k],
      source,
      level,
      of: [k + 1, groups.length],
      file: opts.file,
    });
  });
  files["suite.yaml"] = renderYaml(
    {
      tooltrial: 1,
      suite: base,
      description: `RoTBench's ${source}, imported: oracle and random.`,
      envs: names,
      agents: { oracle: { scripted: "oracle" }, random: { scripted: "random" } },
      protocols: { direct: {} },
    },
    {
      header: [
        "Run: tooltrial bench <this folder>/suite.yaml — the oracle must reach 100%; the report's",
        '"First action (RoTBench scores)" section gives tool selection, parameter identification',
        "and content filling.",
      ],
      flow: ["agents/oracle", "agents/random", "protocols/direct", "envs"],
    },
  );
  return { files, skipped };
}

/** One env's YAML: its cases' tools (acknowledging their arguments) and one task per case. */
function envYaml(
  g: Group,
  o: { env: string; source: string; level: string; of: [number, number]; file: string },
): string {
  const tools = new Map<string, RotbenchCase["tools"][number]>();
  for (const c of g.cases) for (const t of c.tools) if (!tools.has(t.name)) tools.set(t.name, t);
  const nameOf = (shown: string) => g.tools.get(shown)!.name;
  const renamed = [...g.tools].filter(([shown, t]) => shown !== t.name);
  const rename = (calls: RotbenchCase["alternatives"][number]) =>
    calls.map((a) => {
      const [shown] = Object.keys(a);
      return { [nameOf(shown)]: a[shown] };
    });
  const tasks = g.cases.map((c) => {
    const anyOf = c.alternatives.map(rename);
    const first = anyOf.find((a) => a.length > 0) ?? [];
    return {
      id: `case-${String(c.index).padStart(3, "0")}`,
      query: c.query,
      tags: ["rotbench", envName(o.level), ...(c.scenario ? [c.scenario] : [])],
      tools: c.tools.map((t) => nameOf(t.name)),
      gold: goldFromAnswers(first),
      check: {
        calls: {
          mode: "rotbench",
          first_action_only: true,
          wildcard: ROTBENCH_WILDCARD,
          any_of: anyOf,
        },
      },
    };
  });
  const header = [
    `Generated by \`tooltrial import rotbench ${o.file}\` from RoTBench (Apache-2.0,`,
    "github.com/Junjie-Ye/RoTBench); see docs/importers-rotbench.md.",
    `Env ${o.of[0]} of ${o.of[1]}: ${tasks.length} cases, ${tools.size} tools.`,
    "Each task offers its case's tools (`tools:`) under the names the case shows, noise included;",
    "cases that show one name with different docs go to different envs. RoTBench's final-answer",
    "tool is the final answer. Each tool acknowledges its arguments. Each check judges the first",
    "action only, by RoTBench's rules (mode rotbench), against the accepted actions (any_of;",
    '"None" = any value).',
    ...(renamed.length
      ? [
        "Renamed to valid tool names:",
        ...renamed.map(([shown, t]) => `  ${shown} → ${t.name}`),
      ]
      : []),
  ];
  const doc = {
    tooltrial: 1,
    env: o.env,
    description: `RoTBench's ${o.source}: ${g.cases.length} of its cases (env ${o.of[0]} of ${
      o.of[1]
    }).`,
    tools: [...tools.values()].map((t) => ({
      name: nameOf(t.name),
      description: t.description,
      parameters: t.parameters,
      result: `{'acknowledged': '${nameOf(t.name)}', 'arguments': $args}`,
    })),
    tasks,
  };
  return renderYaml(doc, {
    header,
    flow: [
      "tasks/*/gold/*/args",
      "tasks/*/check/calls/any_of/*/*/*",
      "tasks/*/tags",
      "tasks/*/tools",
    ],
  });
}
