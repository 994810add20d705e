import { toolAjv } from "../spec/load_env.ts";
import { SpecError, type SpecIssue } from "../spec/errors.ts";
import type { Call, CallsMode, JsonSchema, PossibleCall } from "../spec/types.ts";
import {
  answerProblems,
  answersOf,
  type BfclFunction,
  functionsOf,
  queryOf,
} from "./bfcl_entry.ts";
import { answeredValues, compatSchema, fittedGold } from "./bfcl_gold.ts";
import { floatJson } from "../core/mod.ts";
import { callCheckers, parseJsonKeepFloats } from "../tasks/calls/mod.ts";
import type { InputRecord } from "./input.ts";
import { envName, taskId } from "./names.ts";
import { type ImportResult, suiteYaml } from "./openai_tools.ts";
import { renderYaml } from "./render.ts";
import { sampleArgs } from "./sample_args.ts";

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * BFCL's category of an entry id: the id without its number (`simple_python_3` → simple_python,
 * `live_irrelevance_12-0-3` → live_irrelevance).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bfclCategory } from "./bfcl.ts";
 * assert.ok(bfclCategory("live_irrelevance_12-0-3") === "live_irrelevance");
 * ```
 */
export function bfclCategory(id: string): string {
  return id.replace(/_\d+(?:-\d+)*$/, "");
}

/** Categories whose right answer is no call at all: BFCL ships no possible answers for them. */
export const NO_CALL_CATEGORIES: ReadonlySet<string> = new Set([
  "irrelevance",
  "live_irrelevance",
]);

/** Categories where any call is right: BFCL ships no possible answers for them either. */
export const ANY_CALL_CATEGORIES: ReadonlySet<string> = new Set(["live_relevance"]);

/** The state check of an any-call task: every tool of such an env logs its calls in `calls`. */
const SOME_CALL = "$count(state.calls) > 0";

/** An entry read and checked, waiting for its env. */
interface Built {
  id: string;
  query: string;
  local: Map<string, BfclFunction>;
  /** Its possible answers (undefined: irrelevance or relevance, which have none). */
  possible?: PossibleCall[];
  kind: "calls" | "none" | "any";
  rec: InputRecord;
  pointer: string;
}

/** Entries packed into one env: every tool name in it means one (name, doc). */
interface Group {
  byName: Map<string, BfclFunction>;
  tasks: Record<string, unknown>[];
}

/**
 * Envs from BFCL data: the question+function records (`id`, `question`, `function`) and the
 * possible-answer records (`id`, `ground_truth`; or inline `possible_answer`/`ground_truth`).
 * Each entry's functions become tools under BFCL's own names (made valid for APIs:
 * `math.factorial` → `math_factorial`), converted to JSON Schema (Java and JavaScript entries as
 * BFCL shows them: strings of the language's values); each tool returns an acknowledgement
 * echoing its arguments, and each task offers only its own entry's functions (`tools:`). Entries
 * whose functions share a name but not a doc cannot share an env, so entries are packed first-fit
 * into as few envs as the names allow (`NAME-01`, `NAME-02`, … under one suite; a file without
 * such clashes gives one env, NAME). Each entry becomes a task whose gold calls fit the tools'
 * schemas (each parameter's first accepted value that validates) and whose `calls` check (mode
 * `bfcl` by default) maps tool names back to BFCL's. With `compat`, tools validate arguments as
 * BFCL's checker does ({@link compatSchema}: no enums, BFCL's "variables" accepted). Irrelevance
 * entries need no answer (no call is right), live_relevance entries neither (any call is right:
 * a `state` check on a table of calls). Throws SpecError with every located problem; with
 * `skipBad`, an entry with problems is listed in `skipped` and left out whole.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bfclEnv } from "./bfcl.ts";
 * const issue = (pointer: string, message: string) => ({ file: "q.json", line: 1, col: 1, pointer, message });
 * const q = { id: "simple_1", question: [[{ role: "user", content: "5!?" }]], function: [{ name: "math.factorial", description: "n!", parameters: { type: "dict", properties: { number: { type: "integer" } }, required: ["number"] } }] };
 * const a = { id: "simple_1", ground_truth: [{ "math.factorial": { number: [5] } }] };
 * const { files } = bfclEnv([{ value: q, issue }], [{ value: a, issue }], { file: "q.json" });
 * assert.ok(files["env.yaml"].includes("math_factorial: math.factorial"));
 * ```
 */
