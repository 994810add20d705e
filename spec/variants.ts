import { closeNames, type SpecIssue } from "./errors.ts";
import type { OperatorSpec, VariantSpec } from "./types.ts";
import { type Located, pointerSegment } from "./yaml.ts";

/** A variants block as YAML gives it (after schema validation). */
export type RawVariants = Record<
  string,
  (string | Record<string, Record<string, unknown> | null>)[]
>;

/** Normalize `name: [- op: {options} | - op]` into variant specs, in declaration order. */
export function normalizeVariants(raw: RawVariants | undefined, doc: Located): VariantSpec[] {
  return Object.entries(raw ?? {}).map(([name, list]) => ({
    name,
    ops: list.map((item, i): OperatorSpec => {
      const pointer = `/variants/${pointerSegment(name)}/${i}`;
      const at = { file: doc.file, pointer, ...doc.locate(pointer) };
      if (typeof item === "string") return { op: item, options: {}, at };
      const [op, options] = Object.entries(item)[0];
      return { op, options: options ?? {}, at };
    }),
  }));
}

/**
 * Check the names a variants block refers to: `tools:` entries (canonical tool names, bare or
 * `env/tool`) and `from:` environments. `toolsOf(env)` lists an environment's tools; `envs` are
 * the environments in scope (one for an env file, all of the suite's for a suite).
 */
export function checkVariantRefs(
  variants: readonly VariantSpec[],
  opts: {
    base?: string;
    envs: readonly string[];
    toolsOf: (env: string) => readonly string[];
    /** Locate an issue; defaults to where the operator was declared. */
    at?: (pointer: string, message: string, hint?: string) => SpecIssue;
    /** Environments tools may be borrowed from (suite only; undefined when unknown). */
    pool?: readonly string[];
  },
): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const all = opts.envs.flatMap((e) => opts.toolsOf(e).map((t) => `${e}/${t}`));
  for (const v of variants) {
    v.ops.forEach((op, i) => {
      const p = `${opts.base ?? "/variants"}/${pointerSegment(v.name)}/${i}/${
        pointerSegment(op.op)
      }`;
      const issue = (pointer: string, message: string, hint?: string): SpecIssue =>
        opts.at
          ? opts.at(pointer, message, hint)
          : { ...op.at!, pointer: op.at!.pointer, message, hint };
      const tools = op.options.tools as string[] | undefined;
      tools?.forEach((spec, j) => {
        const slash = spec.indexOf("/");
        const known = slash >= 0
          ? all.includes(spec)
          : opts.envs.some((e) => opts.toolsOf(e).includes(spec));
        if (!known) {
          const close = closeNames(
            spec,
            [...all, ...all.map((a) => a.slice(a.indexOf("/") + 1))],
            3,
          );
          issues.push(issue(
            `${p}/tools/${j}`,
            `no tool "${spec}" in ${
              opts.envs.length === 1
                ? `environment ${opts.envs[0]}`
                : "any environment of the suite"
            }`,
            close.length > 0
              ? `did you mean ${close.map((c) => `"${c}"`).join(" or ")}?`
              : "use a tool's canonical name (as in env.yaml), or env/tool",
          ));
        }
      });
      if (op.op === "distractor_tools" && opts.pool) {
        const from = op.options.from as string[] | undefined;
        from?.forEach((e, j) => {
          if (!opts.pool!.includes(e)) {
            issues.push(issue(
              `${p}/from/${j}`,
              `no environment "${e}" in the suite`,
              `borrow from one of: ${opts.pool!.join(", ")}`,
            ));
          }
        });
        if (opts.pool.length < 2) {
          issues.push(issue(
            p,
            "distractor_tools borrows tools from other environments, and this suite has only one",
            "add another environment to the suite's envs, or drop this operator",
          ));
        }
      }
    });
  }
  return issues;
}
