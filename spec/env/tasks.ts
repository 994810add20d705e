/**
 * An environment's tasks: gold calls checked against the tools' parameters (or deferred until an
 * imported server lists its tools), a task's tool subset and own state, and its checks.
 * @module
 */
import { closeNames } from "../errors.ts";
import type { AnswerCheck, Call, Check, EnvSpec, ServerSpec, State, TaskSpec } from "../types.ts";
import { callsCheck } from "./calls_check.ts";
import type { ExprContext } from "./context.ts";
import { actionsCheck, normalizeUser } from "./conversation.ts";
import { ENV_SCHEMA, type RawEnv, type RawTask } from "./raw.ts";
import { withDefaults } from "../schema/defaults.ts";
import { writtenColumns } from "./refs.ts";
import { taskState } from "./state.ts";
import type { LoadedTools } from "./tools.ts";
import { taskUserSide, type UserSide } from "./user_side.ts";

/** An env's tasks, normalized, and the gold calls that can only be checked once servers run. */
export interface LoadedTasks {
  /** The tasks, in file order. */
  tasks: TaskSpec[];
  /** Gold calls to tools an imported server will list (see `EnvSpec.deferredGold`). */
  deferredGold: EnvSpec["deferredGold"];
}

/** What tasks are checked against: the env's state, servers and tools. */
export interface TaskEnv extends LoadedTools {
  /** The env's initial state. */
  state: State;
  /** The env's servers (`importAll` set by the tools that import one whole). */
  servers: readonly ServerSpec[];
  /** The simulated user's state and tools, when the env declares them. */
  user?: UserSide;
}

/**
 * The `tasks:` of an env, normalized: ids unique, gold calls naming tools with fitting arguments,
 * `tools:` subsets holding every gold tool, own state tables fitting the env's, checks compiled,
 * and a reference answer for every check.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseYaml } from "../yaml.ts";
 * import { envContext, withExprs } from "./context.ts";
 * import { loadTasks } from "./tasks.ts";
 * const ctx = withExprs(envContext(parseYaml("tasks: []\n", "e.yaml"), []), { now: 0 });
 * const raw = { env: "e", tools: [], tasks: [{ id: "t1", query: "hi", check: {} }] };
 * const env = { state: {}, servers: [], tools: [], validators: new Map(), toolIndex: new Map(), handlers: {} };
 * const { tasks } = await loadTasks(raw, { env, ctx });
 * assert.ok(tasks[0].answer === "Done." && tasks[0].split === "seen" && ctx.issues.length === 0);
 * ```
 */
