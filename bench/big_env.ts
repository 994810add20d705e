/**
 * Writes a large environment for timing `validate`: `deno run -A bench/big_env.ts TOOLS TASKS DIR`
 * writes DIR/env.yaml with TOOLS declarative tools and TASKS tasks (one gold call and an answer
 * check each), all distinct, all valid; the tools share one result expression, or with a fourth
 * argument `distinct` each has its own (nothing compiled is shared). Then, e.g.:
 *
 *   /usr/bin/time -v deno run -A cli.ts validate DIR/env.yaml          # replays every task
 *   /usr/bin/time -v deno run -A cli.ts validate DIR/env.yaml --fast   # schema and references
 */
import { join } from "node:path";

export function bigEnv(tools: number, tasks: number, opts: { distinct?: boolean } = {}): string {
  const out = [
    "tooltrial: 1",
    "env: big",
    "description: Many tools, many tasks.",
    "state:",
    "  items: [ {id: p1, name: rice, qty: 100000} ]",
    "tools:",
  ];
  for (let i = 0; i < tools; i++) {
    out.push(
      `  - name: tool_${i}`,
      `    description: Tool number ${i} finds items by a word of their name.`,
      "    parameters:",
      "      type: object",
      "      properties: { word: { type: string }, n: { type: integer } }",
      "      required: [word]",
      opts.distinct
        ? `    result: "[state.items[$contains(name, $args.word) and qty > ${i}]]"`
        : '    result: "[state.items[$contains(name, $args.word)]]"',
    );
  }
  out.push("tasks:");
  for (let j = 0; j < tasks; j++) {
    out.push(
      `  - id: t${j}`,
      `    query: Find rice with tool ${j % tools} for order ${j}.`,
      "    split: seen",
      `    gold: [ { tool: tool_${j % tools}, args: { word: rice } } ]`,
      "    answer: rice",
      "    check: { answer: { contains: rice } }",
    );
  }
  return out.join("\n") + "\n";
}

if (import.meta.main) {
  const [tools, tasks, dir, how] = Deno.args;
  if (!tools || !tasks || !dir || (how !== undefined && how !== "distinct")) {
    console.error("usage: deno run -A bench/big_env.ts TOOLS TASKS DIR [distinct]");
    Deno.exit(2);
  }
  await Deno.mkdir(dir, { recursive: true });
  const file = join(dir, "env.yaml");
  await Deno.writeTextFile(
    file,
    bigEnv(Number(tools), Number(tasks), { distinct: how === "distinct" }),
  );
  console.log(`wrote ${file}`);
}
