import assert from "node:assert/strict";
import { schedule } from "./run.ts";

/** Jobs whose completion the test controls: each start is logged, each finish awaited by hand. */
function harness() {
  const log: string[] = [];
  const gates = new Map<string, { ok: () => void; fail: (e: Error) => void }>();
  let active = 0, peak = 0;
  const run = (name: string) =>
    new Promise<string>((ok, fail) => {
      active++, peak = Math.max(peak, active);
      log.push(`start ${name}`);
      gates.set(name, {
        ok: () => (active--, log.push(`end ${name}`), ok(name.toUpperCase())),
        fail: (e) => (active--, log.push(`fail ${name}`), fail(e)),
      });
    });
  const tick = () => new Promise((r) => setTimeout(r, 0));
  return { log, gates, run, tick, peak: () => peak };
}

// data-a → sft-a, data-b → sft-b, both SFTs → compare (the shape of a training file).
const JOBS = [
  { name: "data-a", inputs: [] },
  { name: "data-b", inputs: [] },
  { name: "sft-a", inputs: ["data-a"] },
  { name: "sft-b", inputs: ["data-b"] },
  { name: "compare", inputs: ["sft-a", "sft-b"] },
];

Deno.test("schedule: width 2 runs independent jobs side by side, never more, inputs first", async () => {
  const h = harness();
  const done = schedule(JOBS, 2, h.run);
  await h.tick();
  assert.deepEqual(h.log, ["start data-a", "start data-b"]);
  h.gates.get("data-b")!.ok();
  await h.tick();
  // sft-b may start before sft-a's data is done; sft-a may not.
  assert.deepEqual(h.log.slice(2), ["end data-b", "start sft-b"]);
  h.gates.get("data-a")!.ok();
  await h.tick();
  assert.equal(h.log.at(-1), "start sft-a");
  h.gates.get("sft-a")!.ok();
  await h.tick();
  assert.ok(!h.log.includes("start compare"), "compare waits for both SFTs");
  h.gates.get("sft-b")!.ok();
  await h.tick();
  h.gates.get("compare")!.ok();
  const results = await done;
  assert.equal(h.peak(), 2);
  assert.deepEqual([...results.keys()].sort(), JOBS.map((j) => j.name).sort());
  assert.equal(results.get("compare"), "COMPARE");
});

Deno.test("schedule: width 1 keeps list order exactly", async () => {
  const h = harness();
  const done = schedule(JOBS, 1, h.run);
  for (const j of JOBS) {
    await h.tick();
    assert.equal(h.log.at(-1), `start ${j.name}`);
    h.gates.get(j.name)!.ok();
  }
  await done;
  assert.deepEqual(
    h.log.filter((l) => l.startsWith("start")),
    JOBS.map((j) => `start ${j.name}`),
  );
  assert.equal(h.peak(), 1);
});

Deno.test("schedule: a failure starts nothing new, lets the running job finish, then throws it", async () => {
  const h = harness();
  const done = schedule(JOBS, 2, h.run);
  await h.tick();
  h.gates.get("data-a")!.fail(new Error("teacher refused"));
  await h.tick();
  assert.ok(!h.log.some((l) => l.startsWith("start sft")), "nothing starts after a failure");
  h.gates.get("data-b")!.ok();
  await assert.rejects(done, /teacher refused/);
  assert.deepEqual(h.log, ["start data-a", "start data-b", "fail data-a", "end data-b"]);
});
