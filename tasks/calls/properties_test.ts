import assert from "node:assert/strict";
import fc from "fast-check";
import type { Call, JsonSchema, PossibleCall } from "../../spec/types.ts";
import { checkBfcl } from "./bfcl.ts";
import { goldFromAnswers } from "./check_calls.ts";
import { checkStrict } from "./strict.ts";
import type { CallsInput } from "./types.ts";

type Kind = "string" | "integer" | "number" | "boolean" | "array" | "object";

const text = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,5}( [A-Za-z0-9]{1,5}){0,2}$/);
const int = fc.integer({ min: -1000, max: 1000 });
const num = fc.oneof(
  int,
  fc.double({ min: -1000, max: 1000, noNaN: true }).filter((x) => !Object.is(x, -0)),
);

/** Accepted values of one kind (the first is what a gold call uses). */
function valuesOf(kind: Kind): fc.Arbitrary<unknown[]> {
  const one: fc.Arbitrary<unknown> = {
    string: text,
    integer: int,
    number: num,
    boolean: fc.boolean(),
    array: fc.array(int, { maxLength: 4 }),
    object: fc.record({
      city: fc.array(text, { minLength: 1, maxLength: 2 }),
      zip: fc.array(int, { minLength: 1, maxLength: 2 }),
    }),
  }[kind];
  return fc.array(one, { minLength: 1, maxLength: 3 });
}

const schemaOf = (kind: Kind): JsonSchema =>
  kind === "array"
    ? { type: "array", items: { type: "integer" } }
    : kind === "object"
    ? { type: "object", properties: { city: { type: "string" }, zip: { type: "integer" } } }
    : { type: kind };

interface Param {
  name: string;
  kind: Kind;
  required: boolean;
  accepted: unknown[];
}

const param = (name: string): fc.Arbitrary<Param> =>
  fc.record({
    kind: fc.constantFrom<Kind>("string", "integer", "number", "boolean", "array", "object"),
    required: fc.boolean(),
    omit: fc.boolean(),
  }).chain(({ kind, required, omit }) =>
    valuesOf(kind).map((vs) => ({
      name,
      kind,
      required,
      // An optional parameter may list "" (may be omitted), first or last.
      accepted: required || !omit ? vs : vs.length % 2 ? ["", ...vs] : [...vs, ""],
    }))
  );

/** A function (name + parameters) and a list of possible answers for calls to it. */
const task = fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 4 })
  .chain((names) => fc.tuple(...names.map(param)))
  .chain((params) =>
    fc.array(fc.tuple(...params.map((p) => valuesOf(p.kind))), { minLength: 1, maxLength: 4 })
      .map((rows) => {
        const schema: JsonSchema = {
          type: "object",
          properties: Object.fromEntries(params.map((p) => [p.name, schemaOf(p.kind)])),
          required: params.filter((p) => p.required).map((p) => p.name),
        };
        // The first answer uses the drawn values; later ones draw their own per parameter.
        const answers: PossibleCall[] = rows.map((vals, i) => ({
          "lib.fn": Object.fromEntries(
            params.map((
              p,
              j,
            ) => [
              p.name,
              i === 0 ? p.accepted : [...vals[j], ...(p.accepted.includes("") ? [""] : [])],
            ]),
          ),
        }));
        return { params, schema, answers };
      })
  );

const input = (
  t: { schema: JsonSchema; answers: PossibleCall[] },
  calls: Call[],
): CallsInput => ({ calls, answers: t.answers, functions: { "lib.fn": t.schema } });

const RUNS = { seed: 11, numRuns: 300 };

Deno.test("property: calls derived from the first possible answers are valid in both modes", () => {
  fc.assert(
    fc.property(task, (t) => {
      const gold = goldFromAnswers(t.answers);
      const s = checkStrict(input(t, gold));
      assert.ok(s.valid, JSON.stringify(s));
      const b = checkBfcl(input(t, gold));
      assert.ok(b.valid, JSON.stringify(b));
    }),
    RUNS,
  );
});

