import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./cli.ts";

/**
 * An imported suite as a user takes it next: `validate` (whose summary must match `validated`),
 * then `bench` into `run`; returns each agent × variant's success rates from report.json, one per
 * protocol in the report's order. For the importers' tests.
 */
export async function validateAndBench(
  out: string,
  run: string,
  validated: RegExp,
): Promise<(agent: string, variant: string) => number[]> {
  const v = await runCli("validate", out);
  assert.equal(v.code, 0, v.err);
  assert.match(v.out, validated);
  const b = await runCli("bench", join(out, "suite.yaml"), "--out", run, "--quiet");
  assert.equal(b.code, 0, b.err);
  const report = JSON.parse(await Deno.readTextFile(join(run, "report.json")));
  return (agent, variant) =>
    report.overall.filter((o: { agent: string; variant: string }) =>
      o.agent === agent && o.variant === variant
    ).map((o: { success_rate: number }) => o.success_rate);
}
