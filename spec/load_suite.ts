import { dirname, isAbsolute, join, relative } from "node:path";
import { SpecError, type SpecIssue } from "./errors.ts";
import { readSpecFile, sha256Hex } from "./files.ts";
import { agentSpec, type RawAgent } from "./agent_kinds.ts";
import { envFromDoc, loadEnv, resolveEnvFile } from "./load_env.ts";
import type { AgentSpec, EnvSpec, ProtocolSpec, SuiteSpec } from "./types.ts";
import { sampleTasks } from "./task_sample.ts";
import { type RawSuiteUser, suiteUser } from "./suite_user.ts";
import { validateSpec } from "./validate.ts";
import { checkVariantRefs, normalizeVariants, type RawVariants } from "./variants.ts";
import { issuesAt, type Located, parseYaml } from "./yaml.ts";
import { schemaDefault, withDefaults } from "./schema/defaults.ts";
import type { FromSchema } from "./schema/from_schema.ts";
import { suiteSchema } from "./schema/suite.schema.ts";

/**
 * A suite document as written (after schema validation), derived from the schema's source; the
 * variants are a `$ref` into variants.json and the agents' kinds their own branches.
 */
type RawSuite =
  & Omit<FromSchema<ReturnType<typeof suiteSchema>>, "variants" | "agents" | "user" | "judge">
  & {
    variants?: RawVariants;
    agents: Record<string, RawAgent>;
    user?: RawSuiteUser;
    judge?: RawAgent;
  };

/** The suite schema's source (spec/schema/suite.json is written from it): where defaults are read. */
const SCHEMA = suiteSchema();
/** A `protocols:` entry's schema. */
const PROTOCOL = SCHEMA.properties.protocols.additionalProperties;

/** The protocols a suite that leaves `protocols:` out runs (the schema's default). */
export const DEFAULT_PROTOCOLS: Readonly<Record<string, { trial_budget?: number }>> = schemaDefault(
  SCHEMA,
  "protocols",
);
/** Most assistant turns per phase when a protocol sets no `max_turns` (the schema's default). */
export const DEFAULT_MAX_TURNS: number = schemaDefault(PROTOCOL, "max_turns");
/** Most trial-phase calls when a trial protocol sets no `trial_budget` (the schema's default). */
export const DEFAULT_TRIAL_BUDGET: number = schemaDefault(PROTOCOL, "trial_budget");

/**
 * Load a suite and every environment it names; throws SpecError with all located problems.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadSuite } from "./load_suite.ts";
 * const suite = await loadSuite("suite.yaml");
 * assert.ok(suite.envs.length >= 3);
 * ```
 */
export async function loadSuite(file: string): Promise<SuiteSpec> {
  const text = await readSpecFile(file, { what: "suite" });
  return await suiteFromDoc(parseYaml(text, file), text);
}

/**
 * Validate and normalize an already-parsed suite document, loading its envs (paths in it are
 * relative to the document's file).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseYaml } from "./yaml.ts";
 * import { suiteFromDoc } from "./load_suite.ts";
 * const text = "tooltrial: 1\nsuite: s\nenvs: [testdata/good/mini.yaml]\nagents: { o: { scripted: oracle } }\n";
 * const suite = await suiteFromDoc(parseYaml(text, "s.yaml"), text);
 * assert.ok(suite.agents[0].kind === "scripted" && suite.envs[0].name === "mini");
 * ```
 */
