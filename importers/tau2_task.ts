import type { State } from "../spec/types.ts";
import { canonicalJson, sameValue } from "../tasks/mod.ts";
import type { Tau2Domain } from "./tau2_domains.ts";
import type { Tau2Reward, Tau2Task } from "./tau2_schema.ts";
import { argumentLeaves, firstPerson, knownInfo, mentions } from "./tau2_user.ts";

/** The domain's tools, run at import time on any state (the env being imported, unwrapped). */
export interface Tau2Engine {
  domain: Tau2Domain;
  /** The env's state: db.json as tables. */
  base: State;
  /** db.json as tau2 holds it (dicts of rows by id), for `initialization_data` to merge into. */
  db: Record<string, unknown>;
  /** db.json-shaped data → tables, or why not. */
  tables(db: Record<string, unknown>): State | string;
  /** One call of a tool on a state. */
  call(state: State, call: NamedCall): Promise<CallOutcome>;
}

/** A tool's name and the arguments of a call to it. */
export interface NamedCall {
  name: string;
  args: Record<string, unknown>;
}

/** What a call did: its result and the state after, or its error message. */
export type CallOutcome = { ok: true; result: unknown; state: State } | {
  ok: false;
  message: string;
};

/** A task tooltrial cannot represent faithfully: where in tasks.json, and why. */
export class Unrepresentable extends Error {
  /** The JSON pointer, inside the task, of what cannot be represented. */
  readonly pointer: string;
  constructor(pointer: string, message: string) {
    super(message);
    this.pointer = pointer;
  }
}

/** One imported task: the env.yaml task, comments for above it, and notes for the summary. */
export interface Tau2Converted {
  task: Record<string, unknown>;
  comments: string[];
  /**
   * Its nl_assertions, now a `judge:` check: how many, and whether they are advisory (outside
   * the reward_basis: graded and logged, success does not depend on them).
   */
  judged: { count: number; advisory: boolean };
  /** Values a correct agent needs that nothing it can read holds (for the import summary). */
  unreachable: string[];
}

const DEFAULT_BASIS: Tau2Reward[] = ["DB", "COMMUNICATE"];

/** Whether a JSON value is an object (a Python dict), not an array or null. */
export const isDict = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Deep merge as tau2's initialization_data does (addict's update): dicts merge, the rest replaces. */
function merge(base: unknown, update: unknown): unknown {
  if (!isDict(base) || !isDict(update)) return structuredClone(update);
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(update)) out[k] = k in base ? merge(base[k], v) : v;
  return out;
}

/** tau2's recorded tool output (JSON text or plain text) as a value. */
function recorded(content: string | null | undefined): unknown {
  try {
    return JSON.parse(content ?? "");
  } catch {
    return content ?? "";
  }
}