export function bfclEnv(
  questions: InputRecord[],
  answers: InputRecord[] | undefined,
  opts: { file: string; name?: string; mode?: CallsMode; skipBad?: boolean; compat?: boolean },
): ImportResult {
  const issues: SpecIssue[] = [];
  const skipped: SpecIssue[] = [];
  const answerById = new Map<string, { rec: InputRecord; value: unknown; pointer: string }>();
  for (const rec of answers ?? []) {
    const v = rec.value;
    if (!isObject(v) || typeof v.id !== "string" || !("ground_truth" in v)) {
      // With skipBad the record is listed and dropped; its entry then has no answer and is skipped.
      (opts.skipBad ? skipped : issues).push(rec.issue(
        "",
        'a possible-answer record needs "id" and "ground_truth"',
        "give BFCL's possible_answer file for the same category",
      ));
      continue;
    }
    answerById.set(v.id, { rec, value: v.ground_truth, pointer: "/ground_truth" });
  }
  /** With skipBad, an entry's problems are listed and the entry left out; else they stop the import. */
  const settle = (before: number) => {
    if (opts.skipBad && issues.length > before) skipped.push(...issues.splice(before));
  };
  const built: Built[] = [];
  for (const rec of questions) {
    const before = issues.length;
    const b = read(rec);
    if (b && issues.length === before) built.push(b);
    settle(before);
  }
  function read(rec: InputRecord): Built | undefined {
    const v = rec.value;
    if (!isObject(v) || typeof v.id !== "string") {
      issues.push(rec.issue(
        "",
        'a BFCL entry needs a string "id"',
        'e.g. {"id": "simple_python_0", "question": …, "function": […]}',
      ));
      return undefined;
    }
    const id = v.id;
    const query = queryOf(rec, issues);
    const broken = new Set<string>();
    const local = functionsOf(rec, { id, issues, broken });
    if (!local) return undefined;
    const found = answerById.get(id) ??
      ("ground_truth" in v
        ? { rec, value: v.ground_truth, pointer: "/ground_truth" }
        : "possible_answer" in v
        ? { rec, value: v.possible_answer, pointer: "/possible_answer" }
        : undefined);
    if (!found && query === undefined) return undefined;
    if (!found && NO_CALL_CATEGORIES.has(bfclCategory(id))) {
      return { id, query: query!, local, kind: "none", rec, pointer: "/id" };
    }
    if (!found && ANY_CALL_CATEGORIES.has(bfclCategory(id))) {
      return { id, query: query!, local, kind: "any", rec, pointer: "/function" };
    }
    if (!found) {
      issues.push(rec.issue(
        "/id",
        `no possible answer for ${id}`,
        answers
          ? "the answers file has no record with this id"
          : "pass --answers with BFCL's possible_answer file (only irrelevance entries need none)",
      ));
      return undefined;
    }
    const possible = answersOf(found.rec, found.value, found.pointer, issues);
    if (!possible) return undefined;
    if (local.size === 0 && broken.size === 0 && possible.length > 0) {
      issues.push(rec.issue(
        "/function",
        `entry ${id} lists no function, so no call can match its answer`,
        "give the entry its functions (only irrelevance entries may list none)",
      ));
      return undefined;
    }
    issues.push(...answerProblems(possible, {
      local,
      broken,
      id,
      at: (p, m, h) => found.rec.issue(p, m, h),
      pointer: found.pointer,
    }));
    if (query === undefined) return undefined;
    return { id, query, local, possible, kind: "calls", rec: found.rec, pointer: found.pointer };
  }
  // The schema each (name, doc) is offered with: BFCL's validation rules under compat, widened
  // by every answer of every entry that uses it.
  const answered = new Map<string, Map<string, unknown[]>>();
  if (opts.compat) {
    for (const b of built) {
      if (b.possible) answeredValues(b.possible, answered, (fn) => b.local.get(fn)?.key);
    }
  }
  const schemaOf = (f: BfclFunction): JsonSchema =>
    opts.compat ? compatSchema(f.parameters, answered.get(f.key) ?? new Map()) : f.parameters;
  const schemas = new Map<string, JsonSchema>();
  const finalSchema = (f: BfclFunction) => {
    if (!schemas.has(f.key)) schemas.set(f.key, schemaOf(f));
    return schemas.get(f.key)!;
  };
  const groups: Group[] = [];
  const taskIds = new Set<string>();
  let anyCall = false;
  for (const b of built) {
    const before = issues.length;
    const task = taskOf(b);
    const bad = issues.length > before;
    settle(before);
    if (!task || bad) continue;
    // First fit: the first env where each of the entry's tool names is free or means the same.
    const fns = [...b.local.values()];
    let g = groups.find((g) => fns.every((f) => (g.byName.get(f.name)?.key ?? f.key) === f.key));
    if (!g) groups.push(g = { byName: new Map(), tasks: [] });
    for (const f of fns) g.byName.set(f.name, f);
    g.tasks.push(task);
  }
  function taskOf(b: Built): Record<string, unknown> | undefined {
    const offers = [...new Set([...b.local.values()].map((t) => t.name))];
    const tags = ["bfcl", bfclCategory(b.id)];
    if (b.kind === "none") {
      return task(b.id, { query: b.query, tags, tools: offers, gold: [] }, {
        calls: { mode: opts.mode ?? "bfcl", answers: [] },
      });
    }
    if (b.kind === "any") {
      // The oracle's call: a sample call of the entry's first function (any call is right).
      const first = [...b.local.values()][0];
      const args = first ? sampleArgs(finalSchema(first)) : {};
      if (!first || !toolAjv.compile(finalSchema(first))(args)) {
        issues.push(b.rec.issue(
          "/function",
          first
            ? `no sample call fits ${first.original}'s parameters, so the oracle has no call to make`
            : `entry ${b.id} has no function to call`,
          "give the first function's required parameters a default, an enum or a plain type",
        ));
        return undefined;
      }
      anyCall = true;
      return task(b.id, {
        query: b.query,
        tags,
        tools: offers,
        gold: [{ tool: first.name, args }],
      }, { state: SOME_CALL });
    }
    const possible = b.possible!;
    const before = issues.length;
    const gold = fittedGold(possible, {
      toolOf: (fn) => b.local.get(fn)!.name,
      schemaOf: (fn) => finalSchema(b.local.get(fn)!),
    });
    gold.forEach((g: Call, i) => {
      const fn = Object.keys(possible[i])[0];
      const f = b.local.get(fn)!;
      const validate = toolAjv.compile(finalSchema(f));
      if (!validate(g.args)) {
        const e = validate.errors![0];
        issues.push(b.rec.issue(
          `${b.pointer}/${i}`,
          `no possible answer fits ${f.original}'s parameters: ${
            e.instancePath || "arguments"
          } ${e.message}`,
          opts.compat
            ? "put an accepted value of the documented type in the answer"
            : "put an accepted value of the documented type in the answer, or import with --bfcl-compat (tools then validate as BFCL's checker does)",
        ));
      }
    });
    if (issues.length === before) {
      // The gold as the oracle sends it (floats spelled by the schema) must pass the check;
      // where it does not, BFCL's own data has no passing call (its checker reads such a value
      // differently from its answer).
      const mode = opts.mode ?? "bfcl";
      const functions = Object.fromEntries(
        [...b.local.values()].map((f) => [f.original, finalSchema(f)]),
      );
      const verdict = callCheckers[mode]({
        calls: gold.map((g, i) => {
          const f = b.local.get(Object.keys(possible[i])[0])!;
          return {
            tool: f.original,
            args: parseJsonKeepFloats(floatJson(g.args, finalSchema(f))) as Record<string, unknown>,
          };
        }),
        answers: possible,
        functions,
      });
      if (!verdict.valid) {
        issues.push(b.rec.issue(
          b.pointer,
          `the gold call fails the ${mode} check (${verdict.error_type}: ${
            verdict.errors[0]
          }), so no call of this form passes`,
          mode === "bfcl"
            ? "BFCL's checker reads this answer so that no call matches it; fix the answer"
            : "fix the answer, or import with --mode bfcl",
        ));
      }
    }
    const names: Record<string, string> = {};
    for (const f of b.local.values()) if (f.name !== f.original) names[f.name] = f.original;
    return task(b.id, { query: b.query, tags, tools: offers, gold }, {
      calls: {
        mode: opts.mode ?? "bfcl",
        answers: possible,
        ...(Object.keys(names).length ? { names } : {}),
      },
    });
  }
  function task(
    id: string,
    t: { query: string; tags: string[]; tools: string[]; gold: unknown[] },
    check: Record<string, unknown>,
  ): Record<string, unknown> {
    let tid = taskId(id);
    for (let k = 2; taskIds.has(tid); k++) tid = `${taskId(id)}-${k}`;
    taskIds.add(tid);
    return { id: tid, ...t, check };
  }
  if (issues.length === 0 && groups.length === 0) {
    issues.push(
      skipped.length
        ? questions[0].issue("", "every entry was skipped", "fix the problems listed above")
        : questions[0].issue("", "no BFCL entries found", "give BFCL's question+function file"),
    );
  }
  // When nothing is left, what was skipped is the explanation: report it all.
  if (issues.length > 0) throw new SpecError(groups.length ? issues : [...skipped, ...issues]);
  const base = envName(opts.name ?? opts.file);
  const width = Math.max(2, String(groups.length).length);
  const names = groups.map((_, k) =>
    groups.length === 1 ? base : `${base}-${String(k + 1).padStart(width, "0")}`
  );
  const files: Record<string, string> = {};
  groups.forEach((g, k) => {
    const yaml = envYaml(g, { env: names[k], of: [k + 1, groups.length], anyCall, finalSchema });
    files[groups.length === 1 ? "env.yaml" : `${names[k]}/env.yaml`] = yaml;
  });
  files["suite.yaml"] = groups.length === 1
    ? suiteYaml(base, "Bench the imported BFCL entries (oracle and random only).")
    : renderYaml({
      tooltrial: 1,
      suite: base,
      description: "Bench the imported BFCL entries (oracle and random only).",
      envs: names,
      agents: { oracle: { scripted: "oracle" }, random: { scripted: "random" } },
      protocols: { direct: {} },
    }, {
      header: ["Run: tooltrial bench <this folder>/suite.yaml — the oracle must reach 100%."],
      flow: ["agents/oracle", "agents/random", "protocols/direct", "envs"],
    });
  return { files, skipped };

  function envYaml(
    g: Group,
    o: {
      env: string;
      of: [number, number];
      anyCall: boolean;
      finalSchema: (f: BfclFunction) => JsonSchema;
    },
  ): string {
    const tools = [...g.byName.values()];
    const mode = opts.mode ?? "bfcl";
    const header = [
      `Generated by \`tooltrial import bfcl ${opts.file}\` from BFCL data (Apache-2.0).`,
      ...(o.of[1] > 1
        ? [
          `Env ${o.of[0]} of ${o.of[1]}: entries whose functions share a name but not a doc are`,
          "kept in different envs, so every task sees BFCL's exact function names.",
        ]
        : []),
      `${g.tasks.length} tasks; ${tools.length} tools: the union of the entries' functions. Each task`,
      "offers only its own entry's functions (`tools:`), as BFCL does.",
      "Each tool answers with an acknowledgement echoing its arguments; each task's `calls` check",
      `(mode ${mode}) judges the calls against BFCL's possible answers, mapping tool names back to`,
      "BFCL's function names through `names` (e.g. math_factorial → math.factorial).",
      ...(opts.compat
        ? [
          "--bfcl-compat: tools validate arguments as BFCL's checker does (no enums; each parameter",
          "also accepts the types of its possible answers, BFCL's variables).",
        ]
        : []),
      ...(g.tasks.some((t) => NO_CALL_CATEGORIES.has((t.tags as string[])[1]))
        ? [
          "Irrelevance entries have no possible answer: their check (`answers: []`) expects no call.",
        ]
        : []),
      ...(o.anyCall
        ? [
          "Relevance entries have no possible answer: any call is right. Every tool logs its calls in",
          `the state's \`calls\` table and their check is \`state: ${SOME_CALL}\`.`,
        ]
        : []),
    ];
    const doc = {
      tooltrial: 1,
      env: o.env,
      description: `BFCL entries imported from ${opts.file.replace(/^.*[\\/]/, "")}.`,
      ...(o.anyCall ? { state: { calls: [] } } : {}),
      tools: tools.map((t) => ({
        name: t.name,
        description: t.description,
        parameters: o.finalSchema(t),
        // JSONata strings take JSON's escapes; single quotes read better in YAML when possible.
        result: t.original.includes("'")
          ? `{"acknowledged": ${JSON.stringify(t.original)}, "arguments": $args}`
          : `{'acknowledged': '${JSON.stringify(t.original).slice(1, -1)}', 'arguments': $args}`,
        ...(o.anyCall
          ? { effect: { calls: `$append(state.calls, [{'tool': '${t.name}'}])` } }
          : {}),
      })),
      tasks: g.tasks,
    };
    return renderYaml(doc, {
      header,
      flow: [
        "tasks/*/gold/*",
        "tasks/*/check/calls/answers/*",
        "tasks/*/check/calls/names",
        "tasks/*/tags",
        "tasks/*/tools",
      ],
    });
  }
}