export async function suiteFromDoc(doc: Located, text: string): Promise<SuiteSpec> {
  const file = doc.file;
  const schemaIssues = validateSpec(doc, "suite");
  if (schemaIssues.length > 0) throw new SpecError(schemaIssues);
  const raw = withDefaults(SCHEMA, doc.value as RawSuite);
  const issues: SpecIssue[] = [];
  const at = issuesAt(doc);

  const envs: EnvSpec[] = [];
  const byName = new Map<string, number>();
  for (const [i, p] of raw.envs.entries()) {
    const path = relative(Deno.cwd(), isAbsolute(p) ? p : join(dirname(file), p)) || ".";
    try {
      const env = await loadEnv(path);
      if (byName.has(env.name)) {
        issues.push(
          at(
            `/envs/${i}`,
            `environment "${env.name}" is listed twice (also /envs/${byName.get(env.name)})`,
            "remove one entry",
          ),
        );
        continue;
      }
      byName.set(env.name, i);
      envs.push(
        raw.tasks_per_env === undefined
          ? env
          : { ...env, tasks: sampleTasks(env.tasks, raw.tasks_per_env) },
      );
    } catch (err) {
      if (!(err instanceof SpecError)) throw err;
      // A missing env file is the suite's mistake: point at the suite line too.
      if (err.issues.length === 1 && err.issues[0].message.endsWith("not found")) {
        issues.push(
          at(
            `/envs/${i}`,
            `environment ${path} not found`,
            "each entry is a folder holding env.yaml, or a YAML file, relative to the suite",
          ),
        );
      } else issues.push(...err.issues);
    }
  }

  const agents: AgentSpec[] = [];
  for (const [name, a] of Object.entries(raw.agents)) {
    const agent = await agentSpec(name, a, { dir: dirname(file), at });
    if (typeof agent === "string") continue;
    if ("message" in agent) issues.push(agent);
    else agents.push(agent);
  }

  const user = raw.user === undefined ? undefined : await suiteUser(raw.user, {
    agents,
    raw: raw.agents,
    dir: dirname(file),
    at,
  });
  if (Array.isArray(user)) issues.push(...user);
  const judge = raw.judge ? await judgeSpec(raw.judge, { dir: dirname(file), at }) : undefined;
  if (judge && "message" in judge) issues.push(judge);

  const protocols: ProtocolSpec[] = [];
  for (const [name, written] of Object.entries(raw.protocols)) {
    const p = withDefaults(PROTOCOL, written);
    const kind = p.kind ?? (name === "direct" || name === "trial" ? name : undefined);
    if (!kind) {
      issues.push(
        at(
          `/protocols/${name}`,
          `protocol "${name}" needs a kind`,
          "add kind: direct or kind: trial",
        ),
      );
      continue;
    }
    if (kind === "direct" && written.trial_budget !== undefined) {
      issues.push(
        at(
          `/protocols/${name}/trial_budget`,
          "trial_budget only applies to trial protocols",
          "remove it, or set kind: trial",
        ),
      );
    }
    protocols.push({
      name,
      kind,
      trialBudget: kind === "trial" ? p.trial_budget : 0,
      maxTurns: p.max_turns,
    });
  }

  const variants = normalizeVariants(raw.variants, doc);
  const envNames = envs.map((e) => e.name);
  const toolsOf = (name: string) =>
    envs.find((e) => e.name === name)?.tools.map((t) => t.name) ?? [];
  if (issues.length === 0) {
    issues.push(
      ...checkVariantRefs(variants, { envs: envNames, toolsOf, at, pool: envNames }),
    );
    // An env file's own variants can only be checked against the pool here, where the suite is known.
    for (const env of envs) {
      issues.push(
        ...checkVariantRefs(env.variants, { envs: [env.name], toolsOf, pool: envNames })
          .filter((i) => !i.pointer.includes("/tools/")),
      );
    }
  }
  for (const a of agents) {
    const scope = a.only ?? {};
    const known = [
      "clean",
      ...variants.map((v) => v.name),
      ...envs.flatMap((e) => e.variants.map((v) => v.name)),
    ];
    scope.variants?.forEach((v, i) => {
      if (!known.includes(v)) {
        issues.push(
          at(
            `/agents/${a.name}/only/variants/${i}`,
            `no variant "${v}" in the suite`,
            `use one of: ${[...new Set(known)].join(", ")}`,
          ),
        );
      }
    });
    scope.protocols?.forEach((p, i) => {
      if (!protocols.some((x) => x.name === p)) {
        issues.push(
          at(
            `/agents/${a.name}/only/protocols/${i}`,
            `no protocol "${p}" in the suite`,
            `use one of: ${protocols.map((x) => x.name).join(", ")}`,
          ),
        );
      }
    });
  }
  const held = withDefaults(SCHEMA.properties.heldout, raw.heldout);
  const heldout = { envs: held.envs, tools: held.tools };
  heldout.envs.forEach((e, i) => {
    if (!envNames.includes(e)) {
      issues.push(
        at(
          `/heldout/envs/${i}`,
          `no environment "${e}" in the suite`,
          `use one of: ${envNames.join(", ")}`,
        ),
      );
    }
  });
  heldout.tools.forEach((pattern, i) => {
    const re = toolPattern(pattern);
    if (!envs.some((e) => e.tools.some((t) => re.test(`${e.name}/${t.name}`)))) {
      issues.push(at(
        `/heldout/tools/${i}`,
        `"${pattern}" matches no tool of the suite`,
        "write env/tool, with * for any characters, e.g. library/*_hold",
      ));
    }
  });

  if (issues.length > 0) throw new SpecError(issues);
  const sha256 = await sha256Hex([await sha256Hex(text), ...envs.map((e) => e.sha256)].join("\n"));
  return {
    name: raw.suite,
    description: raw.description ?? "",
    file,
    sha256,
    envs,
    variants,
    heldout,
    agents,
    protocols,
    samples: raw.samples,
    seeds: raw.seeds,
    ...(raw.tasks_per_env === undefined ? {} : { tasksPerEnv: raw.tasks_per_env }),
    ...(user && !Array.isArray(user) ? { user } : {}),
    ...(judge && !("message" in judge) ? { judge } : {}),
  };
}

/** The suite's `judge:` entry as the agent `judge`, its problems located under /judge. */
async function judgeSpec(
  raw: RawAgent,
  ctx: { dir: string; at: (pointer: string, message: string, hint?: string) => SpecIssue },
): Promise<AgentSpec | SpecIssue> {
  // Normalizers locate their problems under /agents/<name>: the judge's are under /judge.
  const at = (pointer: string, message: string, hint?: string) =>
    ctx.at(pointer.replace(/^\/agents\/judge/, "/judge"), message, hint);
  return await agentSpec("judge", raw, { dir: ctx.dir, at });
}

/** Load any spec file by its kind key (`env:` or `suite:`), for `tooltrial validate`. */
export async function loadAny(
  path: string,
): Promise<{ kind: "env"; spec: EnvSpec } | { kind: "suite"; spec: SuiteSpec }> {
  const file = await resolveEnvFile(path);
  const text = await readSpecFile(file, { what: "spec" });
  const doc = parseYaml(text, file);
  const v = doc.value as Record<string, unknown> | null;
  if (v && typeof v === "object" && "suite" in v) {
    return { kind: "suite", spec: await suiteFromDoc(doc, text) };
  }
  if (v && typeof v === "object" && "env" in v) {
    return { kind: "env", spec: await envFromDoc(doc, text) };
  }
  throw new SpecError([{
    file,
    line: 1,
    col: 1,
    pointer: "",
    message: "not a tooltrial spec: no env: or suite: key",
    hint:
      "start the file with `tooltrial: 1` and `env: <name>` (an environment) or `suite: <name>` (a suite)",
  }]);
}

/** An `env/tool` pattern (`*` = any characters) as an anchored regular expression. */
export function toolPattern(pattern: string): RegExp {
  return new RegExp(
    `^${pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`,
  );
}
