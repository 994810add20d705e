import assert from "node:assert/strict";
import fc from "fast-check";
import { Ajv2020 } from "ajv/dist/2020.js";
import { loadEnv } from "../spec/mod.ts";
import type { Call, EnvSpec, OperatorSpec, State } from "../spec/types.ts";
import { declarativeEnv } from "../tools/mod.ts";
import type { Env } from "../tools/types.ts";
import { applyVariant } from "./apply.ts";
import { operators } from "./ops/mod.ts";
import type { VariantEnv } from "./types.ts";

const specs: EnvSpec[] = await Promise.all(
  ["envs/library", "envs/calendar", "envs/shop"].map((p) => loadEnv(p)),
);
const bases: Env[] = specs.map(declarativeEnv);
const [library] = bases;

const vary = (ops: OperatorSpec[], seed = 0, base: Env = library): VariantEnv =>
  applyVariant(base, { name: "v", ops }, { seed, pool: bases });
const op = (name: string, options: Record<string, unknown> = {}): OperatorSpec => ({
  op: name,
  options,
});

/** Every operator with options that make it change something on every environment: the registry's. */
const EVERY: OperatorSpec[] = Object.values(operators).flatMap((o) =>
  o.examples.map((options) => op(o.name, options))
);
/** Operators whose randomness shows in the tool list (faults and output_format do not draw there). */
const RANDOMIZED = EVERY.filter((o) => !["output_format", "faults"].includes(o.op));

const interfaceOf = (env: VariantEnv) => JSON.stringify(env.tools);

Deno.test("variants: the same seed gives the same interface; different seeds differ", () => {
  for (const o of RANDOMIZED) {
    assert.equal(interfaceOf(vary([o], 3)), interfaceOf(vary([o], 3)), o.op);
    const distinct = new Set([0, 1, 2, 3, 4, 5, 6, 7].map((s) => interfaceOf(vary([o], s))));
    assert.ok(distinct.size >= 4, `${o.op} ${JSON.stringify(o.options)}: ${distinct.size} of 8`);
  }
});

Deno.test("variants: renames are bijective and never collide (property)", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 ** 31 }),
      fc.constantFrom("slight", "medium", "heavy"),
      fc.constantFrom(0, 1, 2),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (seed, level, which, rate) => {
        const base = bases[which];
        const env = vary(
          [
            op("rename_tools", { level, rate }),
            op("rename_params", { level, rate }),
          ],
          seed,
          base,
        );
        const names = env.tools.map((t) => t.name);
        assert.equal(new Set(names).size, names.length, "visible tool names are unique");
        const canonical = new Set(base.tools.map((t) => t.name));
        for (const v of env.views) {
          // A name is either its own tool's, or (heavy shuffle) another tool's: never a stranger's.
          assert.ok(
            v.name === v.canonical || !canonical.has(v.name) || level === "heavy",
            `${v.name} collides`,
          );
          assert.match(v.name, /^[A-Za-z][A-Za-z0-9_]*$/);
          const params = Object.keys(
            (env.tools.find((t) => t.name === v.name)!.parameters.properties ?? {}) as object,
          );
          assert.equal(new Set(params).size, params.length, "parameter names are unique");
        }
        for (const t of base.tools) {
          const props = Object.keys((t.parameters.properties ?? {}) as object);
          const call: Call = { tool: t.name, args: Object.fromEntries(props.map((p) => [p, p])) };
          assert.deepEqual(env.toCanonical(env.toVisible(call)), call);
        }
      },
    ),
    { numRuns: 60, seed: 11 },
  );
});

Deno.test("variants: every operator keeps parameter schemas valid JSON Schema (property)", () => {
  const ajv = new Ajv2020({ strict: false });
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 ** 31 }),
      fc.array(fc.constantFrom(...EVERY), { minLength: 1, maxLength: 4 }),
      fc.constantFrom(0, 1, 2),
      (seed, ops, which) => {
        const env = vary(ops, seed, bases[which]);
        for (const t of env.tools) {
          assert.ok(ajv.validateSchema(t.parameters), `${t.name}: ${ajv.errorsText()}`);
          ajv.compile(t.parameters);
          const props = (t.parameters.properties ?? {}) as object;
          for (const r of (t.parameters.required ?? []) as string[]) assert.ok(r in props, r);
        }
      },
    ),
    { numRuns: 40, seed: 5 },
  );
});

/** Run a task's gold calls as the oracle would, retrying transient faults; return the end state. */
async function replay(env: Env & { toVisible?: (c: Call) => Call }, gold: Call[]) {
  let state: State = env.initialState;
  let n = 0;
  for (const g of gold) {
    const c = env.toVisible ? env.toVisible(g) : g;
    for (let attempt = 0;; attempt++) {
      const r = await env.step(state, { id: `c${n++}`, name: c.tool, arguments: c.args });
      state = r.state;
      if (!r.observation.ok && r.observation.error.kind === "unavailable" && attempt < 20) continue;
      assert.ok(r.observation.ok, `${c.tool}: ${JSON.stringify(r.observation)}`);
      if (r.canonical !== undefined) assert.deepEqual(r.canonical, g, "maps back to the gold call");
      break;
    }
  }
  return state;
}

