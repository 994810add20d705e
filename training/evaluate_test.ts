import assert from "node:assert/strict";
import type { EpisodeSummary } from "../reports/types.ts";
import { comparisonMarkdown } from "./evaluate.ts";
import { loadTraining, trainedProtocol } from "./spec.ts";

const ep = (
  agent: string,
  task: string,
  split: string,
  variant: string,
  success: boolean,
  protocol = "trial",
) =>
  ({
    agent,
    task,
    split,
    variant,
    success,
    env: "e",
    protocol,
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

Deno.test("stage comparison: each policy under the protocol it was trained on, the other as a secondary column", () => {
  const eps = [
    // traj solves direct episodes and fails trial ones; trial the mirror image.
    ep("traj", "t1", "seen", "clean", true, "direct"),
    ep("traj", "t2", "seen", "renamed", false, "direct"),
    ep("traj", "t1", "seen", "clean", false, "trial"),
    ep("traj", "t2", "seen", "renamed", false, "trial"),
    ep("trial", "t1", "seen", "clean", true, "trial"),
    ep("trial", "t2", "seen", "renamed", true, "trial"),
    ep("trial", "t1", "seen", "clean", false, "direct"),
    ep("trial", "t2", "seen", "renamed", false, "direct"),
  ];
  const md = comparisonMarkdown(eps, {
    agents: ["traj", "trial"],
    baseline: "traj",
    protocolOf: { traj: "direct", trial: "trial" },
  });
  assert.match(
    md,
    /\| traj \(direct\) \| 100% \(21%–100%, n=1\) \| 0% .*\| 50% \(9%–91%, n=2\) \| 0% \(0%–66%, n=2\) trial \|/,
  );
  assert.match(
    md,
    /\| trial \(trial\) \| 100% .*\| 100% \(34%–100%, n=2\) \| 0% \(0%–66%, n=2\) direct \|/,
  );
  // Pairs match the same task and variant across protocols: trial (trial) vs traj (direct).
  assert.match(
    md,
    /\| trial \(trial\) \| \+0 pts \(0\/0, p=1\.0\) \| \+100 pts \(1\/0, p=1\.0\) \|/,
  );
});

Deno.test("stage comparison: the training file says which protocol each policy was trained on", async () => {
  const t = await loadTraining("training/toolmaster-mini.yaml");
  assert.equal(trainedProtocol(t.stages, "trajectory-sft-onnx"), "direct");
  assert.equal(trainedProtocol(t.stages, "trial-sft-onnx"), "trial");
  assert.equal(trainedProtocol(t.stages, "trial-grpo-onnx"), "trial");
  assert.equal(trainedProtocol(t.stages, "base-onnx"), null);
});

Deno.test("default suite: each committed policy runs under the protocol the training file trained it on", async () => {
  const { loadSuite } = await import("../spec/load_suite.ts");
  const { resolve } = await import("node:path");
  const suite = await loadSuite("suite.yaml");
  const t = await loadTraining("training/toolmaster-mini.yaml");
  let n = 0;
  for (const s of t.stages) {
    if (s.kind !== "export" || !s.to) continue;
    const agent = suite.agents.find((a) =>
      a.kind === "onnx" && resolve(a.onnx.path) === resolve(s.to!)
    );
    assert.ok(agent, `no suite agent runs ${s.to}`);
    assert.deepEqual(agent.only?.protocols, [trainedProtocol(t.stages, s.name)], agent.name);
    assert.deepEqual(agent.only?.variants, ["clean", "renamed"]);
    n++;
  }
  assert.equal(n, 3);
});

Deno.test("stage comparison: the first execution call's tool, by canonical name, as a second table", async () => {
  const { loadSuite } = await import("../spec/load_suite.ts");
  const { firstCallRight } = await import("./evaluate.ts");
  const suite = await loadSuite("suite.yaml");
  const lib = suite.envs.find((e) => e.name === "library")!;
  const task = lib.tasks[0];
  const want = task.gold[0].tool;
  const eps = ["a", "b", "c"].map((agent) => ({
    ...ep(agent, task.id, "seen", "renamed", false),
    env: "library",
    id: `library/renamed/${task.id}/${agent}/trial/0.0`,
  }));
  const tool = (episode: string, phase: string, canonical: string | null) =>
    JSON.stringify({
      v: 1,
      type: "tool",
      episode,
      phase,
      call: {},
      canonical: canonical && { tool: canonical, args: {} },
    });
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/episodes.jsonl`,
      [
        // a: a wrong trial call, then the right tool first in execution (under its renamed name).
        tool(eps[0].id, "trial", "nope"),
        tool(eps[0].id, "execute", want),
        tool(eps[0].id, "execute", "other"),
        // b: the wrong tool first; c: an unparsable call first (no canonical name).
        tool(eps[1].id, "execute", "other"),
        tool(eps[1].id, "execute", want),
        tool(eps[2].id, "execute", null),
      ].join("\n") + "\n",
    );
    const first = await firstCallRight(`${dir}/episodes.jsonl`, eps, suite);
    assert.deepEqual([...first.values()], [true, false, false]);
    const md = comparisonMarkdown(eps, { agents: ["a", "b"], firstTool: first });
    assert.match(md, /First execution call to the task's first gold tool/);
    assert.match(md, /\| a \| – \| 100% \(21%–100%, n=1\) \|/);
    assert.match(md, /\| b \| – \| 0% \(0%–79%, n=1\) \|/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
