/**
 * Prints the README's table of built-in environments from the suites themselves:
 * `deno run --allow-read --allow-env scripts/env_table.ts` (counts per env: tools, tasks, seen /
 * unseen tasks, tasks in the default suite's sample, and what the suites hold out).
 */
import { loadSuite } from "../spec/mod.ts";
import { toolPattern } from "../spec/load_suite.ts";
import type { SuiteSpec } from "../spec/types.ts";

/** The Markdown table for a full suite and its fast sample. */
export function envTable(full: SuiteSpec, fast: SuiteSpec): string {
  const rows = [
    "| environment | tools | tasks | seen | unseen | in `suite.yaml` | held out |",
    "| :-- | --: | --: | --: | --: | --: | :-- |",
  ];
  const total = { tools: 0, tasks: 0, seen: 0, unseen: 0, fast: 0 };
  for (const env of full.envs) {
    const seen = env.tasks.filter((t) => t.split === "seen").length;
    const sample = fast.envs.find((e) => e.name === env.name)?.tasks.length ?? 0;
    const tools = env.tools.map((t) => t.name).filter((t) =>
      full.heldout.tools.some((p) => toolPattern(p).test(`${env.name}/${t}`))
    );
    const held = full.heldout.envs.includes(env.name)
      ? "whole env"
      : tools.length
      ? tools.map((t) => `\`${t}\``).join(", ")
      : "—";
    rows.push(
      `| ${env.name} | ${env.tools.length} | ${env.tasks.length} | ${seen} | ${
        env.tasks.length - seen
      } | ${sample} | ${held} |`,
    );
    total.tools += env.tools.length, total.tasks += env.tasks.length, total.seen += seen;
    total.unseen += env.tasks.length - seen, total.fast += sample;
  }
  rows.push(
    `| **all ${full.envs.length}** | **${total.tools}** | **${total.tasks}** | **${total.seen}** | **${total.unseen}** | **${total.fast}** | |`,
  );
  return rows.join("\n");
}

if (import.meta.main) {
  console.log(envTable(await loadSuite("suites/full.yaml"), await loadSuite("suite.yaml")));
}
