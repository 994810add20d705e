import assert from "node:assert/strict";
import { loadEnv } from "../spec/mod.ts";
import { declarativeEnv } from "./declarative.ts";
import type { Observation } from "./types.ts";

const spec = await loadEnv("testdata/good/mini.yaml");
const env = declarativeEnv(spec);
const call = (name: string, args: unknown) =>
  env.step(env.initialState, {
    id: "c",
    name,
    arguments: typeof args === "string" ? args : JSON.stringify(args),
  });
const err = (
  o: Observation,
) => (o.ok ? assert.fail(`expected an error, got ${JSON.stringify(o)}`) : o.error);

Deno.test("a valid call returns the result expression's value", async () => {
  const { observation } = await call("get_item", { id: "w1" });
  assert.deepEqual(observation, {
    ok: true,
    result: { id: "w1", name: "Red widget, large", stock: 4, price: 9.5 },
  });
});

Deno.test("schema violations come back as observations with the schema path", async () => {
  const e = err((await call("add_stock", { id: "w1", units: 0, colour: "red" })).observation);
  assert.equal(e.kind, "invalid_arguments");
  assert.match(e.message, /\/units must be >= 1/);
  assert.match(e.message, /unknown parameter "colour"/);
  const details = e.details as { path: string; schema_path: string }[];
  assert.ok(details.some((d) => d.schema_path === "#/properties/units/minimum"));
});

Deno.test("malformed JSON arguments are an invalid call", async () => {
  const e = err((await call("get_item", '{"id": "w1"')).observation);
  assert.equal(e.kind, "invalid_json");
});

Deno.test("unknown tools get an error naming close tools", async () => {
  const e = err((await call("get_itme", { id: "w1" })).observation);
  assert.equal(e.kind, "unknown_tool");
  assert.match(e.message, /Did you mean get_item/);
});

Deno.test("error rules answer with their rendered message", async () => {
  const e = err((await call("get_item", { id: "nope" })).observation);
  assert.deepEqual(e, { kind: "tool_error", message: "unknown item nope" });
});

Deno.test("effects are copy-on-write: the initial state is untouched, untouched tables are shared", async () => {
  const before = JSON.stringify(env.initialState);
  const r1 = await call("add_stock", { id: "w2", units: 3 });
  assert.deepEqual(JSON.parse(JSON.stringify(r1.observation)), {
    ok: true,
    result: { id: "w2", name: "Blue widget", stock: 10, price: 12 },
  });
  assert.equal(JSON.stringify(env.initialState), before);
  assert.equal((r1.state.items as { stock: number }[])[1].stock, 10);
  assert.equal(r1.state.log.length, 1);
  const r2 = await env.step(r1.state, { id: "c2", name: "get_item", arguments: { id: "w1" } });
  assert.equal(r2.state, r1.state, "a read-only call returns the same state object");
});

Deno.test("a looping expression is cut off by the time limit and reported, not thrown", async () => {
  const spin = declarativeEnv(await loadEnv("testdata/good/spin.yaml"));
  const { observation } = await spin.step(spin.initialState, {
    id: "c",
    name: "spin",
    arguments: {},
  });
  const e = err(observation);
  assert.equal(e.kind, "tool_crash");
  assert.match(e.message, /spin failed inside the environment/);
});
