/**
 * A synthetic but plausible report (4 agents × 2 protocols × 4 variants, 2 environments, 4 splits),
 * generated deterministically, for renderer tests. Numbers follow the benchmark's shape: the oracle
 * stays at 100%, the memorizer collapses under `renamed`, the explorer keeps most of its success.
 * @module
 */
import type {
  ComparisonRow,
  EpisodeSummary,
  GapRow,
  Provenance,
  Report,
  RobustnessRow,
  SummaryRow,
  Transcript,
  TranscriptLine,
  VariantSummary,
} from "../reports/types.ts";
import {
  bootstrap,
  digest,
  generator,
  interval,
  mcnemar,
  round4,
  wilson,
} from "./_report_fixture_math.ts";
import type { Change, ToolView } from "../variants/types.ts";

const AGENTS = ["oracle", "memorizer", "explorer", "random"] as const;
const PROTOCOLS = ["direct", "trial"] as const;
const VARIANTS = ["clean", "renamed", "deprecated", "noisy"] as const;
/** Calendar is held out, so all of its tasks are unseen_env. Counts are tasks per split. */
const SPLITS = [
  { split: "seen", env: "library", tasks: 14 },
  { split: "unseen_task", env: "library", tasks: 8 },
  { split: "unseen_tool", env: "library", tasks: 2 },
  { split: "unseen_env", env: "calendar", tasks: 24 },
] as const;
const SEEDS = [0, 1];

type Agent = typeof AGENTS[number];
type Protocol = typeof PROTOCOLS[number];
type Variant = typeof VARIANTS[number];
type Split = typeof SPLITS[number]["split"];

/** Success probability per agent × protocol × variant, before the split's penalty. */
const BASE: Record<Agent, Record<Protocol, Record<Variant, number>>> = {
  oracle: {
    direct: { clean: 1, renamed: 1, deprecated: 1, noisy: 1 },
    trial: { clean: 1, renamed: 1, deprecated: 1, noisy: 1 },
  },
  memorizer: {
    direct: { clean: 1, renamed: 0.06, deprecated: 0.35, noisy: 0.94 },
    trial: { clean: 1, renamed: 0.06, deprecated: 0.35, noisy: 0.94 },
  },
  explorer: {
    direct: { clean: 0.94, renamed: 0.66, deprecated: 0.88, noisy: 0.9 },
    trial: { clean: 0.98, renamed: 0.8, deprecated: 0.96, noisy: 0.94 },
  },
  random: {
    direct: { clean: 0.04, renamed: 0.02, deprecated: 0.02, noisy: 0 },
    trial: { clean: 0.04, renamed: 0.02, deprecated: 0.02, noisy: 0 },
  },
};
const SPLIT_PENALTY: Record<Split, number> = {
  seen: 0,
  unseen_task: 0.05,
  unseen_tool: 0.2,
  unseen_env: 0.09,
};

function rate(agent: Agent, protocol: Protocol, variant: Variant, split: Split): number {
  const base = BASE[agent][protocol][variant];
  // Only the explorer depends on having seen similar tasks; the others replay or guess.
  const p = agent === "explorer" ? base - SPLIT_PENALTY[split] : base;
  return Math.min(1, Math.max(0, p));
}

interface Cell {
  agent: Agent;
  protocol: Protocol;
  variant: Variant;
  split: Split;
  env: string;
  tasks: number;
  episodes: number;
  successes: number;
}

/** The finest grain: counts per agent × protocol × variant × split (each split is one env). */
const cells: Cell[] = [];
for (const agent of AGENTS) {
  for (const protocol of PROTOCOLS) {
    for (const variant of VARIANTS) {
      for (const { split, env, tasks } of SPLITS) {
        const episodes = tasks * SEEDS.length;
        const successes = Math.round(rate(agent, protocol, variant, split) * episodes);
        cells.push({ agent, protocol, variant, split, env, tasks, episodes, successes });
      }
    }
  }
}

