// Bootstrap resamples shared across the rows of one agent: the same intervals as drawing each
// row's own (bit for bit for one seed), within Monte Carlo tolerance of the per-row seeds reports
// used before, and the same through `tooltrial bench`.
import assert from "node:assert/strict";
import { join } from "node:path";
import { createRng, deriveSeed } from "../runners/rng.ts";
import { runCli } from "../testdata/cli.ts";
import { buildReport, collect } from "./report.ts";
import { agentSeed, groupSummary, robustness } from "./metrics.ts";
import { bootstrapCI, SharedDraws } from "./stats.ts";
import type { EpisodeSummary, SummaryRow } from "./types.ts";
import type { Collector } from "./collect.ts";

/** Agents × protocols × variants × envs × tasks × samples of seeded outcomes (task difficulty varies). */
function episodes(seed: number): EpisodeSummary[] {
  const rng = createRng(seed);
  const out: EpisodeSummary[] = [];
  const difficulty = new Map<string, number>();
  for (const env of ["e1", "e2"]) {
    for (const variant of ["clean", "renamed", "noisy"]) {
      for (let t = 0; t < (env === "e1" ? 40 : 25); t++) {
        const task = `t${t}`;
        if (!difficulty.has(env + task)) difficulty.set(env + task, rng.next());
        for (const agent of ["strong", "weak"]) {
          for (const protocol of ["direct", "trial"]) {
            for (let sample = 0; sample < 3; sample++) {
              const p = (agent === "strong" ? 0.9 : 0.5) * difficulty.get(env + task)! *
                (variant === "clean" ? 1 : 0.8);
              out.push({
                id: `${env}/${variant}/${task}/${agent}/${protocol}/0.${sample}`,
                env,
                task,
                variant,
                split: t % 5 === 0 ? "unseen_task" : "seen",
                agent,
                protocol,
                seed: 0,
                episode_seed: 0,
                sample,
                success: rng.next() < p,
                calls: 1,
                trial_calls: 0,
                invalid_calls: 0,
                failed_calls: 0,
                backend_failures: 0,
                self_corrections: 0,
                ast_match: true,
                tokens: null,
                ms: 1,
                error: null,
              });
            }
          }
        }
      }
    }
  }
  return out;
}

const KEYS = [
  ["agent", "protocol", "variant"],
  ["agent", "protocol", "variant", "env", "split"],
  ["agent", "protocol", "variant", "split"],
] as const;

/**
 * How far intervals `b` are from `a`: the mean absolute difference of their bounds, and the rows
 * where a bound moved by more than a quarter of `a`'s width (at least 0.02). Few clusters make
 * percentiles coarse (two tasks: three possible means), so the tolerance follows the width.
 */
function gap(a: [number, number][], b: [number, number][]) {
  assert.equal(a.length, b.length);
  const d = a.flatMap((x, i) => [Math.abs(x[0] - b[i][0]), Math.abs(x[1] - b[i][1])]);
  const far = a.filter((x, i) =>
    Math.max(Math.abs(x[0] - b[i][0]), Math.abs(x[1] - b[i][1])) >
      Math.max(0.02, 0.25 * (x[1] - x[0]))
  ).length;
  return { max: Math.max(...d), mean: d.reduce((s, x) => s + x, 0) / d.length, far };
}

Deno.test("shared draws: every interval equals drawing its own with the same seed, and draws are made once per cluster count", () => {
  const draws = new SharedDraws();
  const rng = createRng(3);
  const rows = Array.from(
    { length: 30 },
    (_, r) =>
      Array.from(
        { length: 5 + (r % 3) * 7 },
        () =>
          Array.from({ length: 1 + Math.floor(rng.next() * 4) }, () => Number(rng.next() < 0.4)),
      ),
  );
  for (const row of rows) {
    assert.deepEqual(bootstrapCI(row, { seed: 11, draws }), bootstrapCI(row, { seed: 11 }));
  }
  // Three cluster counts (5, 12, 19); rows whose values were all equal drew nothing.
  assert.ok(draws.size <= 3 && draws.size >= 1, `${draws.size} sets`);
  // A bound on what is kept: an old set is dropped and drawn again, the same.
  const small = new SharedDraws({ maxBytes: 2000 * 12 * 2 });
  for (const row of [...rows, ...rows]) {
    assert.deepEqual(bootstrapCI(row, { seed: 11, draws: small }), bootstrapCI(row, { seed: 11 }));
  }
  assert.equal(small.size, 1);
});

