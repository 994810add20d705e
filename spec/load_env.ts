import { dirname, join, relative } from "node:path";
import { SpecError } from "./errors.ts";
import { FIXED_NOW } from "./expr.ts";
import type { EnvSpec } from "./types.ts";
import { envRefIssues } from "./env/refs.ts";
import { envContext, withExprs } from "./env/context.ts";
import { ENV_SCHEMA, type RawEnv } from "./env/raw.ts";
import { withDefaults } from "./schema/defaults.ts";
import { loadServers } from "./env/servers.ts";
import { envNow, loadTables, policyText } from "./env/state.ts";
import { loadTasks } from "./env/tasks.ts";
import { loadTools } from "./env/tools.ts";
import { loadUserSide } from "./env/user_side.ts";
import { validateSpec } from "./validate.ts";
import { type Located, parseYaml } from "./yaml.ts";
import { readSpecFile, sha256Hex } from "./files.ts";
import { checkVariantRefs, normalizeVariants } from "./variants.ts";

export {
  compileToolSchema,
  toolAjv,
  type ToolArgumentError,
  type ToolValidator,
} from "./env/tools.ts";
export { deepFreeze } from "./env/state.ts";

/**
 * Load, validate and normalize an environment spec (a folder holding env.yaml, or the YAML file).
 * Throws SpecError listing every located problem.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadEnv } from "./load_env.ts";
 * const env = await loadEnv("envs/library");
 * assert.ok(env.tools.length > 0);
 * ```
 */
export async function loadEnv(path: string): Promise<EnvSpec> {
  const file = await resolveEnvFile(path);
  const text = await readSpecFile(file, { what: "environment spec" });
  return await envFromDoc(parseYaml(text, file), text);
}

/**
 * Validate and normalize an already-parsed env document (`text` is its source, for hashing): the
 * schema first, then each part in file order — state, clock and policy, servers, tools, tasks,
 * variants — and the expressions' references across them. Every part records its problems and
 * goes on, so the SpecError lists them all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseYaml } from "./yaml.ts";
 * import { envFromDoc } from "./load_env.ts";
 * const file = "testdata/good/mini.yaml";
 * const text = await Deno.readTextFile(file);
 * const env = await envFromDoc(parseYaml(text, file), text);
 * assert.ok(env.name === "mini" && env.tasks.length === 2);
 * ```
 */
export async function envFromDoc(doc: Located, text: string): Promise<EnvSpec> {
  const file = doc.file;
  const schemaIssues = validateSpec(doc, "env");
  if (schemaIssues.length > 0) throw new SpecError(schemaIssues);
  const raw = doc.value as RawEnv;
  const base = envContext(doc, [{ path: file, sha256: await sha256Hex(text) }]);
  const { issues, files, at } = base;

  const state = await loadTables(raw.state ?? {}, { base: "/state", ctx: base });
  const tables = Object.keys(raw.state ?? {});
  const now = envNow(raw.now, base);
  const policy = await policyText(raw.policy, base);
  const ctx = withExprs(base, { now: now ?? FIXED_NOW });

  const servers = await loadServers(raw.servers ?? {}, { tables, ctx });
  const loaded = await loadTools(raw, { tables, servers, ctx });
  const { tools, handlers } = loaded;
  const user = await loadUserSide(raw, ctx);
  const { tasks, deferredGold } = await loadTasks(raw, {
    env: { ...loaded, state, servers, user },
    ctx,
  });

  const variants = normalizeVariants(raw.variants, doc);
  issues.push(...checkVariantRefs(variants, {
    envs: [raw.env],
    toolsOf: () => tools.map((t) => t.name),
    at,
  }));

  issues.push(...envRefIssues(raw, {
    state,
    declared: tables,
    extraTables: servers.flatMap((sv) => (sv.snapshot?.tables ?? []).map(([t]) => t)),
    at,
  }));

  // Recorded HTTP answers decide what replayed HTTP tools return: they are part of the spec.
  const http = raw.http && withDefaults(ENV_SCHEMA.properties.http, raw.http);
  if (http) {
    const path = join(dirname(file), http.cassette);
    const bytes = await Deno.readFile(path).catch(() => undefined);
    if (bytes) files.push({ path, sha256: await sha256Hex(bytes) });
  }
  if (issues.length > 0) throw new SpecError(issues);
  // Paths relative to the spec, so the hash (and run ids) do not depend on where tooltrial runs from.
  const sha256 = await sha256Hex(
    files.map((f) => `${relative(dirname(file), f.path)}\0${f.sha256}`).join("\n"),
  );
  const sandbox = withDefaults(ENV_SCHEMA.properties.sandbox, raw.sandbox);
  return {
    name: raw.env,
    description: raw.description ?? "",
    file,
    sha256,
    files,
    state,
    tools,
    ...(user ? { userState: user.state, userTools: user.tools } : {}),
    tasks,
    variants,
    ...(policy !== undefined ? { policy } : {}),
    ...(raw.now !== undefined && now !== null ? { now: new Date(now).toISOString() } : {}),
    handlers,
    sandbox: { timeoutMs: sandbox.timeout_ms, memoryMb: sandbox.memory_mb },
    servers,
    ...(http
      ? {
        http: {
          baseUrl: http.base_url.replace(/\/+$/, ""),
          cassette: join(dirname(file), http.cassette),
        },
      }
      : {}),
    deferredGold,
  };
}

/** A folder means its env.yaml; anything else is taken as the file itself. */
export async function resolveEnvFile(path: string): Promise<string> {
  try {
    const st = await Deno.stat(path);
    if (st.isDirectory) return join(path, "env.yaml");
  } catch { /* readSpecFile reports the missing file */ }
  return path;
}
