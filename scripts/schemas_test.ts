// The committed JSON Schemas are generated: each must be byte-for-byte what `deno task schemas`
// writes from spec/schema/*.schema.ts, reports/schema/report.schema.ts,
// runners/schema/episode.schema.ts and the registries.
import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import { schemaFiles, schemaText } from "./schemas.ts";

Deno.test("the committed JSON Schemas (spec/, reports/, runners/) are what `deno task schemas` writes", async () => {
  const files = schemaFiles();
  assert.deepEqual(
    Object.keys(files).sort(),
    [
      ...[...Deno.readDirSync("spec/schema")].map((e) => `spec/schema/${e.name}`),
      ...[...Deno.readDirSync("reports/schema")].map((e) => `reports/schema/${e.name}`),
      ...[...Deno.readDirSync("runners/schema")].map((e) => `runners/schema/${e.name}`),
    ].filter((p) => p.endsWith(".json")).sort(),
    "every committed schema has a source",
  );
  const stale = [];
  for (const [path, text] of Object.entries(files)) {
    if ((await Deno.readTextFile(path)) !== text) stale.push(path);
  }
  assert.deepEqual(stale, [], `stale: ${stale.join(", ")}; run \`deno task schemas\``);
});

Deno.test("the generated schemas compile under ajv's strict mode, as the loaders compile them", () => {
  const files = schemaFiles();
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true })
    .addSchema(JSON.parse(files["spec/schema/variants.json"]));
  for (const path of ["env", "suite", "training"]) {
    ajv.compile(JSON.parse(files[`spec/schema/${path}.json`]));
  }
  // As reports/report.ts compiles it.
  new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true })
    .compile(JSON.parse(files["reports/schema/report.v1.json"]));
});

Deno.test("schemaText: two-space JSON, non-ASCII escaped, one trailing newline", () => {
  assert.equal(schemaText({ a: ["→"] }), '{\n  "a": [\n    "\\u2192"\n  ]\n}\n');
});
