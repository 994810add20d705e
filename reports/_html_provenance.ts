/**
 * The HTML report's provenance table.
 * @module
 */
import { backendLines } from "./backend_text.ts";
import { escapeHtml as esc } from "./escape.ts";
import { code, table } from "./_html_parts.ts";
import type { Report } from "./types.ts";
import { recordedKind } from "../runners/mod.ts";

/** What ran, where, from which files: versions, machine, command, hashes, seeds. */
export function provenanceSection(report: Report): string {
  const p = report.provenance;
  const sel = (v: string[] | null) => v === null ? "all" : v.map(esc).join(", ");
  const sha = (s: string) => `<code title="${esc(s)}">${esc(s.slice(0, 12))}</code>`;
  const agentLine = (a: Report["provenance"]["agents"][number]) => {
    const line = recordedKind(a).recorded(a, a.name);
    return `${esc(line.text)}${line.sha256 === undefined ? "" : `, sha256 ${sha(line.sha256)}`}`;
  };
  const entries: [string, string][] = [
    [
      "tooltrial",
      `${esc(p.tooltrial_version)}, git ${
        p.git_commit
          ? `<code title="${esc(p.git_commit)}">${esc(p.git_commit.slice(0, 12))}</code>`
          : "unknown"
      }${p.git_dirty ? " (uncommitted changes)" : ""}`,
    ],
    [
      "runtime",
      `Deno ${esc(p.deno)}, V8 ${esc(p.v8)}, TypeScript ${esc(p.typescript)}${
        p.onnxruntime ? `, onnxruntime ${esc(p.onnxruntime)}` : ""
      }`,
    ],
    [
      "machine",
      `${esc(p.os)}/${esc(p.arch)}, ${esc(p.machine.cpus)} CPUs, ${esc(p.machine.memory_gb)} GB`,
    ],
    ["command", code(["tooltrial", ...p.command].join(" "))],
    ["suite", `${esc(p.suite.name)} · ${code(p.suite.file)} · sha256 ${sha(p.suite.sha256)}`],
    [
      "agents",
      p.agents.map((a) =>
        `${esc(a.name)} <span class="muted">(${agentLine(a)}${
          Object.keys(a.options).length ? ` ${esc(JSON.stringify(a.options))}` : ""
        }${a.only ? `, only ${esc(JSON.stringify(a.only))}` : ""})</span>`
      ).join(", "),
    ],
    ...(p.user
      ? [[
        "user",
        `played by ${p.user.ref ? esc(p.user.ref) : agentLine(p.user)}${
          p.user.max_turns !== undefined ? `, at most ${esc(p.user.max_turns)} replies` : ""
        }`,
      ] as [string, string]]
      : []),
    ...(p.judge
      ? [[
        "judge",
        `${agentLine(p.judge)} <span class="muted">(grades judge: checks)</span>`,
      ] as [string, string]]
      : []),
    [
      "protocols",
      p.protocols.map((x) =>
        `${esc(x.name)} <span class="muted">(${esc(x.kind)}${
          x.kind === "trial" ? `, trial budget ${esc(x.trial_budget)}` : ""
        }, max turns ${esc(x.max_turns)})</span>`
      ).join(", "),
    ],
    [
      "selection",
      `agents ${sel(p.selection.agents)}; protocols ${sel(p.selection.protocols)}; variants ${
        sel(p.selection.variants)
      }; splits ${sel(p.selection.splits)}`,
    ],
    [
      "sampling",
      `seeds: ${esc(p.seeds.join(", "))}; samples: ${esc(p.samples)}; concurrency: ${
        esc(p.concurrency)
      }${p.workers && p.workers > 1 ? `; workers: ${esc(p.workers)}` : ""}${
        p.shards ? `; shards: ${esc(p.shards.join(", "))}` : ""
      }`,
    ],
    ["times", `started ${esc(p.started_at)}, finished ${esc(p.finished_at)}`],
  ];
  const backends = backendLines(p.backends);
  if (backends.length > 0) entries.push(["tool backends", backends.map(esc).join("<br>")]);
  const providers = Object.entries(p.execution_providers);
  if (providers.length > 0) {
    entries.push([
      "execution providers",
      providers.map(([a, e]) => `${esc(a)}: ${esc(e)}`).join(", "),
    ]);
  }
  const specs = table(
    ["spec or data file", "sha256"],
    p.specs.map((s) => [code(s.path), sha(s.sha256)]),
  );
  return `<section id="provenance"><h2>Provenance</h2><table class="kv"><tbody>${
    entries.map(([k, v]) => `<tr><th scope="row">${k}</th><td>${v}</td></tr>`).join("")
  }</tbody></table><details><summary>${p.specs.length} spec and data files</summary>${specs}</details></section>`;
}
