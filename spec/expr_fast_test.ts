import assert from "node:assert/strict";
import fc from "fast-check";
import jsonata from "jsonata";
import { compileFast, Fallback } from "./expr_fast.ts";
import { loadEnv } from "./load_env.ts";

/** The clock both paths read, as compileExpr sets it. */
const NOW = Date.UTC(2026, 0, 15, 9, 0, 0);

/** jsonata's answer, or the error code it raised. */
async function slow(src: string, input: unknown, vars: Record<string, unknown>) {
  try {
    const e = jsonata(src);
    e.assign("now", () => new Date(NOW).toISOString());
    e.assign("millis", () => NOW);
    return { value: await e.evaluate(input, vars) };
  } catch (err) {
    return { error: (err as { code?: string }).code ?? String(err) };
  }
}

/** The fast path's answer; a Fallback means "ask jsonata", so it agrees by construction. */
function fast(src: string, input: unknown, vars: Record<string, unknown>) {
  const f = compileFast(jsonata(src).ast(), { now: NOW });
  if (!f) return null;
  try {
    return { value: f(input, vars) };
  } catch (err) {
    if (err instanceof Fallback) return null;
    return { error: String(err) };
  }
}

async function agree(src: string, input: unknown, vars: Record<string, unknown>) {
  const f = fast(src, input, vars);
  if (f === null) return false;
  const s = await slow(src, input, vars);
  assert.deepEqual(
    JSON.parse(JSON.stringify(f)),
    JSON.parse(JSON.stringify(s)),
    `${src}\nvars ${JSON.stringify(vars)}`,
  );
  return true;
}

const ENVS = [...Deno.readDirSync("envs")].filter((e) => e.isDirectory).map((e) =>
  `envs/${e.name}`
);

Deno.test("fast expressions: every built-in tool expression agrees with jsonata on gold and odd arguments", async () => {
  let compiled = 0, total = 0, checked = 0;
  for (const dir of ENVS) {
    const env = await loadEnv(dir);
    const input = { state: env.state };
    for (const tool of env.tools) {
      const exprs = [
        ...tool.errors.map((e) => e.when.source),
        ...tool.effect.map(([, e]) => e.source),
        ...(tool.result ? [tool.result.source] : []),
      ];
      const golds = env.tasks.flatMap((t) =>
        t.gold.filter((g) => g.tool === tool.name).map((g) => g.args)
      );
      const argSets: Record<string, unknown>[] = [...golds, {}];
      // Odd arguments: every gold key given a value of another type.
      for (const g of golds.slice(0, 3)) {
        for (const odd of [null, 0, -1.5, "", "ZZ", true, [], [1, 2], { a: 1 }]) {
          argSets.push(Object.fromEntries(Object.keys(g).map((k) => [k, odd])));
        }
      }
      for (const src of exprs) {
        total++;
        if (compileFast(jsonata(src).ast())) compiled++;
        for (const args of argSets) if (await agree(src, input, { args })) checked++;
      }
    }
  }
  // The point is speed: nearly every tool expression the built-in environments hold compiles.
  assert.ok(compiled / total > 0.95, `${compiled} of ${total} compiled`);
  assert.ok(checked > 500, `${checked} fast evaluations compared`);
});