const short = (v: unknown) => {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 120)}…` : s;
};

/**
 * The task's initial state — db.json with `initialization_data` merged in, then its
 * `initialization_actions` and the history's tool calls replayed, as tau2's set_state does — and
 * its history's text messages.
 */
async function initialState(
  t: Tau2Task,
  engine: Tau2Engine,
): Promise<{ state: State; history: { role: "user" | "assistant"; content: string }[] }> {
  const init = t.initial_state ?? {};
  const p = "/initial_state";
  const data = init.initialization_data ?? {};
  if (data.user_data && Object.keys(data.user_data).length > 0) {
    throw new Unrepresentable(
      `${p}/initialization_data/user_data`,
      "it sets the user's own database (user_db), which tooltrial has no place for",
    );
  }
  let state: State = engine.base;
  if (data.agent_data) {
    const tables = engine.tables(merge(engine.db, data.agent_data) as Record<string, unknown>);
    if (typeof tables === "string") {
      throw new Unrepresentable(`${p}/initialization_data/agent_data`, tables);
    }
    state = tables;
  }
  for (const [i, a] of (init.initialization_actions ?? []).entries()) {
    const ptr = `${p}/initialization_actions/${i}`;
    if (a.env_type === "user") {
      throw new Unrepresentable(
        ptr,
        `it runs ${a.func_name} on the user's side (user tools and user_db are not supported)`,
      );
    }
    const r = await run(engine, state, { name: a.func_name, args: a.arguments, at: ptr });
    if (!r.ok) throw new Unrepresentable(ptr, `${a.func_name} fails here: ${r.message}`);
    state = r.state;
  }
  const history: { role: "user" | "assistant"; content: string }[] = [];
  const messages = init.message_history ?? [];
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const ptr = `${p}/message_history/${i}`;
    if (m.role === "tool") {
      throw new Unrepresentable(ptr, "a tool message that follows no tool call");
    }
    if (m.tool_calls?.length) {
      if (m.role === "user") {
        throw new Unrepresentable(ptr, "the user calls tools (user tools are not supported)");
      }
      for (const [j, tc] of m.tool_calls.entries()) {
        const reply = messages[++i];
        if (reply?.role !== "tool" || reply.id !== tc.id) {
          throw new Unrepresentable(ptr, `tool call ${tc.id} is not followed by its tool message`);
        }
        // tau2 replays only the calls that may change the state, and insists on the same output.
        if (engine.domain.reads.includes(tc.name)) continue;
        const at = `${ptr}/tool_calls/${j}`;
        const r = await run(engine, state, { name: tc.name, args: tc.arguments, at });
        const got = r.ok ? r.result : `Error: ${r.message}`;
        if (!sameValue(got, recorded(reply.content))) {
          throw new Unrepresentable(
            at,
            `replayed, ${tc.name} returns ${short(got)} where tau2 recorded ${
              short(reply.content)
            }`,
          );
        }
        if (r.ok) state = r.state;
      }
    }
    if (m.content?.trim()) {
      history.push({ role: m.role, content: m.content.trim() });
    }
  }
  return { state, history };
}

/** Run a call of one of the domain's tools; a tool it lacks makes the task unrepresentable (at `at`). */
async function run(
  engine: Tau2Engine,
  state: State,
  call: NamedCall & { at: string },
): Promise<CallOutcome> {
  if (!engine.domain.tools.some((t) => t.name === call.name)) {
    throw new Unrepresentable(
      call.at,
      `${call.name} is not one of the ${engine.domain.name} tools`,
    );
  }
  return await engine.call(state, call);
}

/** The text of the scenario tau2 gives its user simulator (persona, then instructions). */
function scenarioText(t: Tau2Task): string {
  const s = t.user_scenario;
  const ins = s.instructions;
  const parts = s.persona ? [`Persona: ${s.persona.trim()}`] : [];
  if (typeof ins === "string") parts.push(ins.trim());
  else {
    parts.push(`Reason for call: ${ins.reason_for_call.trim()}`);
    if (ins.known_info) parts.push(`Known info: ${ins.known_info.trim()}`);
    if (ins.unknown_info) parts.push(`Unknown info: ${ins.unknown_info.trim()}`);
    parts.push(`Task instructions: ${ins.task_instructions.trim()}`);
  }
  return parts.join("\n");
}