function summary(
  group: Cell[],
  keys: Partial<Pick<SummaryRow, "agent" | "protocol" | "variant" | "env" | "split">>,
): SummaryRow {
  const episodes = group.reduce((s, c) => s + c.episodes, 0);
  const successes = group.reduce((s, c) => s + c.successes, 0);
  const tasks = group.reduce((s, c) => s + c.tasks, 0);
  const p = successes / episodes;
  const { agent, variant } = group[0];
  const explorer = agent === "explorer", random = agent === "random";
  const varied = variant !== "clean";
  return {
    ...keys,
    episodes,
    tasks,
    successes,
    success_rate: round4(p),
    ci95: bootstrap(successes, episodes, tasks),
    wilson95: wilson(successes, episodes),
    pass_at_k: { "1": round4(p) },
    pass_hat_k: { "1": round4(p) },
    mean_calls: round4(explorer ? 3.4 + (varied ? 1.1 : 0) : random ? 2.5 : 2.1),
    mean_trial_calls: round4(keys.protocol === "trial" && explorer ? 4.6 : 0),
    invalid_call_rate: round4(
      random ? 0.62 : agent === "memorizer" && variant === "renamed" ? 0.94 : explorer ? 0.08 : 0,
    ),
    mean_self_corrections: round4(explorer ? 0.7 : 0),
    self_correction_rate: round4(explorer ? 0.81 : 0),
    ast_match_rate: round4(random ? 0 : p),
    mean_tokens: null,
    mean_ms: round4(explorer ? 4.8 : 1.9),
    errors: 0,
  };
}

function groupCells(key: (c: Cell) => string): Cell[][] {
  const groups = new Map<string, Cell[]>();
  for (const c of cells) {
    const k = key(c);
    const g = groups.get(k);
    if (g) g.push(c);
    else groups.set(k, [c]);
  }
  return [...groups.values()];
}

const overall = groupCells((c) => `${c.agent}/${c.protocol}/${c.variant}`).map((g) =>
  summary(g, { agent: g[0].agent, protocol: g[0].protocol, variant: g[0].variant })
);
const bySplit = cells.map((c) =>
  summary([c], { agent: c.agent, protocol: c.protocol, variant: c.variant, split: c.split })
);
const breakdown = cells.map((c) =>
  summary([c], {
    agent: c.agent,
    protocol: c.protocol,
    variant: c.variant,
    env: c.env,
    split: c.split,
  })
);

function rowOf(agent: string, protocol: string, variant: string): SummaryRow {
  return overall.find((r) =>
    r.agent === agent && r.protocol === protocol && r.variant === variant
  )!;
}

const robustness: RobustnessRow[] = [];
for (const agent of AGENTS) {
  for (const protocol of PROTOCOLS) {
    for (const variant of VARIANTS.slice(1)) {
      const c = rowOf(agent, protocol, "clean"), v = rowOf(agent, protocol, variant);
      const drop = c.success_rate - v.success_rate;
      const h = 1.96 *
        Math.sqrt(
          (c.success_rate * (1 - c.success_rate) + v.success_rate * (1 - v.success_rate)) /
            c.tasks,
        );
      robustness.push({
        agent,
        protocol,
        variant,
        pairs: c.episodes,
        clean_rate: c.success_rate,
        variant_rate: v.success_rate,
        drop: round4(drop),
        ci95: interval(Math.max(-1, drop - h), Math.min(1, drop + h)),
      });
    }
  }
}

const gaps: GapRow[] = [];
for (const agent of AGENTS) {
  for (const protocol of PROTOCOLS) {
    for (const variant of VARIANTS) {
      const of = (split: string) =>
        bySplit.find((r) =>
          r.agent === agent && r.protocol === protocol && r.variant === variant &&
          r.split === split
        )!;
      const seen = of("seen");
      for (const split of ["unseen_task", "unseen_tool", "unseen_env"] as const) {
        const unseen = of(split);
        const gap = seen.success_rate - unseen.success_rate;
        const v = (r: SummaryRow) => r.success_rate * (1 - r.success_rate) / r.tasks;
        const h = 1.96 * Math.sqrt(v(seen) + v(unseen));
        gaps.push({
          agent,
          protocol,
          variant,
          split,
          seen_episodes: seen.episodes,
          unseen_episodes: unseen.episodes,
          seen_rate: seen.success_rate,
          unseen_rate: unseen.success_rate,
          gap: round4(gap),
          ci95: interval(Math.max(-1, gap - h), Math.min(1, gap + h)),
        });
      }
    }
  }
}

const comparisons: ComparisonRow[] = [];
for (const protocol of PROTOCOLS) {
  for (const variant of VARIANTS) {
    for (let i = 0; i < AGENTS.length; i++) {
      for (let j = i + 1; j < AGENTS.length; j++) {
        const a = rowOf(AGENTS[i], protocol, variant), b = rowOf(AGENTS[j], protocol, variant);
        const n = a.episodes, sa = a.successes, sb = b.successes;
        // Some discordance both ways when neither agent is at 0% or 100%.
        const both = sa > 0 && sa < n && sb > 0 && sb < n ? Math.min(2, sa, sb, n - sa, n - sb) : 0;
        const onlyA = Math.max(0, sa - sb) + both, onlyB = Math.max(0, sb - sa) + both;
        const diff = (sa - sb) / n;
        const h = 1.96 * Math.sqrt((onlyA + onlyB) / n - diff * diff) / Math.sqrt(n);
        comparisons.push({
          protocol,
          variant,
          a: AGENTS[i],
          b: AGENTS[j],
          pairs: n,
          a_rate: a.success_rate,
          b_rate: b.success_rate,
          diff: round4(diff),
          ci95: interval(Math.max(-1, diff - h), Math.min(1, diff + h)),
          only_a: onlyA,
          only_b: onlyB,
          p_value: mcnemar(onlyA, onlyB),
        });
      }
    }
  }
}

