/**
 * `deno task schemas`: write spec/schema/*.json, reports/schema/report.v1.json and
 * runners/schema/episode.v1.json from their one source, the TypeScript in spec/schema/*.schema.ts,
 * reports/schema/report.schema.ts and runners/schema/episode.schema.ts, with the
 * names the registries hold (backend kinds, check kinds, operators, agent kinds, scripted
 * policies, splits, report metrics). The output is byte-stable: two-space JSON,
 * non-ASCII escaped, one trailing newline. scripts/schemas_test.ts fails when a committed file
 * differs from what this writes.
 * @module
 */
import { reportSchema } from "../reports/schema/report.schema.ts";
import { episodeSchema } from "../runners/schema/episode.schema.ts";
import { envSchema } from "../spec/schema/env.schema.ts";
import { suiteSchema } from "../spec/schema/suite.schema.ts";
import { trainingSchema } from "../spec/schema/training.schema.ts";
import { variantsSchema } from "../spec/schema/variants.schema.ts";
import { CHECK_KINDS } from "../tasks/checks.ts";
import { operators } from "../variants/ops/mod.ts";

/** A schema as its committed file holds it. */
export function schemaText(schema: unknown): string {
  return JSON.stringify(schema, null, 2).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  ) + "\n";
}

/** Every generated schema file: repository path → its text. */
export function schemaFiles(): Record<string, string> {
  return {
    "spec/schema/env.json": schemaText(envSchema({ checks: CHECK_KINDS })),
    "spec/schema/suite.json": schemaText(suiteSchema()),
    "spec/schema/variants.json": schemaText(
      variantsSchema({ operators: Object.values(operators) }),
    ),
    "spec/schema/training.json": schemaText(trainingSchema()),
    "reports/schema/report.v1.json": schemaText(reportSchema()),
    "runners/schema/episode.v1.json": schemaText(episodeSchema()),
  };
}

if (import.meta.main) {
  for (const [path, text] of Object.entries(schemaFiles())) {
    const before = await Deno.readTextFile(path).catch(() => "");
    if (before === text) continue;
    await Deno.writeTextFile(path, text);
    console.log(`wrote ${path}`);
  }
}