Deno.test("shared draws: an agent's rows resample its tasks alike, within Monte Carlo tolerance of per-row seeds", () => {
  const es = episodes(20261206);
  const draws = new SharedDraws();
  let rows = 0;
  for (const keys of KEYS) {
    const own = groupSummary(es, keys).map((r) => r.ci95);
    const alike = groupSummary(es, keys, { draws }).map((r) => r.ci95);
    const g = gap(own, alike);
    rows += own.length;
    // 2,000 resamples: a percentile of a few dozen tasks moves by about 0.005 between two sets.
    assert.equal(g.far, 0, `${keys.join("×")}: ${g.far} intervals moved (largest ${g.max})`);
    assert.ok(g.mean <= 0.01, `${keys.join("×")}: mean difference ${g.mean}`);
    // Not the per-row draws any more: some interval moved.
    assert.ok(g.max > 0, `${keys.join("×")}: the draws are shared`);
  }
  assert.ok(rows > 50, `${rows} rows`);
  const drops = [robustness(es), robustness(es, { draws })].map((r) =>
    r.map((x) => x.ci95 as [number, number])
  );
  assert.equal(gap(drops[0], drops[1]).far, 0);

  // Rows of one agent with the same tasks and the same outcomes get the same interval; those of
  // another agent (another generator) need not.
  const copy = (agent: string, protocol: string) =>
    es.filter((e) => e.agent === "weak" && e.protocol === "direct").map((e) => ({
      ...e,
      agent,
      protocol,
    }));
  const twins = [...copy("weak", "direct"), ...copy("weak", "again"), ...copy("other", "direct")];
  const overall = groupSummary(twins, ["agent", "protocol", "variant"], {
    draws: new SharedDraws(),
  });
  const ci = (agent: string, protocol: string) =>
    overall.find((r) => r.agent === agent && r.protocol === protocol && r.variant === "renamed")!
      .ci95;
  assert.deepEqual(ci("weak", "again"), ci("weak", "direct"));
  assert.notDeepEqual(ci("other", "direct"), ci("weak", "direct"));
  // The shared generator is the agent's own.
  const clusters = new Map<string, number[]>();
  for (const e of twins.filter((e) => e.agent === "other" && e.variant === "renamed")) {
    const k = `${e.env}\u0000${e.task}`;
    clusters.set(k, [...clusters.get(k) ?? [], Number(e.success)]);
  }
  const want = bootstrapCI([...clusters.values()], {
    seed: deriveSeed("bootstrap", agentSeed("other")),
  })!.map((x) => Math.round(x * 1e4) / 1e4);
  assert.deepEqual(ci("other", "direct"), want);
});

Deno.test("cli: bench's report.json intervals resample each agent's tasks alike, close to per-row draws", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await runCli("bench", "testdata/good/suite.yaml", "--out", dir, "--quiet");
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(await Deno.readTextFile(join(dir, "report.json")));
    const es: EpisodeSummary[] = report.episodes;
    const again = buildReport(collectSummaries(es, report.variants), {
      run_id: report.run_id,
      provenance: report.provenance,
    });
    // The intervals are a function of the episodes: rebuilding from report.json gives them.
    for (const part of ["overall", "breakdown", "by_split", "robustness"] as const) {
      assert.deepEqual(again[part], report[part], part);
    }
    const own = groupSummary(es, KEYS[1]).map((x: SummaryRow) => x.ci95);
    const g = gap(report.breakdown.map((x: SummaryRow) => x.ci95), own);
    assert.ok(g.far === 0 && g.mean <= 0.01, `${g.far} moved, largest ${g.max}, mean ${g.mean}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A collector holding report.json's episode summaries as they are. */
function collectSummaries(es: EpisodeSummary[], variants: unknown[]): Collector {
  const c = collect([]);
  c.episodes.push(...es);
  c.variants.push(...(variants as Collector["variants"]));
  return c;
}
