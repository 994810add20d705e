import { dirname, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The spec kinds with a JSON Schema in `spec/schema/`, by their top-level key. */
export const SCHEMA_KINDS = ["env", "suite", "training"] as const;

/** A spec kind with a JSON Schema. */
export type SchemaKind = typeof SCHEMA_KINDS[number];

const PREFIX = "# yaml-language-server: $schema=";

/**
 * The first line of a YAML spec written at `file`: a `yaml-language-server` modeline naming the
 * JSON Schema that editors (VS Code's YAML extension, Neovim's yamlls, JetBrains) check the file
 * against, as a path relative to the file. `null` when this copy of tooltrial does not sit on disk
 * (its schemas have no path to point at).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { schemaLine } from "./schema_line.ts";
 *
 * assert.match(schemaLine("env", "envs/shop/env.yaml") ?? "", /\$schema=.*spec\/schema\/env\.json$/);
 * ```
 */
export function schemaLine(kind: SchemaKind, file: string): string | null {
  const url = new URL(`./schema/${kind}.json`, import.meta.url);
  if (url.protocol !== "file:") return null;
  const schema = fileURLToPath(url);
  // Inside this checkout: a relative path, so the folder can move with it. Elsewhere (an import
  // into /tmp, another project): the schema's absolute path, not a climb through the root.
  const root = fileURLToPath(new URL("../", import.meta.url));
  const at = resolve(file);
  if (!at.startsWith(root)) return `${PREFIX}${schema}`;
  return `${PREFIX}${relative(dirname(at), schema).split(sep).join("/")}`;
}

/** The kind a spec's text declares by its top-level key (`env:`, `suite:`, `training:`), if any. */
export function specKind(text: string): SchemaKind | null {
  const m = text.match(/^(env|suite|training):/m);
  return m ? m[1] as SchemaKind : null;
}

/**
 * `text` (a spec about to be written at `file`) with the schema modeline as its first line; text
 * that already has one, or declares no spec kind, comes back unchanged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withSchemaLine } from "./schema_line.ts";
 *
 * const out = withSchemaLine("tooltrial: 1\nsuite: s\n", "suite.yaml");
 * assert.match(out.split("\n")[0], /^# yaml-language-server: \$schema=.*suite\.json$/);
 * assert.equal(withSchemaLine(out, "suite.yaml"), out);
 * ```
 */
export function withSchemaLine(text: string, file: string): string {
  if (text.startsWith(PREFIX)) return text;
  const kind = specKind(text);
  const line = kind && schemaLine(kind, file);
  return line ? `${line}\n${text}` : text;
}