/** Five tasks, one per split (two held-out calendar ones), each with 8 episodes. */
const TASKS = [
  { env: "library", task: "lib-02", split: "seen" },
  { env: "library", task: "lib-17", split: "unseen_task" },
  { env: "library", task: "lib-23", split: "unseen_tool" },
  { env: "calendar", task: "cal-04", split: "unseen_env" },
  { env: "calendar", task: "cal-19", split: "unseen_env" },
] as const;

const draw = generator(20260115);
const episodes: EpisodeSummary[] = [];
TASKS.forEach(({ env, task, split }, ti) => {
  AGENTS.forEach((agent, ai) => {
    // Each agent runs the task clean under `direct`, and under a rotating variant under `trial`.
    const runs: [Protocol, Variant][] = [["direct", "clean"], [
      "trial",
      VARIANTS[1 + (ti + ai) % 3],
    ]];
    for (const [protocol, variant] of runs) {
      const success = draw() < rate(agent, protocol, variant, split);
      const trial = protocol === "trial" && agent === "explorer";
      const calls = agent === "random"
        ? 1 + Math.floor(draw() * 4)
        : agent === "explorer"
        ? 2 + Math.floor(draw() * 3)
        : 2;
      const invalid = agent === "random"
        ? Math.ceil(calls / 2)
        : agent === "memorizer" && variant !== "clean" && !success
        ? calls
        : agent === "explorer" && variant !== "clean"
        ? 1
        : 0;
      episodes.push({
        id: `${env}/${variant}/${task}/${agent}/${protocol}/0.0`,
        env,
        task,
        variant,
        split,
        agent,
        protocol,
        seed: 0,
        episode_seed: 1000 + episodes.length,
        sample: 0,
        success,
        calls,
        trial_calls: trial ? 3 + Math.floor(draw() * 4) : 0,
        invalid_calls: invalid,
        failed_calls: agent === "random" && calls > invalid ? invalid + 1 : invalid,
        self_corrections: agent === "explorer" ? invalid : 0,
        ast_match: success && agent !== "random",
        tokens: null,
        ms: Math.round((0.6 + draw() * 4) * 100) / 100,
        error: null,
      });
    }
  });
});

/** A book title with markup in it: renderers must show it as text. */
export const MALICIOUS_TITLE = `The <img src=x onerror=alert(1)> & "Quoted" Cookbook`;

const line = (
  phase: TranscriptLine["phase"],
  kind: TranscriptLine["kind"],
  text: string,
): TranscriptLine => ({ phase, kind, text });