Deno.test("variants: gold calls mapped through any operator reach the same canonical state", async () => {
  for (const [i, spec] of specs.entries()) {
    const clean = new Map<string, State>();
    for (const task of spec.tasks) clean.set(task.id, await replay(bases[i], task.gold));
    for (const o of EVERY) {
      const env = vary([o], 1, bases[i]);
      for (const task of spec.tasks) {
        assert.deepEqual(await replay(env, task.gold), clean.get(task.id), `${spec.name} ${o.op}`);
      }
    }
  }
});

Deno.test("variants: composition order is respected", () => {
  const renameThenDeprecate = vary([
    op("rename_tools", { style: "reverse", tools: ["get_book"] }),
    op("deprecate", { tools: ["get_book"], style: "version" }),
  ]);
  assert.equal(
    renameThenDeprecate.toVisible({ tool: "get_book", args: {} }).tool,
    "koob_teg_v2",
  );
  const deprecateThenRename = vary([
    op("deprecate", { tools: ["get_book"], style: "version" }),
    op("rename_tools", { style: "reverse", tools: ["get_book"] }),
  ]);
  // Reversed, get_book_v2 would start with a digit, so the reverse style falls back to a random name.
  const other = deprecateThenRename.toVisible({ tool: "get_book", args: {} }).tool;
  assert.notEqual(other, "koob_teg_v2");
  assert.deepEqual(deprecateThenRename.toCanonical({ tool: other, args: {} }), {
    tool: "get_book",
    args: {},
  });
});

Deno.test("rename_tools: old names are unknown; errors and docs use the new names", async () => {
  const env = vary([op("rename_tools", { style: "reverse" })]);
  const old = await env.step(env.initialState, { id: "1", name: "get_book", arguments: {} });
  assert.equal(!old.observation.ok && old.observation.error.kind, "unknown_tool");
  assert.doesNotMatch(JSON.stringify(env.tools), /\bsearch_books\b/);
  const r = await env.step(env.initialState, {
    id: "2",
    name: "koob_teg",
    arguments: { book_id: "B0000" },
  });
  assert.ok(!r.observation.ok);
  assert.match(r.observation.error.message, /skoob_hcraes/);
  assert.doesNotMatch(r.observation.error.message, /search_books/);
});

Deno.test("rename_params: a canonical parameter name does not leak through", async () => {
  const env = vary([op("rename_params", { style: "reverse", tools: ["get_book"] })]);
  const tool = env.tools.find((t) => t.name === "get_book")!;
  assert.deepEqual(Object.keys(tool.parameters.properties as object), ["di_koob"]);
  const leak = await env.step(env.initialState, {
    id: "1",
    name: "get_book",
    arguments: { book_id: "B1001" },
  });
  assert.ok(!leak.observation.ok);
  assert.equal(leak.observation.error.kind, "invalid_arguments");
  assert.match(leak.observation.error.message, /unknown parameter "book_id"/);
  const missing = await env.step(env.initialState, { id: "2", name: "get_book", arguments: {} });
  assert.ok(!missing.observation.ok);
  assert.match(missing.observation.error.message, /'di_koob'/);
  const ok = await env.step(env.initialState, {
    id: "3",
    name: "get_book",
    arguments: { di_koob: "B1001" },
  });
  assert.ok(ok.observation.ok);
  assert.deepEqual(ok.canonical, { tool: "get_book", args: { book_id: "B1001" } });
  assert.deepEqual(env.views.find((v) => v.name === "get_book")!.params, { di_koob: "book_id" });
});

Deno.test("deprecate: the old name answers with an error naming its replacement", async () => {
  const env = vary([op("deprecate", { tools: ["get_book"] })]);
  const next = env.toVisible({ tool: "get_book", args: {} }).tool;
  assert.notEqual(next, "get_book");
  assert.ok(!env.tools.some((t) => t.name === "get_book"), "hidden by default");
  const r = await env.step(env.initialState, {
    id: "1",
    name: "get_book",
    arguments: { book_id: "B1001" },
  });
  assert.ok(!r.observation.ok);
  assert.equal(r.observation.error.kind, "deprecated");
  assert.match(r.observation.error.message, new RegExp(`use ${next} instead`));
  assert.equal(r.canonical, null);
  assert.equal(env.toCanonical({ tool: "get_book", args: {} }), null);
  const listed = vary([op("deprecate", { tools: ["get_book"], listed: true })]);
  assert.match(listed.tools.find((t) => t.name === "get_book")!.description, /^DEPRECATED: use/);
});