/** A gold call list, perhaps damaged in one call, and a permutation of it. */
const candidate = task.chain((t) => {
  const gold = goldFromAnswers(t.answers);
  return fc.record({
    t: fc.constant(t),
    calls: fc.constant(gold),
    damage: fc.option(fc.record({
      at: fc.nat(gold.length - 1),
      how: fc.constantFrom("drop_param", "add_param", "rename", "change_value"),
    })),
    order: fc.shuffledSubarray(gold.map((_, i) => i), {
      minLength: gold.length,
      maxLength: gold.length,
    }),
  });
});

function damaged(calls: Call[], damage: { at: number; how: string } | null): Call[] {
  if (!damage) return calls;
  return calls.map((c, i) => {
    if (i !== damage.at) return c;
    const args = { ...c.args };
    const keys = Object.keys(args);
    if (damage.how === "drop_param" && keys.length) delete args[keys[0]];
    if (damage.how === "add_param") args.zz_unknown = 1;
    if (damage.how === "change_value" && keys.length) args[keys[0]] = "-999 changed";
    return { tool: damage.how === "rename" ? "lib.other" : c.tool, args };
  });
}

Deno.test("property: permuting the calls never changes a strict verdict", () => {
  fc.assert(
    fc.property(candidate, ({ t, calls, damage, order }) => {
      const cs = damaged(calls, damage);
      const a = checkStrict(input(t, cs));
      const b = checkStrict(input(t, order.map((i) => cs[i])));
      assert.equal(a.valid, b.valid);
    }),
    RUNS,
  );
});

Deno.test("property: an unknown parameter, a renamed function or a missing call fails both modes", () => {
  fc.assert(
    fc.property(candidate, ({ t, calls, damage }) => {
      const how = damage?.how ?? "add_param";
      if (how === "add_param" || how === "rename") {
        const cs = damaged(calls, { at: damage?.at ?? 0, how });
        assert.ok(!checkStrict(input(t, cs)).valid);
        assert.ok(!checkBfcl(input(t, cs)).valid);
      }
      const fewer = calls.slice(1);
      assert.ok(!checkStrict(input(t, fewer)).valid);
      assert.ok(!checkBfcl(input(t, fewer)).valid);
    }),
    RUNS,
  );
});

Deno.test("property: dropping a required parameter fails both modes", () => {
  fc.assert(
    fc.property(task, (t) => {
      const gold = goldFromAnswers(t.answers);
      for (const p of t.params.filter((p) => p.required)) {
        const cs = gold.map((c, i) => {
          if (i > 0) return c;
          const args = { ...c.args };
          delete args[p.name];
          return { tool: c.tool, args };
        });
        assert.ok(!checkStrict(input(t, cs)).valid);
        assert.ok(!checkBfcl(input(t, cs)).valid);
      }
    }),
    RUNS,
  );
});

const words = fc.array(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 4 });
const fn1 = { "f": { type: "object", properties: { s: { type: "string" } } } };

Deno.test("property: strict ignores case and separators between words", () => {
  fc.assert(
    fc.property(
      words,
      fc.array(fc.constantFrom(" ", "_", "-", ", ", "/", "."), { minLength: 3, maxLength: 3 }),
      fc.boolean(),
      (ws, seps, upper) => {
        const given = ws.map((w, i) =>
          (upper ? w.toUpperCase() : w) + (i < ws.length - 1 ? seps[i % 3] : "")
        ).join("");
        const v = checkStrict({
          calls: [{ tool: "f", args: { s: given } }],
          answers: [{ f: { s: [ws.join(" ")] } }],
          functions: fn1,
        });
        assert.ok(v.valid, `${given} vs ${ws.join(" ")}`);
      },
    ),
    RUNS,
  );
});

Deno.test("property: a minus sign or a decimal point changes the value in strict mode, not in bfcl mode", () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[1-9][0-9]{1,5}$/), fc.boolean(), (digits, sign) => {
      const given = sign ? `-${digits}` : `${digits[0]}.${digits.slice(1)}`;
      const x = {
        calls: [{ tool: "f", args: { s: given } }],
        answers: [{ f: { s: [digits] } }],
        functions: fn1,
      };
      assert.ok(!checkStrict(x).valid);
      assert.ok(checkBfcl(x).valid);
    }),
    RUNS,
  );
});
