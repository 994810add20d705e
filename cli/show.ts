import { basename, dirname, join } from "node:path";
import {
  EPISODE_FIELDS,
  type EpisodeField,
  type EpisodeFilter,
  episodeJson,
  episodeText,
  selectEpisodes,
} from "../reports/mod.ts";
import { type EpisodeEvent, readHeader } from "../runners/mod.ts";
import { closeNames } from "../spec/mod.ts";
import { UsageError } from "../run/mod.ts";
import { command } from "./command.ts";
import { intFlag } from "./flags.ts";

const filterFlags = Object.fromEntries(
  EPISODE_FIELDS.map((f) => [f, { type: "string" }] as const),
) as Record<EpisodeField, { type: "string" }>;

/** `tooltrial show`: a run's episodes (or failures) with their transcripts. */
export const show = command({
  name: "show",
  summary: "print a run's episodes (--failed: its failures) with their transcripts",
  usage: "show RUN",
  flags: {
    ...filterFlags,
    failed: { type: "boolean" },
    limit: { type: "string" },
    json: { type: "boolean" },
  },
  help: `Usage: tooltrial show RUN [--failed] [--agent A] [--variant V] [--task T] [--env E]
                      [--protocol P] [--split S] [--limit N] [--json]

RUN is a run folder (or its episodes.jsonl). Prints the episodes that match, in plan order, each
with a header line (outcome ✓/✗, env/task, agent, variant, protocol, seed, split, failure kind,
calls, tokens and cost where the agent reports them), every turn (calls with their arguments, the
canonical call a variant mapped it to, results cut to the width, errors), the answer, and every
check with why it failed. The log is checked as report checks it; a run still going shows the
episodes finished so far. Filters take exact names (a,b for either); a name the run does not have
is an error that lists the ones it has.

Options:
  --failed             failed episodes only
  --agent A            only this agent's episodes (likewise --variant, --task, --env, --protocol,
                       --split)
  --limit N            print at most N episodes (default 20; 0: all) and say how many more match
  --json               one JSON object per episode instead (identity, outcome, failure kind, events)
  -h, --help           show this help`,
  async run({ values, positionals }) {
    if (positionals.length !== 1) {
      throw new UsageError("show takes one run folder: tooltrial show runs/<suite>-<id> --failed");
    }
    const log = await runLogPath(positionals[0]);
    const header = await readHeader(log);
    const limit = intFlag(values.limit, "limit", 0) ?? 20;
    const filter: EpisodeFilter = { failed: values.failed ?? false };
    for (const f of EPISODE_FIELDS) {
      const v = values[f];
      if (v !== undefined) filter[f] = v.split(",").map((s) => s.trim()).filter(Boolean);
    }
    const tty = Deno.stdout.isTerminal();
    const style = {
      color: tty && !Deno.env.get("NO_COLOR"),
      // A terminal that reports no size (some CI runners, `script`) reads as the plain width.
      width: tty ? Math.max(60, Deno.consoleSize().columns || 120) : 120,
    };
    const emit = (events: EpisodeEvent[], n: number) => {
      if (values.json) console.log(JSON.stringify(episodeJson(events)));
      else console.log(`${n > 1 ? "\n" : ""}${episodeText(events, style)}`);
    };
    // Nothing is printed before every name is known to be the run's; with no limit, a first pass
    // checks the names and a second prints, so memory holds one episode at a time.
    const kept: EpisodeEvent[][] = [];
    const sel = await selectEpisodes(log, filter, {
      onMatch: limit === 0 ? undefined : (ep, n) => void (n <= limit && kept.push(ep.events)),
    });
    for (const f of EPISODE_FIELDS) {
      for (const name of filter[f] ?? []) {
        if (!sel.names[f].includes(name)) throw unknownName(f, name, sel.names[f], log);
      }
    }
    if (limit === 0) {
      await selectEpisodes(log, filter, { onMatch: (ep, n) => emit(ep.events, n) });
    } else kept.forEach((events, i) => emit(events, i + 1));
    const unfinished = sel.episodes < header.planned
      ? ` (the run is not finished: ${sel.episodes} of ${header.planned} episodes so far)`
      : "";
    const count = (n: number) => n.toLocaleString("en-US");
    const what = values.failed ? "failed episodes" : "episodes";
    const summary = sel.matched === 0
      ? `no ${what} match, of ${count(sel.episodes)} in ${log}${unfinished}`
      : limit > 0 && sel.matched > limit
      ? `${count(limit)} of ${count(sel.matched)} matching ${what} shown (${
        count(sel.episodes)
      } in the run)${unfinished}; ${
        count(sel.matched - limit)
      } more: --limit N shows N, --limit 0 all, or narrow with --agent, --variant, --task`
      : `${count(sel.matched)} matching ${what} (${count(sel.episodes)} in the run)${unfinished}`;
    if (values.json || sel.matched === 0) console.error(summary);
    else console.log(`\n${summary}`);
    return 0;
  },
});

/** The episode log of a run folder (or the log itself, or the log beside a report.json). */
async function runLogPath(path: string): Promise<string> {
  let dir = path;
  try {
    if (!(await Deno.stat(path)).isDirectory) {
      if (path.endsWith(".jsonl")) return path;
      dir = dirname(path);
      if (basename(path) !== "report.json") throw new Error("not a run folder");
    }
  } catch {
    throw new UsageError(
      `${path} not found: give a run folder (runs/<suite>-<run id>) or its episodes.jsonl`,
    );
  }
  const log = join(dir, "episodes.jsonl");
  if (await Deno.stat(log).then(() => true, () => false)) return log;
  const merged = await Deno.stat(join(dir, "report.json")).then(() => true, () => false);
  throw new UsageError(
    `${dir} has no episodes.jsonl${
      merged ? ": a merged run keeps its episodes in its shards' folders, show each of them" : ""
    }; give the folder a bench run wrote`,
  );
}

/** A filter name the run does not have: the names it has (the closest first), exit 2. */
function unknownName(field: EpisodeField, name: string, known: string[], log: string): UsageError {
  const close = closeNames(name, known, 1);
  const shown = known.length > 40 ? [...known.slice(0, 40), `… ${known.length - 40} more`] : known;
  return new UsageError(
    `--${field} "${name}": no ${field} of that name in ${log}${
      close.length ? ` (did you mean "${close[0]}"?)` : ""
    }; its ${field === "env" ? "envs" : `${field}s`}: ${shown.join(", ") || "none yet"}`,
  );
}
