import assert from "node:assert/strict";
import { envFromDoc } from "../spec/load_env.ts";
import { parseYaml } from "../spec/yaml.ts";
import { ambiguousTasks } from "./ambiguity.ts";

const env = (tasks: string) => {
  const text = `tooltrial: 1
env: films
state:
  films:
    - { id: f1, title: The Glass Orchard }
    - { id: f2, title: The Glass Orchard Revisited }
    - { id: f3, title: Paper Boats }
tools:
  - name: find
    description: All films.
    parameters: { type: object, properties: { q: { type: string } } }
    result: "state.films"
tasks:
${tasks}`;
  return envFromDoc(parseYaml(text, "films.yaml"), text);
};

Deno.test("ambiguity: a name check that another entity's name also satisfies is flagged", async () => {
  const issues = ambiguousTasks(
    await env(
      `  - { id: t1, query: Which film is f1?, check: { answer: { contains: Glass Orchard } } }
  - { id: t2, query: Which film is f3?, check: { answer: { contains: Paper Boats } } }
  - id: t3
    query: Which film is f1, not the sequel?
    check: { answer: { contains: Glass Orchard, excludes: Revisited } }`,
    ),
  );
  assert.deepEqual(issues.map((i) => i.task), ["t1"]);
  assert.match(issues[0].message, /2 different films.title values/);
});

Deno.test("ambiguity: the same query twice is flagged, naming the first and whether answers differ", async () => {
  const issues = ambiguousTasks(
    await env(
      `  - { id: a, query: "Which film is f3?", check: { answer: { contains: Paper Boats } } }
  - { id: b, query: "which  film is f3?", check: { answer: { contains: Boats } } }
  - { id: c, query: Which film is f1?, check: { answer: { equals: f1 } } }`,
    ),
  );
  assert.deepEqual(issues, [{
    task: "b",
    pointer: "/query",
    message: "same query as a but a different reference answer",
  }]);
});

Deno.test("ambiguity: exact values, ids and dates are not names", async () => {
  const issues = ambiguousTasks(
    await env(
      `  - { id: a, query: Id of the sequel?, check: { answer: { contains: [f2, The Glass Orchard Revisited] } } }
  - { id: b, query: When?, check: { answer: { contains: "2026-01-05" } } }`,
    ),
  );
  assert.deepEqual(issues, []);
});
