import assert from "node:assert/strict";
import { envFromDoc } from "../spec/load_env.ts";
import { parseYaml } from "../spec/yaml.ts";
import { ungroundedValues } from "./grounding.ts";

const task = async (check: string, extra = "") => {
  const text = `tooltrial: 1
env: pay
state: { t: [] }
tools:
  - { name: list, description: Payments., parameters: { type: object }, result: "state.t" }
tasks:
  - id: t1
    query: What was the largest payment to MetroCab?${extra}
    gold: [{ tool: list }]
    answer: It was 121.81 to MetroCab.
    check: { answer: ${check} }
`;
  return (await envFromDoc(parseYaml(text, "pay.yaml"), text)).tasks[0];
};
const results = [{ tool: "list", text: '[{"amount":-121.81,"merchant":"MetroCab"}]' }];

Deno.test("grounding: values in the results or the query pass, others are named", async () => {
  const table: [string, string[]][] = [
    ["{ contains: [metrocab, '121.81'] }", []],
    ["{ contains: [Trattoria] }", ["/check/answer/contains"]],
    // A signed amount is asked about unsigned; a tolerance is a tolerance.
    ["{ number: { value: 121.8, tol: 0.05 } }", []],
    ["{ number: { value: 122 } }", ["/check/answer/number"]],
    ["{ equals: MetroCab }", []],
    ["{ equals: Done. }", ["/check/answer/equals"]],
    // Regexes made of plain alternatives are literals; anything else is not judged.
    ["{ regex: 'metrocab|citycab' }", []],
    ["{ regex: '^(citycab)$' }", []],
    ["{ regex: 'citycab|yellow cab' }", ["/check/answer/regex"]],
    ["{ regex: 'largest' }", []], // in the query
  ];
  for (const [check, pointers] of table) {
    const u = ungroundedValues(await task(check), { results });
    assert.deepEqual(u.map((x) => x.pointer), pointers, check);
  }
});

Deno.test("grounding: compute tasks, grounded: false and tasks without gold calls are exempt", async () => {
  for (const extra of ["\n    tags: [compute]", "\n    grounded: false"]) {
    assert.deepEqual(
      ungroundedValues(await task("{ number: { value: 9 } }", extra), { results }),
      [],
    );
  }
  const t = await task("{ number: { value: 9 } }");
  assert.deepEqual(ungroundedValues({ ...t, gold: [] }, { results: [] }), []);
});
