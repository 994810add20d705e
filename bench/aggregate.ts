/**
 * Streaming aggregation at scale: writes a synthetic 100k-episode log (the shape a real run
 * writes: header, variant records, and per episode its episode, message, tool and result events),
 * then builds the report from it while sampling the process's resident memory.
 * `deno run -A bench/aggregate.ts [episodes]` prints log size, time and peak RSS.
 */
import { join } from "node:path";
import { reportFromLogs } from "../reports/from_log.ts";

const total = Number(Deno.args[0] ?? 100_000);
const dir = await Deno.makeTempDir({ prefix: "tooltrial-agg-" });
const path = join(dir, "episodes.jsonl");
const file = await Deno.open(path, { write: true, create: true, truncate: true });
const enc = new TextEncoder();
const agents = ["oracle", "memorizer", "explorer", "random"];
const variants = ["clean", "renamed", "deprecated", "noisy"];
const provenance = {
  tooltrial_version: "bench",
  git_commit: null,
  git_dirty: null,
  deno: Deno.version.deno,
  v8: Deno.version.v8,
  typescript: Deno.version.typescript,
  onnxruntime: null,
  os: Deno.build.os,
  arch: Deno.build.arch,
  machine: { cpus: navigator.hardwareConcurrency, memory_gb: 0 },
  started_at: new Date().toISOString(),
  finished_at: "",
  command: ["bench"],
  suite: { name: "synthetic", file: "synthetic.yaml", sha256: "0".repeat(64) },
  specs: [],
  agents: agents.map((name) => ({ name, scripted: name, options: {} })),
  protocols: [{ name: "direct", kind: "direct", trial_budget: 0, max_turns: 12 }],
  selection: { agents: null, protocols: null, variants: null, splits: null },
  execution_providers: {},
  seeds: [0],
  samples: 1,
  concurrency: 4,
  shards: null,
};
let buf: string[] = [
  JSON.stringify({
    v: 1,
    type: "run",
    run_id: "0".repeat(16),
    shard: null,
    planned: total,
    provenance,
  }),
];
const flush = async () => {
  const bytes = enc.encode(buf.join("\n") + "\n");
  let off = 0;
  while (off < bytes.length) off += await file.write(bytes.subarray(off));
  buf = [];
};
for (let i = 0; i < total; i++) {
  const agent = agents[i % 4], variant = variants[(i >> 2) % 4], task = `t${(i >> 4) % 500}`;
  const env = `env${(i >> 13) % 8}`;
  const id = `${env}/${variant}/${task}/${agent}/direct/0.${i >> 16}`;
  if (i < 16) {
    buf.push(JSON.stringify({ v: 1, type: "variant", env, variant, seed: 0, ops: [], tools: [] }));
  }
  const success = (i * 2654435761) % 100 < (agent === "random" ? 5 : 80);
  buf.push(
    JSON.stringify({
      v: 1,
      type: "episode",
      episode: id,
      index: i,
      env,
      task,
      variant,
      split: i % 3 ? "seen" : "unseen_task",
      agent,
      protocol: "direct",
      seed: 0,
      sample: i >> 16,
    }),
    JSON.stringify({
      v: 1,
      type: "message",
      episode: id,
      phase: "execute",
      message: {
        role: "user",
        content: "Find the book called Ten Thousand Lanterns and tell me its id.",
      },
    }),
    JSON.stringify({
      v: 1,
      type: "message",
      episode: id,
      phase: "execute",
      message: {
        role: "assistant",
        content: null,
        tool_calls: [{
          id: "c0",
          type: "function",
          function: { name: "search_books", arguments: '{"query":"Ten Thousand Lanterns"}' },
        }],
      },
    }),
    JSON.stringify({
      v: 1,
      type: "tool",
      episode: id,
      phase: "execute",
      call: { id: "c0", name: "search_books", arguments: { query: "Ten Thousand Lanterns" } },
      canonical: { tool: "search_books", args: { query: "Ten Thousand Lanterns" } },
      observation: { ok: true, result: [{ book_id: "B1020", title: "Ten Thousand Lanterns" }] },
      invalid: false,
      ms: 1.2,
    }),
    JSON.stringify({
      v: 1,
      type: "message",
      episode: id,
      phase: "execute",
      message: { role: "assistant", content: "B1020" },
    }),
    JSON.stringify({
      v: 1,
      type: "result",
      episode: id,
      success,
      answer: "B1020",
      checks: [{ name: "contains", passed: success }],
      metrics: {
        calls: 1,
        trial_calls: 0,
        invalid_calls: 0,
        trial_invalid_calls: 0,
        failed_calls: 0,
        self_corrections: 0,
        turns: 2,
        ast_match: success,
      },
      error: null,
      ms: 3.4,
    }),
  );
  if (buf.length > 5000) await flush();
}
await flush();
file.close();
const size = (await Deno.stat(path)).size;

const rss = () => Deno.memoryUsage().rss;
const base = rss();
let peak = base;
const timer = setInterval(() => (peak = Math.max(peak, rss())), 5);
const t0 = performance.now();
const report = await reportFromLogs([path]);
const ms = performance.now() - t0;
clearInterval(timer);
peak = Math.max(peak, rss());
const mb = (b: number) => (b / 2 ** 20).toFixed(0);
console.log(`| episodes | log size | aggregate time | RSS before | peak RSS | report rows |`);
console.log(`| --: | --: | --: | --: | --: | --: |`);
console.log(
  `| ${total} | ${mb(size)} MiB | ${(ms / 1000).toFixed(1)} s | ${mb(base)} MiB | ${
    mb(peak)
  } MiB | ${report.overall.length} overall, ${report.comparisons.length} comparisons |`,
);
await Deno.remove(dir, { recursive: true });
