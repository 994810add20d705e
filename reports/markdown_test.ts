import assert from "node:assert/strict";
import { loadSuite } from "../spec/mod.ts";
import { runSuite, type VariantEvent } from "../runners/mod.ts";
import { renderMarkdown } from "./markdown.ts";
import {
  assertValidReport,
  buildReport,
  collect,
  type Provenance,
  suiteProvenance,
} from "./report.ts";

const GOLDEN = "testdata/golden/mini_report.md";

Deno.test("golden: Markdown report of the mini suite", async () => {
  const suite = await loadSuite("testdata/good/suite.yaml");
  const variants: VariantEvent[] = [];
  const episodes = await runSuite(suite, { onVariant: (v) => void variants.push(v) });
  const provenance: Provenance = {
    tooltrial_version: "0.0.0-test",
    git_commit: "0000000000000000000000000000000000000000",
    git_dirty: false,
    deno: "2.9.6",
    v8: "x",
    typescript: "x",
    onnxruntime: null,
    os: "linux",
    arch: "x86_64",
    machine: { cpus: 2, memory_gb: 24 },
    selection: { agents: null, protocols: null, variants: null, splits: null },
    execution_providers: {},
    shards: null,
    started_at: "2026-01-15T09:00:00.000Z",
    finished_at: "2026-01-15T09:00:01.000Z",
    command: ["bench"],
    ...suiteProvenance(suite),
    concurrency: 4,
  };
  const report = buildReport(collect(episodes, variants), {
    run_id: "0123456789abcdef",
    provenance,
  });
  assertValidReport(report);
  const md = renderMarkdown(report);
  if (Deno.env.get("UPDATE_GOLDEN") === "1") await Deno.writeTextFile(GOLDEN, md);
  assert.equal(
    md,
    await Deno.readTextFile(GOLDEN),
    "run with UPDATE_GOLDEN=1 to accept a deliberate change",
  );
});
