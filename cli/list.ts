import { loadSuite } from "../spec/mod.ts";
import { agentKind, planRun } from "../runners/mod.ts";
import { episodeSplit, SPLITS } from "../tasks/mod.ts";
import { operators, variantsFor } from "../variants/mod.ts";
import { variantNames } from "../run/mod.ts";
import { command } from "./command.ts";

/** `tooltrial list`: what a suite holds and how many episodes a bench run makes. */
export const list = command({
  name: "list",
  summary: "show a suite's environments, tools, tasks, variants, agents and protocols",
  usage: "list [suite.yaml]",
  flags: {},
  help: `Usage: tooltrial list [suite.yaml]

Shows the suite's environments with their tools and task counts per split, its variants, what it
holds out of training, its agents and protocols, and how many episodes a bench run makes.

Variant operators: ${Object.values(operators).map((o) => o.name).join(", ")}.

Options:
  -h, --help           show this help`,
  async run({ positionals }) {
    const suite = await loadSuite(positionals[0] ?? "suite.yaml");
    const lines = [`suite ${suite.name}${suite.description ? ` — ${suite.description}` : ""}`, ""];
    for (const e of suite.envs) {
      const counts = new Map<string, number>();
      for (const t of e.tasks) {
        const s = episodeSplit(suite, e, t);
        counts.set(s, (counts.get(s) ?? 0) + 1);
      }
      lines.push(
        `env ${e.name} (${e.file}): ${e.tasks.length} tasks (${
          SPLITS.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s}`).join(", ")
        })`,
      );
      lines.push(`  tools: ${e.tools.map((t) => t.name).join(", ")}`);
      lines.push(
        `  state: ${
          Object.entries(e.state).map(([k, rows]) => `${k} (${rows.length})`).join(", ")
        }`,
      );
    }
    lines.push("", "variants:");
    for (const name of variantNames(suite)) {
      const v = suite.variants.find((x) => x.name === name) ??
        suite.envs.flatMap((e) => e.variants).find((x) => x.name === name);
      const ops = v ? v.ops.map((o) => o.op).join(" → ") : "";
      const only = suite.envs.filter((e) => variantsFor(suite, e).some((x) => x.name === name));
      lines.push(
        `  ${name}: ${ops || "no operators (baseline)"}${
          only.length < suite.envs.length ? ` (only ${only.map((e) => e.name).join(", ")})` : ""
        }`,
      );
    }
    if (suite.heldout.envs.length + suite.heldout.tools.length > 0) {
      lines.push(
        `held out of training: envs [${suite.heldout.envs.join(", ")}], tools [${
          suite.heldout.tools.join(", ")
        }]`,
      );
    }
    lines.push(
      "",
      `agents: ${
        suite.agents.map((a) =>
          `${a.name} (${agentKind(a).describe(a)}${
            a.only ? `, only ${JSON.stringify(a.only)}` : ""
          })`
        ).join(", ")
      }`,
    );
    const u = suite.user;
    if (u) {
      lines.push(
        `user: played by ${u.ref ?? `${agentKind(u.agent).describe(u.agent)}`}${
          u.maxTurns !== undefined ? `, at most ${u.maxTurns} replies` : ""
        }`,
      );
    }
    const judged = suite.envs.flatMap((e) => e.tasks).filter((t) => t.check.judge).length;
    if (suite.judge || judged > 0) {
      lines.push(
        `judge: ${
          suite.judge ? agentKind(suite.judge).describe(suite.judge) : "none (not scored)"
        } · tasks with judge: checks: ${judged}`,
      );
    }
    lines.push(
      `protocols: ${
        suite.protocols.map((p) =>
          p.kind === "trial" ? `${p.name} (trial, budget ${p.trialBudget})` : `${p.name} (direct)`
        ).join(", ")
      }`,
    );
    lines.push(
      `seeds: ${suite.seeds.join(", ")} · samples: ${suite.samples} · episodes per bench run: ${
        planRun(suite).length
      }`,
    );
    console.log(lines.join("\n"));
    return 0;
  },
});
