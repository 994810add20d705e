import { toolAjv } from "../spec/load_env.ts";
import { unknownKeywords } from "../spec/strict_schema.ts";
import { SpecError, type SpecIssue } from "../spec/errors.ts";
import type { JsonSchema, PossibleCall } from "../spec/types.ts";
import { goldFromAnswers } from "../tasks/calls/check_calls.ts";
import type { InputRecord } from "./input.ts";
import { envName, toolName } from "./names.ts";
import { renderYaml } from "./render.ts";
import { sampleArgs } from "./sample_args.ts";

/** Files an importer produces, by path relative to the output folder. */
export type ImportedFiles = Record<string, string>;

/** An importer's output: the files, and the input's problems that were skipped (not fatal). */
export interface ImportResult {
  /** Path → content of every file to write. */
  files: ImportedFiles;
  /** Problems in the input that were skipped. */
  skipped: SpecIssue[];
  /** What else the user should know about the import (what is not scored, what is approximate). */
  notes?: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** A tool read from an OpenAI or Anthropic list, before it becomes YAML. */
interface ReadTool {
  name: string;
  original: string;
  description: string;
  parameters: JsonSchema;
}

/** The list of tool definitions inside a document, with its pointer. */
function toolList(rec: InputRecord, issues: SpecIssue[]): [unknown[], string] | undefined {
  const v = rec.value;
  if (Array.isArray(v)) return [v, ""];
  if (isObject(v)) {
    for (const key of ["tools", "functions"]) {
      if (Array.isArray(v[key])) return [v[key] as unknown[], `/${key}`];
    }
  }
  issues.push(rec.issue(
    "",
    "expected a list of tool definitions",
    'give [{"type": "function", "function": {...}}] (OpenAI), [{"name", "input_schema"}] (Anthropic), or an object with a "tools" list',
  ));
  return undefined;
}

/**
 * Read OpenAI (`{type: "function", function: {name, description, parameters}}`, or the flat
 * Responses form) and Anthropic (`{name, description, input_schema}`) tool definitions; every
 * problem is collected with its location.
 */
function readTools(records: InputRecord[], issues: SpecIssue[]): ReadTool[] {
  const out: ReadTool[] = [];
  const taken = new Set<string>();
  const seen = new Map<string, string>();
  for (const rec of records) {
    const found = toolList(rec, issues);
    if (!found) continue;
    const [list, base] = found;
    list.forEach((item, i) => {
      const p = `${base}/${i}`;
      if (!isObject(item)) {
        issues.push(rec.issue(p, "a tool definition must be an object"));
        return;
      }
      const fn = isObject(item.function) ? item.function : item;
      const fp = fn === item ? p : `${p}/function`;
      if (typeof fn.name !== "string" || fn.name === "") {
        issues.push(rec.issue(fp, "tool definition without a name", 'add "name": "…"'));
        return;
      }
      if (seen.has(fn.name)) {
        issues.push(rec.issue(
          `${fp}/name`,
          `duplicate tool name "${fn.name}" (also ${seen.get(fn.name)})`,
          "rename one",
        ));
        return;
      }
      seen.set(fn.name, `${fp}/name`);
      const key = "input_schema" in fn ? "input_schema" : "parameters";
      const raw = fn[key] ?? { type: "object", properties: {} };
      if (!isObject(raw) || (raw.type !== undefined && raw.type !== "object")) {
        issues.push(rec.issue(
          `${fp}/${key}`,
          `${key} must be a JSON Schema object of type "object"`,
          'describe the arguments as {"type": "object", "properties": {...}, "required": [...]}',
        ));
        return;
      }
      const parameters = { ...raw, type: "object" };
      const unknown = unknownKeywords(parameters);
      for (const u of unknown) {
        issues.push(rec.issue(`${fp}/${key}${u.pointer}`, u.message, u.hint));
      }
      if (unknown.length > 0) return;
      try {
        toolAjv.compile(parameters);
      } catch (err) {
        issues.push(rec.issue(
          `${fp}/${key}`,
          `invalid JSON Schema: ${(err as Error).message}`,
          "fix the schema; tooltrial validates arguments with it",
        ));
        return;
      }
      out.push({
        name: toolName(fn.name, taken),
        original: fn.name,
        description: typeof fn.description === "string" ? fn.description : "",
        parameters,
      });
    });
  }
  if (out.length === 0 && issues.length === 0) {
    issues.push(records[0].issue("", "no tool definitions found", "the list is empty"));
  }
  return out;
}

/** An accepted-values form of concrete arguments: each value becomes a one-element list. */
function answerOf(args: Record<string, unknown>): Record<string, unknown[]> {
  const accepted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(accepted)
      : isObject(v)
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, [accepted(x)]]))
      : v;
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, [accepted(v)]]));
}

