/**
 * Writes a large environment for timing `validate`: `deno run -A bench/big_env.ts TOOLS TASKS DIR`
 * writes DIR/env.yaml with TOOLS declarative tools and TASKS tasks (one gold call and an answer
 * check each), all distinct, all valid. Then, e.g.:
 *
 *   /usr/bin/time -v deno run -A cli.ts validate DIR/env.yaml          # replays every task
 *   /usr/bin/time -v deno run -A cli.ts validate DIR/env.yaml --fast   # schema and references
 */
import { join } from "node:path";

export function bigEnv(tools: number, tasks: number): string {
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
      '    result: "[state.items[$contains(name, $args.word)]]"',
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
  const [tools, tasks, dir] = Deno.args;
  if (!tools || !tasks || !dir) {
    console.error("usage: deno run -A bench/big_env.ts TOOLS TASKS DIR");
    Deno.exit(2);
  }
  await Deno.mkdir(dir, { recursive: true });
  const file = join(dir, "env.yaml");
  await Deno.writeTextFile(file, bigEnv(Number(tools), Number(tasks)));
  console.log(`wrote ${file}`);
}