Deno.test("version_drift: a unit change scales values and says so in a changelog line", () => {
  const shop = bases[2];
  const env = vary([op("version_drift", { tools: ["issue_refund"], change: "unit" })], 0, shop);
  const tool = env.tools.find((t) => t.name === "issue_refund")!;
  assert.match(tool.description, /Changed in v2: `amount` is now in cents \(it was in dollars\)/);
  const v = env.toVisible({ tool: "issue_refund", args: { order_id: "X", amount: 12.5 } });
  assert.equal(v.args.amount, 1250);
  assert.deepEqual(env.toCanonical(v), {
    tool: "issue_refund",
    args: { order_id: "X", amount: 12.5 },
  });
});

Deno.test("extra_required_param: calls without it are rejected like a schema violation", async () => {
  const env = vary([op("extra_required_param", { tools: ["get_book"], param: "api_version" })]);
  const r = await env.step(env.initialState, {
    id: "1",
    name: "get_book",
    arguments: { book_id: "B1001" },
  });
  assert.ok(!r.observation.ok);
  assert.equal(r.observation.error.kind, "invalid_arguments");
  assert.match(r.observation.error.message, /required property 'api_version'/);
  const wrong = await env.step(env.initialState, {
    id: "2",
    name: "get_book",
    arguments: { book_id: "B1001", api_version: "v1" },
  });
  assert.ok(!wrong.observation.ok);
  const ok = await env.step(env.initialState, {
    id: "3",
    name: "get_book",
    arguments: { book_id: "B1001", api_version: "2026-01-01" },
  });
  assert.ok(ok.observation.ok);
  assert.deepEqual(env.views.find((t) => t.name === "get_book")!.added, ["api_version"]);
});

Deno.test("extra_required_param style rotbench: a random name asking for random letters", async () => {
  const env = vary([op("extra_required_param", { tools: ["get_book"], style: "rotbench" })], 5);
  const view = env.views.find((t) => t.name === "get_book")!;
  const [name] = view.added!;
  assert.match(name, /^[A-Za-z]{1,5}$/);
  const tool = env.tools.find((t) => t.name === "get_book")!;
  const param = (tool.parameters.properties as Record<string, { description: string }>)[name];
  const value = param.description.match(
    /^Whenever you use this parameter, please set it as "([A-Za-z]{1,3})"\.$/,
  )![1];
  assert.ok((tool.parameters.required as string[]).includes(name));
  const ok = await env.step(env.initialState, {
    id: "1",
    name: "get_book",
    arguments: { book_id: "B1001", [name]: value },
  });
  assert.ok(ok.observation.ok);
  assert.deepEqual(env.toVisible({ tool: "get_book", args: { book_id: "B1001" } }).args, {
    book_id: "B1001",
    [name]: value,
  });
});

Deno.test("faults: seeded and rate-controlled; a failed call is never applied", async () => {
  const all = vary([op("faults", { rate: 1, kinds: ["rate_limit"] })]);
  const call = { id: "1", name: "get_book", arguments: { book_id: "B1001" } };
  const r = await all.step(all.initialState, call);
  assert.ok(!r.observation.ok);
  assert.equal(r.observation.error.kind, "unavailable");
  assert.deepEqual(r.observation.error.details, { fault: "rate_limit", retry_after_s: 2 });
  assert.equal(r.state, all.initialState);
  const none = vary([op("faults", { rate: 0 })]);
  assert.ok((await none.step(none.initialState, call)).observation.ok);
  const some = vary([op("faults", { rate: 0.5 })]);
  const outcomes = async () => {
    const out: boolean[] = [];
    for (let i = 0; i < 200; i++) {
      out.push((await some.step(some.initialState, { ...call, id: `c${i}` })).observation.ok);
    }
    return out;
  };
  const a = await outcomes();
  assert.deepEqual(a, await outcomes(), "same calls, same faults");
  const failed = a.filter((ok) => !ok).length;
  assert.ok(failed > 70 && failed < 130, `${failed} of 200 failed at rate 0.5`);
});

Deno.test("distractor_tools: borrowed tools work on their own data and never touch this env", async () => {
  const env = vary([op("distractor_tools", { count: 3, from: ["shop"] })]);
  const borrowed = env.views.filter((v) => v.canonical === null);
  assert.equal(borrowed.length, 3);
  const t = env.tools.find((x) => x.name === borrowed[0].name)!;
  const r = await env.step(env.initialState, { id: "1", name: t.name, arguments: {} });
  assert.equal(r.state, env.initialState);
  assert.equal(r.canonical, null);
});

Deno.test("output_format: results come back as text in the chosen format", async () => {
  const env = vary([op("output_format", { format: "csv" })]);
  const r = await env.step(env.initialState, {
    id: "1",
    name: "search_books",
    arguments: { author: "Vance" },
  });
  assert.ok(r.observation.ok);
  assert.equal(typeof r.observation.result, "string");
  assert.match(r.observation.result as string, /^book_id,title,/);
});