/**
 * An env skeleton from OpenAI or Anthropic tool definitions: `env.yaml` with every tool as a
 * declarative tool whose `result` is a placeholder echoing its arguments (the author must replace
 * it; the file says so), a sample task checked with a `calls` check, and `suite.yaml` to bench it.
 * Throws SpecError with located problems.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openAiToolsEnv } from "./openai_tools.ts";
 * const { files } = openAiToolsEnv([{ value: [{ type: "function", function: { name: "get_time", parameters: { type: "object", properties: {} } } }], issue: (pointer, message) => ({ file: "t.json", line: 1, col: 1, pointer, message }) }], { file: "t.json" });
 * assert.ok(files["env.yaml"].includes("name: get_time"));
 * ```
 */
export function openAiToolsEnv(
  records: InputRecord[],
  opts: { file: string; name?: string },
): ImportResult {
  const issues: SpecIssue[] = [];
  const tools = readTools(records, issues);
  if (issues.length > 0) throw new SpecError(issues);
  const env = envName(opts.name ?? opts.file);
  const renamed = tools.filter((t) => t.name !== t.original);
  const header = [
    `Generated by \`tooltrial import openai-tools ${opts.file}\`: a skeleton to finish by hand.`,
    "",
    "TODO: each tool's `result` below is a PLACEHOLDER that only echoes the arguments back.",
    "Replace it with a JSONata expression over `state` (declare state tables, add `errors` and",
    "`effect` where a tool changes something), and replace the sample task with real ones.",
    "Check your edits with `tooltrial validate` on this folder.",
    ...(renamed.length
      ? ["", "Renamed to valid tool names:", ...renamed.map((t) => `  ${t.original} → ${t.name}`)]
      : []),
  ];
  // A sample task on the first tool whose example arguments fit its schema.
  const sample = tools.map((t) => ({ t, args: sampleArgs(t.parameters) }))
    .find(({ t, args }) => toolAjv.compile(t.parameters)(args));
  const tasks = sample
    ? [(() => {
      const answers: PossibleCall[] = [{ [sample.t.name]: answerOf(sample.args) }];
      return {
        id: "sample-1",
        query: `TODO: write a request that needs ${sample.t.name}.`,
        gold: goldFromAnswers(answers),
        answer: "Done.",
        check: { calls: { answers } },
      };
    })()]
    : [];
  const doc = {
    tooltrial: 1,
    env,
    description: `Imported from ${opts.file.replace(/^.*[\\/]/, "")} (${tools.length} tool${
      tools.length === 1 ? "" : "s"
    }).`,
    tools: tools.map((t) => ({
      name: t.name,
      description: t.description,
      parameters: t.parameters,
      result:
        `{'placeholder': 'TODO: replace with the real result of ${t.name}', 'arguments': $args}`,
    })),
    tasks,
  };
  const files = {
    "env.yaml": renderYaml(doc, {
      header,
      flow: ["tasks/*/gold/*", "tasks/*/check/calls/answers/*"],
    }),
    "suite.yaml": suiteYaml(env, "Bench the imported tools (oracle and random only)."),
  };
  return { files, skipped: [] };
}

/** A suite that benches one env in the same folder with the scripted reference agents. */
export function suiteYaml(env: string, description: string): string {
  return renderYaml(
    {
      tooltrial: 1,
      suite: env,
      description,
      envs: ["."],
      agents: { oracle: { scripted: "oracle" }, random: { scripted: "random" } },
      protocols: { direct: {} },
    },
    {
      header: ["Run: tooltrial bench <this folder>/suite.yaml — the oracle must reach 100%."],
      flow: ["agents/oracle", "agents/random", "protocols/direct", "envs"],
    },
  );
}
