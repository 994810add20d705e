import assert from "node:assert/strict";
import { loadSuite } from "../../spec/mod.ts";
import { trainingTasks } from "../../tasks/mod.ts";
import { variantsFor } from "../../variants/mod.ts";
import { runEpisode } from "../episode.ts";
import type { EpisodeEvent } from "../events.ts";
import { variantEnvs } from "../run.ts";
import { scriptedAgent } from "./mod.ts";

const suite = await loadSuite("suite.yaml");
const envOf = variantEnvs(suite);
const protocol = { name: "trial", kind: "trial" as const, trialBudget: 8, maxTurns: 24 };

/** Trial-phase tool events of the explorer (probing or not) on the seen tasks of one environment. */
async function trials(probe: boolean, variantName: string) {
  const agent = scriptedAgent({
    name: "explorer",
    kind: "scripted",
    scripted: "explorer",
    options: probe ? { probe: true } : {},
  });
  const out: { success: boolean; trial: Extract<EpisodeEvent, { type: "tool" }>[] }[] = [];
  for (const { env, task } of trainingTasks(suite).filter((t) => t.env.name === "library")) {
    const variant = variantsFor(suite, env).find((v) => v.name === variantName)!;
    const rec = await runEpisode(envOf(env.name, variant, 101), task, {
      agent,
      protocol,
      episode: { id: task.id, seed: 1, sample: 0, split: "seen" },
    });
    const trial = rec.events.filter((e): e is Extract<EpisodeEvent, { type: "tool" }> =>
      e.type === "tool" && e.phase === "trial"
    );
    out.push({ success: rec.success, trial });
  }
  return out;
}

Deno.test("explorer probe: on renamed tools the trial phase holds wrong guesses, their errors and the corrections", async () => {
  const plain = await trials(false, "renamed");
  const probing = await trials(true, "renamed");
  const errors = (r: typeof plain) =>
    r.flatMap((e) => e.trial).filter((t) => !t.observation.ok).length;
  const kinds = new Set(
    probing.flatMap((e) => e.trial).flatMap((t) =>
      t.observation.ok ? [] : [t.observation.error.kind]
    ),
  );
  assert.ok(kinds.has("unknown_tool"), [...kinds].join(","));
  assert.ok(kinds.has("invalid_arguments"), [...kinds].join(","));
  assert.ok(
    errors(probing) > errors(plain) + plain.length,
    `${errors(probing)} vs ${errors(plain)}`,
  );
  // Each probe that failed is followed, later in the same trial phase, by a call that worked.
  for (const e of probing) {
    const firstError = e.trial.findIndex((t) => !t.observation.ok);
    if (firstError >= 0) assert.ok(e.trial.slice(firstError).some((t) => t.observation.ok));
  }
  // It still solves (nearly) as many tasks as the plain explorer.
  const solved = (r: typeof plain) => r.filter((e) => e.success).length;
  assert.ok(solved(probing) >= solved(plain) - 1, `${solved(probing)} vs ${solved(plain)}`);
});

Deno.test("explorer probe: on the clean interface the probe is the right call, nothing changes", async () => {
  const plain = await trials(false, "clean");
  const probing = await trials(true, "clean");
  assert.deepEqual(
    probing.map((e) => e.trial.map((t) => t.call.name)),
    plain.map((e) => e.trial.map((t) => t.call.name)),
  );
});
