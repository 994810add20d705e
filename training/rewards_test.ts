import assert from "node:assert/strict";
import fc from "fast-check";
import type { EpisodeRecord } from "../runners/events.ts";
import { episodeReward, groupAdvantages } from "./rewards.ts";

const rec = (over: Partial<EpisodeRecord["metrics"]>, success: boolean, answer: string | null) =>
  ({
    success,
    answer,
    metrics: {
      calls: 0,
      trial_calls: 0,
      invalid_calls: 0,
      trial_invalid_calls: 0,
      failed_calls: 0,
      self_corrections: 0,
      turns: 1,
      ast_match: false,
      ...over,
    },
  }) as EpisodeRecord;

Deno.test("rewards: task check + format validity − a cost per call, weights from YAML", () => {
  const w = { task: 1, format: 0.2, call_penalty: 0.05, no_call_format: 0 };
  assert.equal(episodeReward(rec({ calls: 2, trial_calls: 2 }, true, "b42"), w), 1 + 0.2 - 0.2);
  // Half the calls malformed: half the format reward; no answer: no format reward.
  assert.equal(
    episodeReward(
      rec({ calls: 2, invalid_calls: 1, trial_calls: 2, trial_invalid_calls: 1 }, false, "x"),
      {
        ...w,
        call_penalty: 0,
      },
    ),
    0.1,
  );
  assert.equal(episodeReward(rec({}, false, null), w), 0);
  // An answer with no call at all earns no format credit unless the YAML says so.
  assert.equal(episodeReward(rec({}, false, "done"), w), 0);
  assert.equal(episodeReward(rec({}, false, "done"), { ...w, no_call_format: 1 }), 0.2);
});

Deno.test("advantages: zero mean and unit spread per group; tied groups give zeros", () => {
  fc.assert(fc.property(
    fc.array(
      fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 2, maxLength: 8 }),
      {
        minLength: 1,
        maxLength: 5,
      },
    ),
    (groups) => {
      const adv = groupAdvantages(groups);
      adv.forEach((a, i) => {
        const g = groups[i];
        const tied = Math.max(...g) - Math.min(...g) < 1e-6;
        const mean = a.reduce((x, y) => x + y, 0) / a.length;
        assert.ok(Math.abs(mean) < 1e-6);
        if (tied) assert.ok(a.every((x) => x === 0));
        // Order is kept: a higher reward never gets a lower advantage.
        for (let j = 0; j < g.length; j++) {
          for (let k = 0; k < g.length; k++) if (g[j] > g[k]) assert.ok(a[j] >= a[k]);
        }
      });
    },
  ));
});
