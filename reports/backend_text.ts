/**
 * The tool backends a run used (provenance.backends), as lines of text for the Markdown and HTML
 * provenance: environments whose tools are all expressions share one line; any other backend gets
 * a line of its own with what its kind records (handler modules and limits, MCP servers, HTTP
 * base URL).
 * @module
 */
import type { Provenance } from "./types.ts";

type Backend = NonNullable<Provenance["backends"]>[number];

/** A recorded value as text: strings as they are, the rest as JSON. */
const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/**
 * One line per backend kind in plain use, one per (env, kind) with settings of its own; none when
 * the report predates backend records.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backendLines } from "./backend_text.ts";
 * assert.deepEqual(
 *   backendLines([
 *     { env: "a", kind: "jsonata", tools: 3 },
 *     { env: "b", kind: "jsonata", tools: 2 },
 *     { env: "b", kind: "http", tools: 1, base_url: "https://x" },
 *   ]),
 *   ["jsonata: 5 tools in a, b", "http in b: 1 tool; base_url https://x"],
 * );
 * ```
 */
export function backendLines(backends: readonly Backend[] | undefined): string[] {
  const lines: string[] = [];
  const plain = new Map<string, Backend[]>();
  for (const b of backends ?? []) {
    const { env: _env, kind: _kind, tools: _tools, ...own } = b;
    if (Object.keys(own).length === 0) {
      plain.set(b.kind, [...(plain.get(b.kind) ?? []), b]);
      continue;
    }
    const n = Number(b.tools ?? 0);
    lines.push(
      `${b.kind} in ${b.env}: ${n} tool${n === 1 ? "" : "s"}; ${
        Object.entries(own).map(([k, v]) => `${k} ${text(v)}`).join("; ")
      }`,
    );
  }
  const grouped = [...plain].map(([kind, bs]) => {
    const n = bs.reduce((t, b) => t + Number(b.tools ?? 0), 0);
    return `${kind}: ${n} tool${n === 1 ? "" : "s"} in ${bs.map((b) => b.env).join(", ")}`;
  });
  return [...grouped, ...lines];
}