/** A short transcript consistent with the episode's agent, protocol, variant and outcome. */
function transcriptOf(e: EpisodeSummary): Transcript {
  const library = e.env === "library";
  const query = library
    ? `Is "${MALICIOUS_TITLE}" available? Borrow it for member M017 if so.`
    : "Move the design review on Thursday to a free room for 6 people and tell me which room.";
  const lookup = library ? "search_books" : "list_events";
  const act = library ? "borrow_book" : "reschedule_event";
  const visible = e.variant === "renamed"
    ? { [lookup]: library ? "skoob_hcraes" : "stneve_tsil", [act]: "tupotiso" }
    : e.variant === "deprecated"
    ? { [lookup]: library ? "find_books" : "enumerate_events", [act]: act }
    : { [lookup]: lookup, [act]: act };
  const args1 = library ? `{"query": "cookbook"}` : `{"day": "2026-01-15"}`;
  const args2 = library
    ? `{"book_id": "B1042", "member_id": "M017"}`
    : `{"id": "EV-31", "room": "R12"}`;
  const found = library
    ? `[{"id": "B1042", "title": ${JSON.stringify(MALICIOUS_TITLE)}, "available": true}]`
    : `[{"id": "EV-31", "title": "Design review", "room": "R03", "size": 6}]`;
  const done = library
    ? `{"loan_id": "L0917", "book_id": "B1042", "due": "2026-01-29"}`
    : `{"id": "EV-31", "room": "R12", "start": "2026-01-15T14:00:00Z"}`;
  const answer = library
    ? `Yes — I borrowed "${MALICIOUS_TITLE}" for M017; it is due on 2026-01-29.`
    : "Done: the design review is now in room R12 (seats 8).";
  const lines: TranscriptLine[] = [];
  if (e.protocol === "trial") {
    lines.push(
      line("trial", "user", `SANDBOX PHASE: this copy is thrown away afterwards. ${query}`),
    );
    if (e.agent === "explorer") {
      lines.push(
        line("trial", "call", `${lookup}(${args1})`),
        line(
          "trial",
          "error",
          `{"error": "unknown_tool", "message": "unknown tool \\"${lookup}\\"; did you mean \\"${
            visible[lookup]
          }\\"?"}`,
        ),
        line("trial", "call", `${visible[lookup]}(${args1})`),
        line("trial", "result", found),
        line(
          "trial",
          "assistant",
          `Notes: ${lookup} is now ${visible[lookup]}; ${act} is ${visible[act]}.`,
        ),
      );
    } else {
      lines.push(line("trial", "assistant", "Notes: nothing to explore."));
    }
    lines.push(line("execute", "user", `EXECUTION PHASE: the real environment. ${query}`));
  } else {
    lines.push(line("execute", "user", query));
  }
  const known = e.agent === "oracle" || e.agent === "explorer";
  if (e.agent === "random") {
    lines.push(
      line("execute", "call", `get_member({"member_id": "qzv"})`),
      line("execute", "error", `{"error": "tool_error", "message": "unknown member qzv"}`),
      line("execute", "assistant", "tangerine"),
      line("execute", "check", 'answer: expected a mention of B1042 — got "tangerine" ✗'),
    );
  } else {
    const name1 = known ? visible[lookup] : lookup, name2 = known ? visible[act] : act;
    lines.push(line("execute", "call", `${name1}(${args1})`));
    if (!e.success) {
      const kind = e.variant === "deprecated" ? "deprecated" : "unknown_tool";
      const message = kind === "deprecated"
        ? `${lookup} is deprecated and no longer available; use ${
          visible[lookup]
        } instead (same parameters).`
        : `unknown tool \\"${name1}\\"; did you mean \\"${visible[lookup]}\\"?`;
      lines.push(
        line("execute", "error", `{"error": "${kind}", "message": "${message}"}`),
        line("execute", "assistant", "Sorry, I could not complete the task."),
        line("execute", "check", "answer: expected the due date 2026-01-29 ✗"),
        line("execute", "check", "state: the loan L0917 exists ✗ (no new loan)"),
      );
    } else {
      lines.push(
        line("execute", "result", found),
        line("execute", "call", `${name2}(${args2})`),
        line("execute", "result", done),
        line("execute", "assistant", answer),
        line("execute", "check", 'answer: contains "2026-01-29" ✓'),
        line("execute", "check", "state: exactly one new loan, nothing else changed ✓"),
      );
    }
  }
  return { id: e.id, lines };
}

/** Which episodes keep a transcript: one of each interesting kind. */
const KEPT: ((e: EpisodeSummary) => boolean)[] = [
  (e) => e.agent === "oracle" && e.variant === "clean" && e.env === "library",
  (e) => e.agent === "memorizer" && e.variant === "renamed" && !e.success,
  (e) => e.agent === "memorizer" && e.variant === "deprecated" && !e.success,
  (e) => e.agent === "explorer" && e.variant === "renamed" && e.success,
  (e) => e.agent === "explorer" && e.variant === "clean" && e.env === "calendar",
  (e) => e.agent === "random" && e.protocol === "direct" && e.env === "library",
];
const transcripts: Transcript[] = KEPT.flatMap((keep) => {
  const e = episodes.find(keep);
  return e ? [transcriptOf(e)] : [];
});

const LIBRARY_TOOLS = [
  ["search_books", ["query", "available_only"]],
  ["get_book", ["book_id"]],
  ["get_member", ["member_id"]],
  ["list_loans", ["member_id"]],
  ["borrow_book", ["book_id", "member_id"]],
  ["return_book", ["loan_id"]],
  ["renew_loan", ["loan_id", "days"]],
  ["place_hold", ["book_id", "member_id"]],
  ["cancel_hold", ["hold_id"]],
  ["pay_fine", ["member_id", "amount"]],
] as const;
const CALENDAR_TOOLS = [
  "search_people",
  "get_person",
  "list_events",
  "get_event",
  "find_free_rooms",
  "create_event",
  "reschedule_event",
  "cancel_event",
  "add_attendee",
  "remove_attendee",
];
const WORDS = ["tupotiso", "varnel", "quibble", "orrin", "plexa"];
const reverse = (s: string) => [...s].reverse().join("");