const scalar = fc.oneof(
  fc.constantFrom("a", "b", "A", " a ", "", "x y"),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(null, true, false, 1.5),
);
const row = fc.record({
  id: scalar,
  qty: scalar,
  tags: fc.array(scalar, { maxLength: 3 }),
  sub: fc.option(fc.record({ id: scalar })),
}, { requiredKeys: ["id"] });
const data = fc.record({ items: fc.array(row, { maxLength: 5 }), one: row, n: scalar });
const EXPRS = [
  "state.items[id = $args.id]",
  "state.items[id = $args.id].qty",
  "state.items.id",
  "state.items.tags",
  "state.items[qty > 1 and id != 'a'].id",
  "state.items[$contains($lowercase(id), 'a')]",
  "$not($args.id in state.items.id)",
  "$args.id in state.items.tags",
  "$count(state.items[qty >= 0])",
  "$exists(state.items[id = $args.id].sub)",
  "[state.items[qty < 2]]",
  "[state.items.sub.id]",
  "{'ok': true, 'n': $count(state.items), 'first': state.items[id = $args.id].qty}",
  "state.one.tags",
  "state.one.sub.id = $args.id",
  "state.n + $args.qty",
  "-state.n",
  "state.items[id = $args.id] ? 'yes' : 'no'",
  "$trim($args.id) = ''",
  "$uppercase(state.one.id)",
  "state.items[tags = $args.id]",
  "$.state.one.id",
  "state.items[sub]",
  "$args.id = state.one",
  "[state.items.(id = $args.id ? $merge([$, {'qty': $args.qty, 'seen': true}]) : $)]",
  "state.items.(id = $args.id ? $merge([$, {'tags': $append(tags, $args.qty)}]) : $)",
  "$append(state.items, {'id': $args.id, 'qty': $args.qty})",
  "$append(state.items.id, $args.id)",
  "$append($args.id, $args.qty)",
  "$append(state.one.tags, state.items.tags)",
  "$merge([state.one, {'n': state.n}])",
  "$merge(state.items)",
  "$merge(state.one.sub)",
  "$merge(state.items[id = $args.id])",
  "state.items.(id)",
  "state.items.(tags)",
  "state.items.($)[id = $args.id].qty",
  "state.items.(tags[$ != 'a'])",
  "state.items.(sub).id",
  "(state.n; state.one.id)",
  "(state.items.tags)",
  "state.n.x",
  "$args.id.x",
  "$args",
  "state.one.sub",
  "state.items.sub.id",
  "state.items[sub.id = $args.id].id",
  "state.items[-1]",
  "state.items[0].id",
  "state.items[1]",
  "state.items.tags[0]",
  "state.one.tags[-1]",
  "[state.items[qty > 0]][0]",
  "($x := state.items[id = $args.id]; $x.qty)",
  "($x := state.items.id; $count($x) & ':' & $string($count(state.items)))",
  "($a := 1; ($a := 2; $a) + $a)",
  "state.items.{'i': id, 'q': qty}",
  "state.items[qty > 0].{'i': id}",
  "state.items.$string(qty)",
  "$args.id & '-' & $args.qty",
  "$sum(state.items.qty)",
  "$max(state.items.qty)",
  "$min([state.items[qty >= 0].qty])",
  "$average(state.items.qty)",
  "$round(state.n * 1.005, 2)",
  "$round($args.qty / 2)",
  "$floor(state.n / 2) + $ceil(state.n / 2) + $abs(state.n)",
  "$string(state.n) & $string($args.id)",
  "$number($args.id)",
  "$substring($args.id, 1)",
  "$substring(state.one.id, -2, 1)",
  "$substringAfter($args.id, ' ')",
  "$substringBefore($args.id, 'a')",
  "$split($args.id, ' ')",
  "$split($args.id, /\\s+/)[$ != '']",
  "$join(state.items.id, ',')",
  "$length($args.id)",
  "$type(state.one.sub)",
  "$type($args.qty)",
  "$distinct(state.items.qty)",
  "$distinct(state.items.tags)",
  "$boolean(state.items.tags)",
  "$contains($args.id, /a/)",
  "$map(state.items, function($r) { $r.qty })",
  "$map(state.items.id, function($v, $i) { $i })",
  "$filter(state.items, function($r) { $r.qty > 0 })",
  "$count($filter(state.items.tags, function($t) { $t = $args.id }))",
  "($f := function($r) { $r.id = $args.id }; state.items[$f($)])",
  "($g := function($x) { $x ? 'y' : 'n' }; $g(state.one.sub))",
  "$toMillis('2026-01-02') - $millis()",
  "$substring($now(), 0, 10)",
  "$args.id in $map(state.items.id, $lowercase)",
  "state.items^(qty).id",
  "state.items^(>qty, id)[0]",
  "[state.items[qty > 0]^(>id)]",
  "$sort(state.items.qty)",
  "$sort(state.items, function($a, $b) { $a.qty > $b.qty }).id",
  "$replace($args.id, 'a', '-')",
  "$lookup({'a': 1, 'b': 2}, $args.id)",
  "$x := $args.id",
  "$count(state.items[$.qty > 0 and $$.state.n != null])",
  "state.items.constructor",
  "($z := state.items^($y := qty).id; $y)",
  "(state.items^($w := id).id; $w)",
];

