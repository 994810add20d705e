// The operator registry is the one list: the schema, the docs and the tests follow it.
import assert from "node:assert/strict";
import { join } from "node:path";
import { stringify } from "yaml";
import { loadSuite } from "../../spec/mod.ts";
import { operators } from "./mod.ts";

const schema = JSON.parse(await Deno.readTextFile("spec/schema/variants.json"));
const operatorDef = schema.$defs.operator;

Deno.test("operators: the registry, the schema's names and options, and the docs table agree", async () => {
  const names = Object.keys(operators);
  assert.deepEqual(operatorDef.then.enum, names);
  assert.deepEqual(Object.keys(operatorDef.else.properties), names);
  const doc = await Deno.readTextFile("docs/variants.md");
  const table = doc.slice(
    doc.indexOf("| operator "),
    doc.indexOf("\n\n", doc.indexOf("| operator ")),
  );
  const rows = table.split("\n").slice(2).map((l) => l.split("|")[1].trim().replaceAll("`", ""));
  assert.deepEqual(rows, names);
  for (const o of Object.values(operators)) {
    assert.ok(o.summary.length > 20, o.name);
    assert.ok(o.examples.length > 0, `${o.name} has no example options`);
  }
});

Deno.test("operators: every example survives a YAML suite and loads as declared (apply_test.ts runs them all)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tooltrial-ops-" });
  try {
    const variants: Record<string, unknown[]> = {};
    const declared: Record<string, { op: string; options: Record<string, unknown> }> = {};
    for (const o of Object.values(operators)) {
      o.examples.forEach((options, i) => {
        const name = `${o.name.replaceAll("_", "-")}-${i}`;
        variants[name] = [{ [o.name]: options }];
        declared[name] = { op: o.name, options };
      });
    }
    const file = join(dir, "suite.yaml");
    await Deno.writeTextFile(
      file,
      stringify({
        tooltrial: 1,
        suite: "ops",
        envs: [join(Deno.cwd(), "envs/library"), join(Deno.cwd(), "envs/calendar")],
        agents: { oracle: { scripted: "oracle" } },
        variants,
      }),
    );
    const suite = await loadSuite(file);
    for (const [name, want] of Object.entries(declared)) {
      const v = suite.variants.find((x) => x.name === name);
      assert.ok(v, name);
      assert.deepEqual(v.ops.map(({ op, options }) => ({ op, options })), [want], name);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