/** library · renamed: medium renames (reversed or a random word), params reversed, reordered. */
function renamedLibrary(): VariantSummary {
  const renamed: Change[] = [], params: Change[] = [], reordered: Change[] = [];
  const tools: ToolView[] = LIBRARY_TOOLS.map(([canonical, ps], i) => {
    const name = i % 3 === 2 ? WORDS[i % WORDS.length] : reverse(canonical);
    renamed.push({ tool: name, what: "renamed", from: canonical, to: name });
    const map: Record<string, string> = {};
    for (const p of ps) {
      map[reverse(p)] = p;
      params.push({ tool: name, what: "param renamed", from: p, to: reverse(p) });
    }
    if (ps.length > 1) {
      reordered.push({
        tool: name,
        what: "params reordered",
        note: ps.map(reverse).reverse().join(", "),
      });
    }
    return { name, canonical, params: map, added: [], scaled: {}, described: true };
  });
  return {
    env: "library",
    variant: "renamed",
    seed: 0,
    ops: [
      { op: "rename_tools", options: { level: "medium" }, changes: renamed },
      { op: "rename_params", options: { level: "medium" }, changes: params },
      { op: "reorder_params", options: {}, changes: reordered },
    ],
    tools,
  };
}

/** calendar · deprecated: half the tools replaced by a synonym, the old names hidden. */
function deprecatedCalendar(): VariantSummary {
  const SYNONYM: Record<string, string> = {
    search: "find",
    get: "fetch",
    list: "enumerate",
    create: "make",
    cancel: "revoke",
    add: "include",
  };
  const changes: Change[] = [];
  const tools: ToolView[] = CALENDAR_TOOLS.map((canonical, i) => {
    const [verb, ...rest] = canonical.split("_");
    const replaced = i % 2 === 0 && SYNONYM[verb] !== undefined;
    const name = replaced ? [SYNONYM[verb], ...rest].join("_") : canonical;
    if (replaced) {
      changes.push({
        tool: name,
        what: "deprecated",
        from: canonical,
        to: name,
        note: "old name hidden",
      });
    }
    return { name, canonical, params: {}, added: [], scaled: {}, described: true };
  });
  return {
    env: "calendar",
    variant: "deprecated",
    seed: 0,
    ops: [{ op: "deprecate", options: { rate: 0.5 }, changes }],
    tools,
  };
}

const specs = [
  "envs/library/env.yaml",
  "envs/library/books.csv",
  "envs/library/members.csv",
  "envs/library/loans.csv",
  "envs/calendar/env.yaml",
  "envs/calendar/people.csv",
  "envs/calendar/rooms.csv",
  "envs/calendar/events.jsonl",
];

const provenance: Provenance = {
  tooltrial_version: "0.1.0",
  git_commit: digest("commit", 40),
  git_dirty: false,
  deno: "2.9.6",
  v8: "14.2.231.9-rusty",
  typescript: "5.9.2",
  onnxruntime: null,
  os: "linux",
  arch: "x86_64",
  machine: { cpus: 16, memory_gb: 62.7 },
  started_at: "2026-01-15T09:00:00.000Z",
  finished_at: "2026-01-15T09:00:14.812Z",
  command: ["bench", "suite.yaml", "--variants", "renamed,deprecated,noisy"],
  suite: { name: "builtin", file: "suite.yaml", sha256: digest("suite.yaml") },
  specs: specs.map((path) => ({ path, sha256: digest(path) })),
  agents: AGENTS.map((name) => ({ name, scripted: name, options: {} })),
  protocols: [
    { name: "direct", kind: "direct", trial_budget: 0, max_turns: 12 },
    { name: "trial", kind: "trial", trial_budget: 6, max_turns: 12 },
  ],
  selection: {
    agents: null,
    protocols: null,
    variants: ["renamed", "deprecated", "noisy"],
    splits: null,
  },
  execution_providers: {},
  seeds: SEEDS,
  samples: 1,
  concurrency: 8,
  shards: null,
};

/** The fixture: a full report with every section populated. */
export const reportFixture: Report = {
  format: "tooltrial.report",
  version: 1,
  run_id: digest("run", 16),
  provenance,
  overall,
  breakdown,
  by_split: bySplit,
  robustness,
  gaps,
  comparisons,
  variants: [renamedLibrary(), deprecatedCalendar()],
  episodes,
  transcripts,
};
