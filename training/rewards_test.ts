import assert from "node:assert/strict";
import fc from "fast-check";
import type { EpisodeRecord } from "../runners/events.ts";
import { episodeReward, groupAdvantages } from "./rewards.ts";

const rec = (
  over: Partial<EpisodeRecord["metrics"]>,
  success: boolean,
  answer: string | null,
  events: unknown[] = [],
) =>
  ({
    success,
    answer,
    events,
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

/** A tool event: `kind` is the error kind, or null for a call that worked. */
const call = (phase: "trial" | "execute", tool: string | null, kind: string | null) => ({
  type: "tool",
  phase,
  call: { id: "c", name: tool ?? "?", arguments: {} },
  canonical: tool ? { tool, args: {} } : null,
  observation: kind ? { ok: false, error: { kind, message: "" } } : { ok: true, result: 1 },
  invalid: kind !== null,
});

Deno.test("rewards: credit for calls that parse and for reaching the task's gold tools", () => {
  const w = { task: 1, format: 0, call_penalty: 0, no_call_format: 0, parsable: 0.1, tool: 0.3 };
  const gold = { gold: ["search_books", "borrow_book"] };
  // Nothing parsed, no tool reached.
  assert.equal(
    episodeReward(rec({}, false, "x", [call("execute", null, "invalid_json")]), w, gold),
    0,
  );
  // Two of two parsed; one of two gold tools reached in execution (a trial call does not count).
  const r = episodeReward(
    rec({}, false, "x", [
      call("trial", "borrow_book", "invalid_arguments"),
      call("execute", "search_books", null),
    ]),
    w,
    gold,
  );
  assert.ok(Math.abs(r - (0.1 + 0.15)) < 1e-9, String(r));
  // Success on top.
  const all = episodeReward(
    rec({}, true, "b42", [
      call("execute", "search_books", null),
      call("execute", "borrow_book", null),
    ]),
    w,
    gold,
  );
  assert.ok(Math.abs(all - 1.4) < 1e-9, String(all));
});