/** The checks tau2 scores the task on, from its reward_basis. */
function checksOf(
  t: Tau2Task,
  { domain, basis }: { domain: Tau2Domain; basis: Tau2Reward[] },
): Record<string, unknown> {
  const c = t.evaluation_criteria ?? {};
  const p = "/evaluation_criteria";
  const check: Record<string, unknown> = {};
  // tau2 compares databases only when the task lists actions or env assertions (even empty ones).
  if (basis.includes("DB") && (c.actions != null || c.env_assertions != null)) check.db = "replay";
  if (basis.includes("ENV_ASSERTION") && c.env_assertions?.length) {
    check.state = c.env_assertions.map((a, i) => {
      const ptr = `${p}/env_assertions/${i}`;
      if (a.env_type === "user") {
        throw new Unrepresentable(
          ptr,
          `it asserts ${a.func_name} on the user's side (user_db is not supported)`,
        );
      }
      const fn = domain.assertions[a.func_name];
      if (!fn) {
        throw new Unrepresentable(
          `${ptr}/func_name`,
          `${a.func_name} is not an assertion tooltrial knows for the ${domain.name} domain`,
        );
      }
      const given = Object.keys(a.arguments).sort().join(), want = [...fn.params].sort().join();
      if (given !== want) {
        throw new Unrepresentable(
          `${ptr}/arguments`,
          `${a.func_name} takes ${fn.params.join(", ")}, not ${given || "nothing"}`,
        );
      }
      const e = `(${fn.expr(a.arguments)})`;
      return a.assert_value === false ? `$not${e}` : e;
    }).join(" and ");
  }
  if (basis.includes("NL_ASSERTION") && c.nl_assertions?.length) check.judge = c.nl_assertions;
  if (basis.includes("COMMUNICATE") && c.communicate_info?.length) {
    check.communicate = c.communicate_info;
  }
  if (basis.includes("ACTION") && c.actions?.length) {
    check.actions = c.actions.map((a, i) => {
      const missing = (a.compare_args ?? []).find((k) => !(k in a.arguments));
      if (missing !== undefined) {
        throw new Unrepresentable(
          `${p}/actions/${i}/compare_args`,
          `compare_args names "${missing}", which the action's arguments do not give`,
        );
      }
      return {
        tool: a.name,
        args: a.arguments,
        ...(a.compare_args != null ? { compare: a.compare_args } : {}),
      };
    });
  }
  return check;
}

/**
 * One tau2 task as a tooltrial task: its initial state and history, a scripted user (the reason
 * for the call in the first person as the first message, the facts the reference actions need as
 * `known_info`), the reference actions as gold calls, and the checks its reward_basis gates.
 * Throws Unrepresentable for what tooltrial cannot score as tau2 does.
 */
export async function tau2Task(t: Tau2Task, engine: Tau2Engine): Promise<Tau2Converted> {
  const c = t.evaluation_criteria ?? {};
  const basis = c.reward_basis ?? DEFAULT_BASIS;
  const { state, history } = await initialState(t, engine);
  const check = checksOf(t, { domain: engine.domain, basis });
  if (Object.keys(check).length === 0) {
    throw new Unrepresentable(
      "/evaluation_criteria",
      `nothing its reward_basis (${basis.join(", ")}) scores can fail: tau2 gives it reward 1 ` +
        "whatever the agent does",
    );
  }
  // nl_assertions outside the reward_basis are graded too, as tau2's all_with_nl_assertions does,
  // but decide nothing; with no judge in the suite, none are scored.
  const nl = c.nl_assertions ?? [];
  if (nl.length && !basis.includes("NL_ASSERTION")) {
    check.judge = { assertions: nl, advisory: true };
  }
  const gold = c.actions == null && check.state !== undefined
    ? derivedGold(t, engine.domain)
    : (c.actions ?? []).map((a, i) => {
      if (a.requestor === "user") {
        throw new Unrepresentable(
          `/evaluation_criteria/actions/${i}`,
          `the user calls ${a.name} (user tools are not supported)`,
        );
      }
      return { tool: a.name, args: a.arguments };
    });
  // The reference actions must run: tau2 skips a failing one, a db replay here would fail.
  const results: string[] = [];
  const needed: { tool: string; key: string; value: string }[] = [];
  let s = state;
  for (const [i, g] of gold.entries()) {
    const ptr = `/evaluation_criteria/actions/${i}`;
    const r = await run(engine, s, { name: g.tool, args: g.args, at: ptr });
    if (!r.ok) throw new Unrepresentable(ptr, `${g.tool} fails here: ${r.message}`);
    results.push(canonicalJson(r.result));
    // What a write needs, the agent must get from someone: the user, the history or the tools.
    if (canonicalJson(r.state) !== canonicalJson(s)) {
      needed.push(...argumentLeaves(g.args).map((l) => ({ tool: g.tool, ...l })));
    }
    s = r.state;
  }
  const ins = t.user_scenario.instructions;
  const query = firstPerson(typeof ins === "string" ? ins.trim() : ins.reason_for_call.trim());
  const scenario = scenarioText(t);
  const said = [query, ...history.map((m) => m.content)].join("\n");
  const facts = knownInfo(gold.flatMap((g) => argumentLeaves(g.args)), { scenario, said });
  const readable = [said, ...Object.values(facts), canonicalJson(state), ...results].join("\n");
  const unreachable = needed.filter((n) => !mentions(readable, n.value)).map((n) =>
    `${n.tool}'s ${n.key} ${JSON.stringify(n.value)}`
  );
  const changed = Object.keys(state).filter((k) => !sameValue(state[k], engine.base[k]));
  const task: Record<string, unknown> = {
    id: t.id,
    query,
    tags: ["tau2", engine.domain.name],
    ...(changed.length ? { state: Object.fromEntries(changed.map((k) => [k, state[k]])) } : {}),
    ...(history.length ? { history } : {}),
    user: {
      instructions: scenario,
      ...(Object.keys(facts).length ? { known_info: facts } : {}),
    },
    gold,
    check,
  };
  return {
    task,
    comments: commentsOf(t, basis),
    judged: { count: nl.length, advisory: nl.length > 0 && !basis.includes("NL_ASSERTION") },
    unreachable,
  };
}