export async function loadTasks(
  raw: RawEnv,
  opts: { env: TaskEnv; ctx: ExprContext },
): Promise<LoadedTasks> {
  const { env, ctx } = opts;
  const { tools, toolIndex, validators, servers } = env;
  const { at, issues } = ctx;
  const tasks: TaskSpec[] = [];
  const deferredGold: EnvSpec["deferredGold"] = [];
  const taskIndex = new Map<string, number>();
  const columns = writtenColumns(raw);
  const didYouMeanTool = (name: string): string | undefined => {
    const close = closeNames(name, toolIndex.keys(), 2);
    return close.length ? `did you mean ${close.map((c) => `"${c}"`).join(" or ")}?` : undefined;
  };
  /** The hint for a name that is none of the env's tools: close names, else all of them. */
  const unknownToolHint = (name: string): string =>
    didYouMeanTool(name) ?? `tools here: ${[...toolIndex.keys()].join(", ")}`;
  // Servers' importAll is settled by the tools, before any task is read.
  const importing = servers.some((x) => x.importAll);
  for (const [i, written] of (raw.tasks ?? []).entries()) {
    const t = withDefaults(ENV_SCHEMA.$defs.task, written);
    const p = `/tasks/${i}`;
    ctx.unique(taskIndex, t.id, i, { pointer: `${p}/id`, what: "task id", list: "/tasks" });
    const gold: Call[] = (t.gold ?? []).map((g, j) => {
      const args = g.args ?? {};
      const ti = toolIndex.get(g.tool);
      if (ti === undefined && importing) {
        deferredGold.push({
          task: t.id,
          tool: g.tool,
          args,
          at: ctx.where(`${p}/gold/${j}/tool`),
        });
      } else if (ti === undefined) {
        issues.push(
          at(
            `${p}/gold/${j}/tool`,
            `task refers to unknown tool "${g.tool}"`,
            unknownToolHint(g.tool),
          ),
        );
      } else if (tools[ti]?.fromServer?.parameters) {
        deferredGold.push({
          task: t.id,
          tool: g.tool,
          args,
          at: ctx.where(`${p}/gold/${j}/args`),
        });
      } else {
        const validate = validators.get(g.tool);
        if (validate && !validate(args)) {
          const e = validate.errors![0];
          issues.push(
            at(
              `${p}/gold/${j}/args${e.instancePath}`,
              `gold arguments do not fit ${g.tool}'s parameters: ${
                e.instancePath || "arguments"
              } ${e.message}`,
              `fix the gold call or the tool's parameters (schema path ${e.schemaPath})`,
            ),
          );
        }
      }
      return { tool: g.tool, args };
    });
    const offered = t.tools === undefined
      ? undefined
      : taskTools(t.tools, { gold, p, env, ctx, importing, unknownToolHint });
    const own = t.state === undefined
      ? undefined
      : await taskState(t.state, { p: `${p}/state`, state: env.state, columns, ctx });
    const check = taskCheck(t.check, { p, offered, raw, env, ctx, didYouMeanTool, importing });
    const side = await taskUserSide(t, { p, side: env.user, raw, ctx });
    if (side.check) check.user_state = side.check;
    const answer = t.answer !== undefined
      ? String(t.answer)
      : defaultAnswer(check.answer, check.communicate);
    if (answer === undefined) {
      issues.push(
        at(
          `${p}/check/answer`,
          "no reference answer for this check",
          "add answer: with the text a correct agent would reply (needed when the check uses only regex, excludes or jsonata)",
        ),
      );
    }
    tasks.push({
      id: t.id,
      env: raw.env,
      query: t.query,
      split: t.split,
      tags: t.tags,
      ...(t.grounded === false ? { grounded: false } : {}),
      ...(offered ? { tools: offered } : {}),
      ...(own ? { state: own } : {}),
      ...(t.history
        ? { history: t.history.map((m) => ({ role: m.role, content: m.content })) }
        : {}),
      ...(t.user ? { user: normalizeUser(t.user, side) } : {}),
      gold,
      answer: answer ?? "",
      check,
    });
  }
  return { tasks, deferredGold };
}

/** A task's `check:`, compiled and checked against the env's tools. */
function taskCheck(
  c: RawTask["check"],
  opts: {
    p: string;
    offered: string[] | undefined;
    raw: RawEnv;
    env: TaskEnv;
    ctx: ExprContext;
    didYouMeanTool: (name: string) => string | undefined;
    importing: boolean;
  },
): Check {
  const { p, env, ctx } = opts;
  const { at, issues } = ctx;
  const check: Check = {};
  if (c.state !== undefined) check.state = ctx.expr(c.state, `${p}/check/state`);
  if (c.answer) check.answer = answerCheck(c.answer, { p: `${p}/check/answer`, ctx });
  if (c.calls) {
    check.calls = callsCheck(c.calls, `${p}/check/calls`, {
      parametersOf: (tool) => {
        const ti = env.toolIndex.get(tool);
        return ti === undefined ? undefined : opts.raw.tools[ti].parameters ?? { type: "object" };
      },
      at,
      didYouMean: opts.didYouMeanTool,
      issues,
      floatsUnder: (pointer) => ctx.doc.floatsUnder?.(pointer) ?? [],
    });
  }
  if (c.actions) {
    check.actions = actionsCheck(c.actions, `${p}/check/actions`, {
      tools: new Map(
        env.tools.map((x) => [x.name, x.fromServer?.parameters ? undefined : x.parameters]),
      ),
      validate: (tool, args) => {
        const v = env.validators.get(tool);
        if (!v || v(args)) return null;
        const e = v.errors![0];
        return [e.instancePath, `${e.instancePath || "arguments"} ${e.message}`];
      },
      offered: opts.offered,
      importing: opts.importing,
      at,
      issues,
    });
  }
  if (c.db !== undefined) check.db = c.db;
  if (c.communicate) check.communicate = c.communicate.map(String);
  if (c.judge) {
    check.judge = Array.isArray(c.judge)
      ? { assertions: c.judge, advisory: false }
      : { assertions: c.judge.assertions, advisory: c.judge.advisory ?? false };
  }
  return check;
}