Deno.test("fast expressions: agree with jsonata on random data (property)", async () => {
  const answered = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(
      data,
      fc.record({ id: scalar, qty: scalar }),
      fc.constantFrom(...EXPRS),
      async (state, args, src) => {
        if (await agree(src, { state }, { args })) answered.set(src, (answered.get(src) ?? 0) + 1);
      },
    ),
    { seed: 11, numRuns: 3000 },
  );
  for (const src of EXPRS) {
    assert.ok(compileFast(jsonata(src).ast()), `${src} is in the subset`);
    // Not a vacuous pass: the fast path itself answered (no fallback) for some of the data.
    assert.ok((answered.get(src) ?? 0) > 0, `${src} was answered by the fast path`);
  }
});

Deno.test("fast expressions: shapes outside the subset are left to jsonata", () => {
  for (
    const src of [
      "state.items[id = 'a'][]",
      "$fromMillis(0, '[Y0001]')",
      "state.items{id: qty}",
      "state.items.*",
      "state.items.%.x",
      "$string()",
      "$substring(?, 1)",
      "function($x)<n:n>{ $x }(1)",
      "state ~> $count()",
      "state.items@$i",
      "state.items#$i",
      "$eval('1 + 1')",
    ]
  ) assert.equal(compileFast(jsonata(src).ast()), null, src);
});

Deno.test("fast expressions: bindings, indexes, &, computed keys and the lookup functions agree with jsonata", async () => {
  const input = {
    state: {
      items: [
        { id: "a", qty: 2, tags: { x: 1, y: 2 }, on: { "2024-05-01": { seats: 3 } } },
        { id: "b", qty: 5, tags: { z: 3 }, on: {} },
        { id: "c", qty: 0, tags: {}, on: { "2024-05-01": { seats: 0 } } },
      ],
    },
  };
  const srcs = [
    "state.items[0]",
    "state.items[-1].id",
    "state.items[qty > 1][1]",
    "state.items[9]",
    "($x := 1; $x)",
    "($x := state.items[id = $args.id]; $y := $x.qty * 2; $y + 1)",
    "($x := 1; ($x := 2; $x) + $x)",
    "($ids := state.items.id; $ids[-1])",
    "state.items.( $i := $; $i.id & '-' & $string($i.qty) )",
    "$sum(state.items.qty)",
    "$sum([])",
    "$max(state.items.qty)",
    "$max([0, state.items[id = 'c'].qty - 3])",
    "'a' & 'b' & 1 & true",
    "'x' & $args.missing",
    "$lookup(state.items[id = $args.id].tags, 'x')",
    "$lookup(state.items[id = $args.id].on, '2024-05-01').seats",
    "$keys(state.items[id = $args.id].tags)",
    "($k := $keys(state.items[0].tags); $k[-1])",
    "$merge($append([{}], state.items.( $i := $; { $i.id: $i.qty } )))",
    "{ $args.id: 1, 'other': 2 }",
    "$substring('2024-05-07', -2)",
    "$substring('abc', 1)",
    "$string(state.items[0].qty)",
    "[state.items.( $i := $; $i.qty > 1 ? $merge([$i, {'big': true}]) : $i )]",
  ];
  const fellBack: string[] = [];
  for (const id of ["a", "b", "c", "nope"]) {
    for (const src of srcs) {
      assert.ok(compileFast(jsonata(src).ast()), `in the subset: ${src}`);
      if (!await agree(src, input, { args: { id } })) fellBack.push(`${src} (${id})`);
    }
  }
  // None of them needs jsonata on this data: each ran on the fast path and agreed.
  assert.deepEqual(fellBack, [], fellBack.join("\n"));
});