/**
 * Gold calls for a task that lists no actions but asserts on the final state: a call that makes
 * each assertion hold, where the domain knows one (else none, and validate reports the task).
 */
function derivedGold(
  t: Tau2Task,
  domain: Tau2Domain,
): { tool: string; args: Record<string, unknown> }[] {
  return (t.evaluation_criteria?.env_assertions ?? []).flatMap((a) => {
    const satisfy = a.assert_value === false ? undefined : domain.assertions[a.func_name]?.satisfy;
    return satisfy ? [satisfy(a.arguments)] : [];
  });
}

/** What a reader of env.yaml should know about the task: where it came from, what is not scored. */
function commentsOf(t: Tau2Task, basis: Tau2Reward[]): string[] {
  const c = t.evaluation_criteria ?? {};
  const about = [t.description?.purpose, t.description?.notes].filter((x) => x?.trim());
  const out = [
    ...wrap(`tau2 task ${t.id}${about.length ? `: ${about.join(". ")}` : ""}`, ""),
    `reward_basis: ${basis.join(", ")}`,
  ];
  const unscored = (what: string, why: string, items: string[]) => {
    if (items.length) {
      out.push(`not scored (${why}): ${what}`, ...items.flatMap((x) => wrap(`  - ${x}`, "    ")));
    }
  };
  if (c.nl_assertions?.length) {
    out.push(...wrap(
      basis.includes("NL_ASSERTION")
        ? "nl_assertions → judge: (graded when the suite configures a judge)"
        : "nl_assertions → judge: advisory (not in reward_basis: graded and logged when the suite " +
          "configures a judge; success does not depend on them)",
      "  ",
    ));
  }
  if (!basis.includes("ENV_ASSERTION")) {
    unscored(
      "env_assertions",
      "not in reward_basis",
      (c.env_assertions ?? []).map((a) => `${a.func_name}(${JSON.stringify(a.arguments)})`),
    );
  }
  if (!basis.includes("COMMUNICATE")) {
    unscored("communicate_info", "not in reward_basis", c.communicate_info ?? []);
  }
  if (c.actions == null && c.env_assertions?.length && basis.includes("ENV_ASSERTION")) {
    out.push("gold: calls that make its env_assertions hold (it lists no actions)");
  }
  if (t.initial_state?.message_history?.some((m) => m.tool_calls?.length)) {
    out.push("the history's tool calls are replayed into state:, not shown as messages");
  }
  return out;
}

/** A comment's text in lines of at most 94 characters, the later ones indented. */
function wrap(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.replace(/\s+/g, " ").trim().split(" ")) {
    if (line && line.length + 1 + word.length > 94) lines.push(line), line = indent + word;
    else line = line ? `${line} ${word}` : `${text.match(/^\s*/)![0]}${word}`;
  }
  return [...lines, line];
}
