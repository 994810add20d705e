import { dirname, join } from "node:path";
import {
  FailureCollector,
  type FailureData,
  logEpisodes,
  renderHtml,
  renderJunit,
  renderMarkdown,
  type Report,
} from "../reports/mod.ts";
import { LogError, readHeader, writeFileAtomic } from "../runners/mod.ts";
import { loadReport, UsageError } from "../run/mod.ts";
import { command } from "./command.ts";

const FORMATS: Record<string, (r: Report) => string> = {
  md: renderMarkdown,
  html: renderHtml,
  junit: renderJunit,
  json: (r) => JSON.stringify(r, null, 2) + "\n",
};

/** `tooltrial report`: render a run's report as Markdown, HTML, JUnit or JSON. */
export const report = command({
  name: "report",
  summary: "render a run folder or report.json as md, html, junit or json",
  usage: "report RUN",
  flags: {
    format: { type: "string" },
    out: { type: "string" },
  },
  help: `Usage: tooltrial report RUN [--format md|html|junit|json] [--out FILE]

RUN is a run folder (its report.json, or its episodes.jsonl when the report is missing) or a
report.json. Prints to stdout unless --out is given. Every format is rendered from the report alone,
except that html takes every failure's transcript from the run's episodes.jsonl when it is there.

Options:
  --format F           md (default), html, junit (JUnit XML for CI systems) or json
  --out FILE           write there instead of stdout
  -h, --help           show this help`,
  async run({ values, positionals }) {
    if (positionals.length !== 1) {
      throw new UsageError(
        "report takes one run folder or report.json: tooltrial report runs/<id>",
      );
    }
    const format = values.format ?? "md";
    const render = FORMATS[format];
    if (!render) {
      throw new UsageError(
        `--format must be one of ${Object.keys(FORMATS).join(", ")}, got "${format}"`,
      );
    }
    const data = await loadReport(positionals[0]);
    const text = format === "html"
      ? renderHtml(data, { ...await logFailures(positionals[0], data) })
      : render(data);
    if (values.out) await writeFileAtomic(values.out, text);
    else await Deno.stdout.write(new TextEncoder().encode(text));
    return 0;
  },
});

/**
 * Every failure of a report's run as its log holds it (all transcripts), and the run's folder, when
 * the run's episodes.jsonl is beside the report; nothing otherwise (the page has the report's own).
 */
async function logFailures(
  path: string,
  report: Report,
): Promise<{ failures?: FailureData; runDir?: string }> {
  const dir = (await Deno.stat(path)).isDirectory ? path : dirname(path);
  const log = join(dir, "episodes.jsonl");
  if (!(await Deno.stat(log).then(() => true, () => false))) return {};
  try {
    const header = await readHeader(log);
    if (header.run_id !== report.run_id || header.shard) return {};
    const failures = new FailureCollector();
    for await (const ep of logEpisodes(log)) failures.add(ep.events);
    return { failures: failures.data(), runDir: dir };
  } catch (err) {
    if (!(err instanceof LogError)) throw err;
    console.error(`note: failures' transcripts from the report alone: ${err.message}`);
    return {};
  }
}
