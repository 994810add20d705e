// The backend registry's meta-test: every registered kind is checked the way a user meets it — its
// schema is its branch of spec/schema/env.json, its example is a YAML env that loads, runs an
// episode on the kind's backend, and is recorded in the log header and the report — so a new kind
// cannot escape the tests.
import assert from "node:assert/strict";
import { join } from "node:path";
import { stringify } from "yaml";
import envSchema from "../../spec/schema/env.json" with { type: "json" };
import { BACKEND_KINDS } from "../../spec/backends/mod.ts";
import { loadEnv, loadSuite, SpecError } from "../../spec/mod.ts";
import { runBench } from "../../run/mod.ts";
import { backendEntries, backendKinds } from "./mod.ts";

const toolProperties = envSchema.$defs.tool.properties as Record<string, unknown>;

/** The example's env and files, and a one-agent suite over it, in a temporary folder. */
async function exampleDir(example: (typeof BACKEND_KINDS)[number]["example"]) {
  const dir = await Deno.makeTempDir({ prefix: "tooltrial-backend-" });
  await Deno.writeTextFile(
    join(dir, "env.yaml"),
    `# yaml-language-server: $schema=${Deno.cwd()}/spec/schema/env.json\n` +
      stringify({ tooltrial: 1, ...example.env }),
  );
  for (const [name, text] of Object.entries(example.files ?? {})) {
    await Deno.writeTextFile(join(dir, name), text);
  }
  await Deno.writeTextFile(
    join(dir, "suite.yaml"),
    stringify({
      tooltrial: 1,
      suite: "backend",
      envs: ["env.yaml"],
      agents: { oracle: { scripted: "oracle" } },
      protocols: { direct: {} },
      seeds: [0],
    }),
  );
  return dir;
}

Deno.test("backends: the registry, spec/backends and spec/schema/env.json name the same kinds", () => {
  assert.deepEqual(backendEntries().map((b) => b.kind), BACKEND_KINDS.map((b) => b.kind));
  for (const [kind, entry] of Object.entries(backendKinds)) {
    assert.equal(entry.kind, kind);
    const spec = BACKEND_KINDS.find((b) => b.kind === kind)!;
    assert.equal(entry.key, spec.key);
    assert.equal(entry.parse, spec.parse, `${kind}: parses as its spec side does`);
    assert.deepEqual(
      entry.schema,
      toolProperties[entry.key],
      `${kind}: its schema is $defs/tool/properties/${entry.key} of spec/schema/env.json`,
    );
  }
  assert.equal(new Set(BACKEND_KINDS.map((b) => b.key)).size, BACKEND_KINDS.length);
});

Deno.test("backends: a tool with two kinds' keys is a located error naming both", async () => {
  const [a, b] = backendEntries();
  const dir = await Deno.makeTempDir({ prefix: "tooltrial-backend-" });
  try {
    const tool = (a.example.env.tools as Record<string, unknown>[])[0];
    const other = (b.example.env.tools as Record<string, unknown>[])[0];
    await exampleFiles(dir, a.example.files, b.example.files);
    const env = { ...b.example.env, ...a.example.env, tools: [{ ...tool, [b.key]: other[b.key] }] };
    await Deno.writeTextFile(join(dir, "env.yaml"), stringify({ tooltrial: 1, ...env }));
    const err = await loadEnv(join(dir, "env.yaml")).catch((e) => e);
    assert.ok(err instanceof SpecError, String(err));
    assert.match(
      err.message,
      new RegExp(`a tool has one backend, but this one has ${a.key} and ${b.key}`),
    );
    assert.match(err.message, /env\.yaml:\d+:\d+/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function exampleFiles(dir: string, ...files: (Record<string, string> | undefined)[]) {
  for (const f of files) {
    for (const [name, text] of Object.entries(f ?? {})) {
      await Deno.writeTextFile(join(dir, name), text);
    }
  }
}

for (const entry of backendEntries()) {
  Deno.test(`backends: kind ${entry.kind}'s example loads from YAML, runs an episode on it, and is recorded`, async () => {
    const dir = await exampleDir(entry.example);
    try {
      // (a) the example round-trips through the env loader to tools of this kind.
      const suite = await loadSuite(join(dir, "suite.yaml"));
      const [env] = suite.envs;
      assert.ok(env.tools.some((t) => t.backend.kind === entry.kind), `a ${entry.kind} tool`);
      // (b) an oracle episode over it succeeds: its tool call ran on this backend.
      const out = join(dir, "out");
      const run = await runBench(suite, { out, concurrency: 1 });
      const log = (await Deno.readTextFile(run.logPath)).split("\n").filter(Boolean)
        .map((l) => JSON.parse(l));
      const episodes = run.report!.episodes;
      assert.equal(episodes.length, 1);
      const calls = log.filter((r) => r.type === "tool");
      assert.equal(episodes[0].success, true, JSON.stringify(log.slice(1)).slice(0, 3000));
      assert.ok(calls.length > 0 && calls.every((c) => c.observation.ok), "its calls answered");
      // (c) what the kind records is in the log header and the report, with the env's name.
      const recorded = { env: env.name, kind: entry.kind, ...entry.provenance(env) };
      assert.ok(entry.provenance(env) !== undefined, "the kind records something when in use");
      const mine = (p: { backends: { kind: string }[] }) =>
        p.backends.filter((b) => b.kind === entry.kind);
      assert.deepEqual(mine(log[0].provenance), [recorded], "the log header records the backend");
      assert.deepEqual(mine(run.report!.provenance as never), [recorded], "the report too");
      // And people read it: the provenance of report.md and report.html names the kind and env.
      const md = await Deno.readTextFile(join(out, "report.md"));
      const html = await Deno.readTextFile(join(out, "report.html"));
      const shown = new RegExp(`${entry.kind}(: \\d+ tools? in| in) ${env.name}`);
      assert.match(
        md.split("\n").filter((l) => l.startsWith("- tool backends:")).join("\n"),
        shown,
      );
      assert.match(html.slice(html.indexOf('<section id="provenance">')), shown);
      // Kinds not in use record nothing.
      for (const other of backendEntries()) {
        if (!env.tools.some((t) => t.backend.kind === other.kind) && other.kind !== "mcp") {
          assert.equal(other.provenance(env), undefined, `${other.kind} is not in use`);
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