/** A task's `tools:` subset: names of this env's tools, each once, holding every gold tool. */
function taskTools(
  names: string[],
  opts: {
    gold: Call[];
    p: string;
    env: TaskEnv;
    ctx: ExprContext;
    importing: boolean;
    unknownToolHint: (name: string) => string;
  },
): string[] {
  const { gold, p, ctx, importing } = opts;
  const { toolIndex } = opts.env;
  const { at, issues } = ctx;
  const seen = new Set<string>();
  names.forEach((n, k) => {
    if (seen.has(n)) {
      issues.push(at(`${p}/tools/${k}`, `"${n}" is listed twice`, "list each tool once"));
    } else if (!toolIndex.has(n) && !importing) {
      issues.push(
        at(`${p}/tools/${k}`, `the task offers unknown tool "${n}"`, opts.unknownToolHint(n)),
      );
    }
    seen.add(n);
  });
  gold.forEach((g, j) => {
    if (!seen.has(g.tool)) {
      issues.push(
        at(
          `${p}/gold/${j}/tool`,
          `the gold call uses "${g.tool}", which the task's tools: do not offer`,
          `add "${g.tool}" to the task's tools: (or fix the gold call)`,
        ),
      );
    }
  });
  return [...seen];
}

/** An `answer:` check: texts as strings, the regex compiled, the JSONata compiled. */
function answerCheck(
  a: NonNullable<RawTask["check"]["answer"]>,
  opts: { p: string; ctx: ExprContext },
): AnswerCheck {
  const { p, ctx } = opts;
  const out: AnswerCheck = {};
  const list = (v: unknown) => (Array.isArray(v) ? v : [v]).map(String);
  if (a.equals !== undefined) out.equals = String(a.equals);
  if (a.contains !== undefined) out.contains = list(a.contains);
  if (a.excludes !== undefined) out.excludes = list(a.excludes);
  if (a.number !== undefined) {
    const n = withDefaults(ENV_SCHEMA.$defs.answerCheck.properties.number, a.number);
    out.number = { value: n.value, tol: n.tol };
  }
  if (a.regex !== undefined) {
    const r = typeof a.regex === "string" ? { pattern: a.regex, flags: "i" } : a.regex;
    try {
      out.regex = new RegExp(r.pattern, r.flags ?? "");
    } catch (err) {
      ctx.issues.push(
        ctx.at(
          `${p}/regex`,
          `bad regular expression: ${(err as Error).message}`,
          "use JavaScript regex syntax; escape backslashes in double-quoted YAML",
        ),
      );
    }
  }
  if (a.jsonata !== undefined) out.jsonata = ctx.expr(String(a.jsonata), `${p}/jsonata`);
  return out;
}

/** The answer a correct agent would give when the task writes none, if the check implies one. */
function defaultAnswer(
  a: AnswerCheck | undefined,
  communicate: string[] | undefined,
): string | undefined {
  if (!a) return communicate ? communicate.join(", ") : "Done.";
  if (a.equals !== undefined) return a.equals;
  if (a.contains !== undefined) return a.contains.join(", ");
  if (a.number !== undefined) return String(a.number.value);
  return undefined;
}
