/**
 * Files of recorded calls: what an external model did on a suite's tasks, one JSON line per task,
 * read into {@linkcode RecordedEpisode}s that a `recorded:` agent replays and `tooltrial judge`
 * scores. Two line shapes are read:
 *
 * - tooltrial's: `{"task": "env/id", "calls": [{"name": "f", "arguments": {…}}], "answer": "…"}`
 *   (`arguments` may also be the JSON text an API returned; `{"tool", "args"}` works too);
 * - BFCL's result lines: `{"id": "simple_python_89", "result": [{"f": {…}}]}`.
 * @module
 */
import type { SpecIssue } from "./errors.ts";
import type { RecordedEpisode } from "./types.ts";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** One call as a line writes it, or why it cannot be read. */
function readCall(c: unknown): RecordedEpisode["calls"][number] | string {
  if (!isObject(c)) return "a call must be an object";
  const name = c.name ?? c.tool;
  let args = c.arguments ?? c.args;
  if (typeof name === "string" && name !== "") {
    // JSON text is kept as written too: its spelling (1 or 1.0) is what BFCL's checker judges.
    const text = typeof args === "string" ? args : undefined;
    if (typeof args === "string") {
      try {
        args = JSON.parse(args);
      } catch {
        return `the arguments of ${name} are not JSON: ${JSON.stringify(args).slice(0, 80)}`;
      }
    }
    if (args === undefined) args = {};
    if (!isObject(args)) return `the arguments of ${name} must be an object`;
    return text === undefined ? { name, args } : { name, args, text };
  }
  // BFCL: {"function_name": {arguments}}.
  const keys = Object.keys(c);
  if (keys.length === 1 && isObject(c[keys[0]])) {
    return { name: keys[0], args: c[keys[0]] as Record<string, unknown> };
  }
  return 'a call is {"name": …, "arguments": {…}} (or BFCL\'s {"function": {…}})';
}

/**
 * Read a recorded-calls file's text into episodes keyed by `env/task` as written, and by bare task
 * id; a problem comes back as located issues (file, line) instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readRecorded } from "./recorded.ts";
 *
 * const text = '{"task": "library/lib-001", "calls": [{"name": "search_books", "arguments": "{\\"query\\": \\"x\\"}"}], "answer": "no"}\n' +
 *   '{"id": "simple_1", "result": [{"calc": {"n": 3}}]}\n';
 * const r = readRecorded(text, "calls.jsonl");
 * assert.ok(!Array.isArray(r));
 * // JSON text arguments are kept as written too (their number spelling is for bfcl-mode checks).
 * assert.deepEqual(r["library/lib-001"].calls, [{ name: "search_books", args: { query: "x" }, text: '{"query": "x"}' }]);
 * assert.deepEqual(r["simple_1"], { calls: [{ name: "calc", args: { n: 3 } }], answer: null, line: 2 });
 * ```
 */
export function readRecorded(
  text: string,
  file: string,
): Record<string, RecordedEpisode> | SpecIssue[] {
  const out: Record<string, RecordedEpisode> = {};
  const issues: SpecIssue[] = [];
  const issue = (line: number, message: string, hint: string) =>
    issues.push({ file, line, col: 1, pointer: "", message, hint });
  const HINT =
    'one JSON object per line: {"task": "env/id", "calls": [{"name": …, "arguments": {…}}], "answer": "…"}';
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "") return;
    let rec: unknown;
    try {
      rec = JSON.parse(raw);
    } catch (err) {
      return issue(line, `not JSON: ${(err as Error).message}`, HINT);
    }
    if (!isObject(rec)) return issue(line, "a line must be a JSON object", HINT);
    const task = rec.task ?? rec.id;
    if (typeof task !== "string" || task === "") {
      return issue(line, 'no "task" (or BFCL\'s "id")', HINT);
    }
    const list = rec.calls ?? rec.result ?? [];
    if (!Array.isArray(list)) return issue(line, `"calls" of ${task} must be a list`, HINT);
    const calls: RecordedEpisode["calls"] = [];
    for (const [j, c] of list.entries()) {
      const call = readCall(c);
      if (typeof call === "string") return issue(line, `${task}, call ${j + 1}: ${call}`, HINT);
      calls.push(call);
    }
    const answer = rec.answer ?? null;
    if (answer !== null && typeof answer !== "string") {
      return issue(line, `the answer of ${task} must be text`, HINT);
    }
    if (Object.hasOwn(out, task)) {
      return issue(
        line,
        `${task} is recorded twice (first on line ${out[task].line})`,
        "keep one line per task",
      );
    }
    out[task] = { calls, answer, line };
  });
  return issues.length > 0 ? issues : out;
}

/**
 * The recorded episode of a task: by `env/task`, else by the bare task id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordedFor } from "./recorded.ts";
 * const eps = { "lib-001": { calls: [], answer: "x", line: 1 } };
 * assert.equal(recordedFor(eps, "library", "lib-001")?.answer, "x");
 * assert.equal(recordedFor(eps, "library", "lib-002"), undefined);
 * ```
 */
export function recordedFor(
  episodes: Record<string, RecordedEpisode>,
  env: string,
  task: string,
): RecordedEpisode | undefined {
  const key = recordedKey(episodes, env, task);
  return key === undefined ? undefined : episodes[key];
}

/** The key a task's recorded episode sits under (`env/task`, else the bare id), if it has one. */
export function recordedKey(
  episodes: Record<string, RecordedEpisode>,
  env: string,
  task: string,
): string | undefined {
  const key = `${env}/${task}`;
  if (Object.hasOwn(episodes, key)) return key;
  return Object.hasOwn(episodes, task) ? task : undefined;
}
