import assert from "node:assert/strict";
import type { EpisodeSummary } from "../reports/types.ts";
import { comparisonMarkdown } from "./evaluate.ts";

const ep = (agent: string, task: string, split: string, variant: string, success: boolean) =>
  ({
    agent,
    task,
    split,
    variant,
    success,
    env: "e",
    protocol: "trial",
    seed: 0,
    sample: 0,
  }) as EpisodeSummary;

Deno.test("stage comparison: success per column with Wilson intervals, paired against the baseline", () => {
  const eps = [
    ep("traj", "t1", "seen", "clean", true),
    ep("traj", "t2", "seen", "renamed", false),
    ep("traj", "t3", "unseen_task", "clean", false),
    ep("trial", "t1", "seen", "clean", true),
    ep("trial", "t2", "seen", "renamed", true),
    ep("trial", "t3", "unseen_task", "clean", true),
  ];
  const md = comparisonMarkdown(eps, { agents: ["traj", "trial"], baseline: "traj" });
  assert.match(
    md,
    /\| traj \| 100% \(21%–100%, n=1\) \| 0% \(0%–79%, n=1\) \| 0% \(0%–79%, n=1\) \| – \| – \| 33% /,
  );
  assert.match(
    md,
    /\| trial \| 100% .* \| 100% .* \| 100% .*\| – \| – \| 100% \(44%–100%, n=3\) \|/,
  );
  // trial − traj: +0 on seen clean, +100 pts (1 discordant pair for trial) on the others.
  assert.match(
    md,
    /\| trial \| \+0 pts \(0\/0, p=1\.0\) \| \+100 pts \(1\/0, p=1\.0\) \| \+100 pts \(1\/0, p=1\.0\) \| – \| – \| \+67 pts \(2\/0, p=0\.50\) \|/,
  );
});
