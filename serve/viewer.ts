/**
 * The report viewer of `tooltrial serve`: the runs in a folder with their status and progress,
 * their reports, and live progress of a running bench over server-sent events.
 * @module
 */
import { escapeHtml as esc } from "../reports/escape.ts";
import { Hono } from "hono";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { dirname, join } from "node:path";
import { fileLines, readHeader } from "../runners/log.ts";
import { problem } from "./problem.ts";
import type { RunHeader } from "../runners/events.ts";
import {
  duration,
  formatChange,
  formatPercent,
  headlineRows,
  type Report,
} from "../reports/mod.ts";

/** The only files served from a run folder, with their content types. */
const FILES: Record<string, string> = {
  "report.html": "text/html; charset=utf-8",
  "report.md": "text/markdown; charset=utf-8",
  "report.json": "application/json",
  "episodes.jsonl": "application/x-ndjson",
};
const SAFE = /^[A-Za-z0-9._-]+$/;
/** A log written to within this long counts as a running bench; older and unfinished, incomplete. */
const RECENT_MS = 60_000;
/** Bytes kept from just before the read offset, to notice a log rewritten under us (a rerun). */
const TAIL = 64;

/** Episodes done and succeeded. */
interface Counts {
  done: number;
  successes: number;
}

/** Results counted in a log so far, and where reading stopped (just past the last whole line). */
interface Tally extends Counts {
  offset: number;
  tail: Uint8Array;
  /** Per agent and per variant, in the order they first finished an episode. */
  agents: Map<string, Counts>;
  variants: Map<string, Counts>;
  /** Episodes started and not yet finished: their agent and variant. */
  open: Map<string, [string, string]>;
  /** (time, done) when the log was read, over the last minute or so: the current pace. */
  samples: { at: number; done: number }[];
}

const fresh = (): Tally => ({
  offset: 0,
  tail: new Uint8Array(0),
  done: 0,
  successes: 0,
  agents: new Map(),
  variants: new Map(),
  open: new Map(),
  samples: [],
});
const enc = new TextEncoder();

function bump(m: Map<string, Counts>, key: string, success: boolean): void {
  let c = m.get(key);
  if (!c) m.set(key, c = { done: 0, successes: 0 });
  c.done++;
  if (success) c.successes++;
}

function count(text: string, t: Tally): void {
  // Only episode and result lines are parsed; the markers cannot occur unescaped inside a JSON
  // string.
  const result = text.includes('"type":"result"');
  if (!result && !text.includes('"type":"episode"')) return;
  try {
    const rec = JSON.parse(text) as {
      type?: unknown;
      episode?: unknown;
      success?: unknown;
      agent?: unknown;
      variant?: unknown;
    };
    const id = String(rec.episode);
    if (rec.type === "episode") {
      t.open.set(id, [String(rec.agent), String(rec.variant)]);
      return;
    }
    if (rec.type !== "result") return;
    const success = rec.success === true;
    t.done++;
    if (success) t.successes++;
    const [agent, variant] = t.open.get(id) ?? ["?", "?"];
    t.open.delete(id);
    bump(t.agents, agent, success);
    bump(t.variants, variant, success);
  } catch { /* a damaged line ends what the log is worth; readLog stops there too */ }
}

/** How far back the pace is measured. */
const PACE_MS = 60_000;

/** Note when the log was read and how many episodes it held; keep the last minute or so. */
function sample(t: Tally, at: number): void {
  const last = t.samples.at(-1);
  if (last && last.done > t.done) t.samples.length = 0; // counted again from the start
  t.samples.push({ at, done: t.done });
  while (t.samples.length > 2 && at - t.samples[1].at > PACE_MS) t.samples.shift();
}

/**
 * Seconds left at the pace of the last minute the viewer watched (so a resumed run, whose log
 * starts with the episodes of its first attempt, is timed by what it does now); null until the
 * viewer has seen episodes finish over at least two seconds.
 */
export function etaSeconds(samples: readonly { at: number; done: number }[], planned: number) {
  const first = samples[0], last = samples.at(-1);
  if (!first || !last || last.at - first.at < 2000 || last.done <= first.done) return null;
  const rate = (last.done - first.done) / (last.at - first.at);
  return Math.max(0, Math.round((planned - last.done) / rate / 1000));
}

/** Per-agent and per-variant counts as rows for the live page and its events. */
const breakdown = (m: Map<string, Counts>) =>
  [...m].map(([name, c]) => ({ name, done: c.done, successes: c.successes }));

/**
 * Count the result events of the whole lines past `t.offset`, so a poll reads only new bytes.
 * A log that shrank or changed before the offset (a resumed run cut it back, a rerun restarted
 * it) is counted again from the start.
 */
async function advance(path: string, t: Tally): Promise<void> {
  if (t.offset > 0) {
    const file = await Deno.open(path, { read: true });
    try {
      const size = (await file.stat()).size;
      let same = size >= t.offset;
      if (same && t.tail.length > 0) {
        const seen = new Uint8Array(t.tail.length);
        await file.seek(t.offset - seen.length, Deno.SeekMode.Start);
        let got = 0;
        while (got < seen.length) {
          const n = await file.read(seen.subarray(got));
          if (n === null) break;
          got += n;
        }
        same = got === seen.length && seen.every((b, i) => b === t.tail[i]);
      }
      if (!same) Object.assign(t, fresh());
    } finally {
      file.close();
    }
  }
  let last: string | undefined;
  for await (const { text, end } of fileLines(path, { start: t.offset })) {
    count(text, t);
    t.offset = end;
    last = text;
  }
  if (last !== undefined) t.tail = enc.encode(`${last}\n`).slice(-TAIL);
}

const stat = (p: string) => Deno.stat(p).then((s) => s, () => undefined);

/**
 * Per agent × protocol, the report's headline in one line: clean success, then the mean change
 * under the variants and the variant that costs most (as the report's headline gives them).
 */
function successSummary(report: Report): string[] {
  return headlineRows(report).map((h) => {
    const parts = [h.clean ? `${formatPercent(h.clean.rate)} clean` : "no clean episodes"];
    if (h.mean) {
      parts.push(`${formatChange(h.mean.drop)} pts under variants`);
      if (h.worst && h.worst.drop > 0) {
        parts.push(`worst ${h.worst.variant} ${formatChange(h.worst.drop)} pts`);
      }
    }
    return `${h.agent} · ${h.protocol}: ${parts.join(", ")}`;
  });
}

/** Status of a run for the index. */
interface RunRow {
  name: string;
  header: RunHeader;
  done: number;
  successes: number;
  status: "finished" | "running" | "incomplete";
  /** Why the status is what it is, for the tooltip. */
  why: string;
  success: string[];
}

const CSS =
  `body{font:14px/1.5 system-ui,sans-serif;margin:32px auto;max-width:1280px;color:#1f2328;padding:0 16px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #d1d9e0;vertical-align:top}
th{font-size:12px;text-transform:uppercase;color:#59636e}a{color:#0969da}code{font-size:12px}
.finished{color:#1a7f37}.running{color:#0969da}.incomplete{color:#9a6700}
.bar{display:inline-block;width:140px;height:10px;background:#eaeef2;border-radius:5px;overflow:hidden;vertical-align:middle;margin-right:6px}
.bar span{display:block;height:100%;background:#2da44e}.num{white-space:nowrap}ul{margin:0;padding-left:16px}
.split{display:flex;gap:32px;flex-wrap:wrap}.split table{width:auto;min-width:320px}`;

function page(title: string, body: string, opts: { script?: string } = {}): string {
  const csp = `default-src 'none'; style-src 'unsafe-inline'${
    opts.script ? "; script-src 'unsafe-inline'; connect-src 'self'" : ""
  }`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body>${body}${opts.script ? `<script>${opts.script}</script>` : ""}</body></html>`;
}

function bar(done: number, planned: number): string {
  const pct = planned > 0 ? Math.min(100, (done / planned) * 100) : 0;
  return `<span class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="${planned}" aria-valuenow="${done}"><span style="width:${
    pct.toFixed(1)
  }%"></span></span><span class="num">${done}/${planned}</span>`;
}

function indexPage(runsDir: string, rows: RunRow[]): string {
  const body = rows.map((r) => {
    const h = r.header;
    const prov = h.provenance as { suite?: { name?: unknown }; started_at?: unknown };
    const href = `runs/${encodeURIComponent(r.name)}/`;
    const link = (f: string, label = f) => `<a href="${esc(href + f)}">${esc(label)}</a>`;
    const files = [
      ...(r.status === "finished" ? ["report.html", "report.md", "report.json"] : []),
      "episodes.jsonl",
    ].map((f) => link(f));
    return `<tr><td>${link("", r.name)}</td><td>${esc(prov.suite?.name ?? "?")}</td><td><code>${
      esc(h.run_id)
    }</code>${h.shard ? ` shard ${esc(h.shard.index)}/${esc(h.shard.count)}` : ""}</td><td>${
      esc(prov.started_at ?? "")
    }</td><td class="${r.status}" title="${esc(r.why)}">${r.status}</td><td>${
      bar(r.done, h.planned)
    }</td><td>${
      r.success.length
        ? `<ul>${r.success.map((s) => `<li>${esc(s)}</li>`).join("")}</ul>`
        : r.status === "finished"
        ? "—"
        : `${r.successes} so far`
    }</td><td>${files.join(" · ")} · ${link("live")}</td></tr>`;
  }).join("\n");
  return page(
    "tooltrial runs",
    `<h1>tooltrial runs</h1><p>${rows.length} run${rows.length === 1 ? "" : "s"} in <code>${
      esc(runsDir)
    }</code>, newest first</p>
<table><thead><tr><th>run</th><th>suite</th><th>run id</th><th>started</th><th>status</th><th>progress</th><th>success: clean, change under variants</th><th>files</th></tr></thead><tbody>
${
      body ||
      `<tr><td colspan="8">No runs yet: <code>deno task bench</code> writes one.</td></tr>`
    }</tbody></table>`,
  );
}

const LIVE_SCRIPT = `const $ = (id) => document.getElementById(id);
const pct = (a, b) => b ? (100 * a / b).toFixed(1) + "%" : "–";
// Rows are built with textContent: agent and variant names never become markup.
const fill = (id, rows) => {
  const body = $(id);
  body.replaceChildren(...rows.map((r) => {
    const tr = document.createElement("tr");
    for (const v of [r.name, r.done, r.successes, pct(r.successes, r.done)]) {
      const td = document.createElement("td");
      td.textContent = v;
      tr.append(td);
    }
    return tr;
  }));
};
const es = new EventSource("progress");
es.addEventListener("progress", (e) => {
  const d = JSON.parse(e.data);
  $("bar").style.width = (d.planned ? Math.min(100, 100 * d.done / d.planned) : 0) + "%";
  $("done").textContent = d.done; $("planned").textContent = d.planned;
  $("ok").textContent = d.successes;
  $("state").textContent = d.finished ? "finished" : "running";
  $("eta").textContent = d.finished ? "done" : d.eta == null ? "measuring the pace…" : "about " + d.eta + " left";
  fill("agents", d.agents); fill("variants", d.variants);
});
es.addEventListener("done", () => {
  es.close();
  $("state").textContent = "finished";
  $("report").hidden = false;
});
es.onerror = () => { if (es.readyState === EventSource.CLOSED) $("state").textContent = "disconnected"; };`;

function livePage(name: string, h: RunHeader, t: Tally): string {
  const suite = (h.provenance as { suite?: { name?: unknown } }).suite?.name ?? "?";
  const eta = etaSeconds(t.samples, h.planned);
  const table = (what: string, id: string, m: Map<string, Counts>) =>
    `<table><thead><tr><th>${what}</th><th>done</th><th>succeeded</th><th>success</th></tr></thead><tbody id="${id}">${
      breakdown(m).map((r) =>
        `<tr><td>${esc(r.name)}</td><td>${r.done}</td><td>${r.successes}</td><td>${
          r.done ? formatPercent(r.successes / r.done) : "–"
        }</td></tr>`
      ).join("")
    }</tbody></table>`;
  return page(
    `${name} — live`,
    `<p><a href="../../">all runs</a></p><h1>${esc(name)}</h1>
<p>suite ${esc(suite)} · run <code>${esc(h.run_id)}</code>${
      h.shard ? ` · shard ${esc(h.shard.index)}/${esc(h.shard.count)}` : ""
    } · <span id="state">connecting…</span></p>
<p><span class="bar" style="width:100%;height:16px"><span id="bar" style="width:${
      h.planned ? Math.min(100, (t.done / h.planned) * 100).toFixed(1) : 0
    }%"></span></span></p>
<p><span id="done">${t.done}</span> of <span id="planned">${h.planned}</span> episodes done, <span id="ok">${t.successes}</span> succeeded · <span id="eta">${
      eta === null ? "measuring the pace…" : `about ${duration(eta)} left`
    }</span></p>
<div class="split">${table("agent", "agents", t.agents)}${
      table("variant", "variants", t.variants)
    }</div>
<p id="report" hidden><a href="report.html">Open the report</a> · <a href="report.md">report.md</a> · <a href="report.json">report.json</a></p>`,
    { script: LIVE_SCRIPT },
  );
}

/**
 * The viewer as a hono sub-app, mounted at `/` by `tooltrial serve`: `GET /` lists the runs in
 * `runsDir`; `/runs/{run}/` shows a run's report (or its live page while it runs);
 * `/runs/{run}/progress` streams `progress` events every `pollMs` (default 500) and a last `done`
 * once report.json exists. Only run folders directly inside `runsDir`, and only their reports and
 * log, are served; any other path under `/runs/` is a JSON 404.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { viewer } from "./viewer.ts";
 * const app = viewer({ runsDir: "no-such-folder" });
 * assert.ok((await app.request("/")).status === 200);
 * assert.ok((await app.request("/runs/..%2f..%2fetc/passwd")).status === 404);
 * ```
 */
export function viewer(opts: { runsDir: string; pollMs?: number }): Hono {
  const app = new Hono();
  const pollMs = opts.pollMs ?? 500;
  // One tally per log, shared by the index and every live page. Reads are queued, not joined: a
  // caller gets a read that started after its call, so it sees every line written before it.
  const tallies = new Map<string, { t: Tally; queue: Promise<void> }>();
  const tally = async (log: string): Promise<Tally> => {
    let e = tallies.get(log);
    if (!e) tallies.set(log, e = { t: fresh(), queue: Promise.resolve() });
    const { t } = e;
    await (e.queue = e.queue.catch(() => {}).then(() => advance(log, t)));
    sample(t, Date.now());
    return t;
  };
  const reports = new Map<string, { mtime: number; size: number; success: string[] }>();
  const reportSummary = async (path: string, info: Deno.FileInfo): Promise<string[]> => {
    const mtime = info.mtime?.getTime() ?? 0;
    const hit = reports.get(path);
    if (hit && hit.mtime === mtime && hit.size === info.size) return hit.success;
    try {
      const success = successSummary(JSON.parse(await Deno.readTextFile(path)) as Report);
      reports.set(path, { mtime, size: info.size, success });
      return success;
    } catch {
      return []; // not a report we can read: the files are still linked
    }
  };

  /** The real path of a run folder named in a URL, or undefined: never anything outside runsDir. */
  const runDir = async (name: string): Promise<string | undefined> => {
    if (!SAFE.test(name) || name === "." || name === "..") return undefined;
    try {
      const root = await Deno.realPath(opts.runsDir);
      const dir = await Deno.realPath(join(root, name));
      if (dirname(dir) !== root || !(await Deno.stat(dir)).isDirectory) return undefined;
      return dir;
    } catch {
      return undefined;
    }
  };
  /** The real path of a plain file directly inside a run folder, or undefined. */
  const runFile = async (dir: string, file: string): Promise<string | undefined> => {
    try {
      const path = await Deno.realPath(join(dir, file));
      if (dirname(path) !== dir || !(await Deno.stat(path)).isFile) return undefined;
      return path;
    } catch {
      return undefined;
    }
  };
  const notFound = (c: Context, message = "not found") =>
    problem(c, 404, message, "see the list of runs at /");

  app.get("/", async (c) => {
    const rows: RunRow[] = [];
    let entries: Deno.DirEntry[] = [];
    try {
      entries = await Array.fromAsync(Deno.readDir(opts.runsDir));
    } catch { /* no runs folder yet: an empty list */ }
    const now = Date.now();
    await Promise.all(entries.map(async (e) => {
      const dir = await runDir(e.name);
      if (!dir) return;
      const log = await runFile(dir, "episodes.jsonl");
      const header = log && await readHeader(log).catch(() => undefined);
      if (!log || !header) return;
      const t = await tally(log).catch(() => undefined);
      if (!t) return;
      const report = await runFile(dir, "report.json");
      const reportInfo = report && await stat(report);
      const logInfo = await stat(log);
      const age = now - (logInfo?.mtime?.getTime() ?? 0);
      const row: RunRow = {
        name: e.name,
        header,
        done: t.done,
        successes: t.successes,
        status: "incomplete",
        why: "",
        success: [],
      };
      if (report && reportInfo) {
        row.status = "finished";
        row.why = "report.json written";
        row.success = await reportSummary(report, reportInfo);
      } else if (age < RECENT_MS) {
        row.status = "running";
        row.why = `log written ${Math.max(0, Math.round(age / 1000))} s ago`;
      } else {
        row.why = t.done >= header.planned
          ? "every episode is logged but report.json is missing (stopped while writing it?)"
          : `log not written for ${
            Math.round(age / 1000)
          } s: interrupted (rerun the same bench command to resume) or still busy`;
      }
      rows.push(row);
    }));
    const started = (r: RunRow) => String(r.header.provenance.started_at ?? "");
    rows.sort((a, b) =>
      started(b).localeCompare(started(a)) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    );
    return c.html(indexPage(opts.runsDir, rows));
  });

  app.get("/runs/:run", async (c) => {
    const run = c.req.param("run");
    if (!(await runDir(run))) return notFound(c, `no run ${run}`);
    return c.redirect(`${encodeURIComponent(run)}/`);
  });

  app.get("/runs/:run/", async (c) => {
    const run = c.req.param("run");
    const dir = await runDir(run);
    if (!dir) return notFound(c, `no run ${run}`);
    return c.redirect((await runFile(dir, "report.html")) ? "report.html" : "live");
  });

  /** The run folder, log and header for a URL, or a 404 response. */
  const openRun = async (c: Context) => {
    const run = c.req.param("run") ?? "";
    const dir = await runDir(run);
    const log = dir && await runFile(dir, "episodes.jsonl");
    const header = log && await readHeader(log).catch(() => undefined);
    if (!dir || !log || !header) return notFound(c, `no run log for ${run}`);
    return { run, dir, log, header };
  };

  // live and progress are answered by the :file route: a static segment beside a parameter in
  // the same place is what keeps hono on its fast RegExpRouter (serve/app_test.ts checks it).
  const live = async (c: Context) => {
    const r = await openRun(c);
    if (r instanceof Response) return r;
    return c.html(livePage(r.run, r.header, await tally(r.log)));
  };

  const progress = async (c: Context) => {
    const r = await openRun(c);
    if (r instanceof Response) return r;
    const { dir, log, header } = r;
    return streamSSE(c, async (stream) => {
      // An abortable sleep: a client that leaves stops the poller at once, not a poll later.
      let wake = () => {};
      stream.onAbort(() => wake());
      const sleep = (ms: number) =>
        new Promise<void>((resolve) => {
          if (stream.aborted) return resolve();
          const id = setTimeout(resolve, ms);
          wake = () => {
            clearTimeout(id);
            resolve();
          };
        });
      while (!stream.aborted) {
        // The report is written after the log is complete: look for it first, so the last
        // progress event counts everything.
        const finished = (await runFile(dir, "report.json")) !== undefined;
        const t = await tally(log).catch(() => undefined);
        if (!t) {
          await stream.writeSSE({ event: "error", data: JSON.stringify({ error: "log gone" }) });
          return;
        }
        const eta = finished ? 0 : etaSeconds(t.samples, header.planned);
        await stream.writeSSE({
          event: "progress",
          data: JSON.stringify({
            done: t.done,
            planned: header.planned,
            successes: t.successes,
            finished,
            eta_s: eta,
            // Formatted here, as the bench's own progress line writes it: the page only shows it.
            eta: eta === null ? null : duration(eta),
            agents: breakdown(t.agents),
            variants: breakdown(t.variants),
          }),
        });
        if (finished) {
          await stream.writeSSE({ event: "done", data: JSON.stringify({ report: "report.html" }) });
          return;
        }
        await sleep(pollMs);
      }
    });
  };

  app.get("/runs/:run/:file", async (c) => {
    const name = c.req.param("file");
    if (name === "live") return await live(c);
    if (name === "progress") return await progress(c);
    const type = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
    const dir = await runDir(c.req.param("run"));
    const path = type && dir && await runFile(dir, name);
    if (!type || !path) return notFound(c);
    const headers = { "content-type": type, "x-content-type-options": "nosniff" };
    // hono answers HEAD with the GET route and drops the body: do not open a file for nothing.
    if (c.req.method === "HEAD") return c.body(null, 200, headers);
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch {
      return notFound(c);
    }
    // The log of a running bench grows (or is cut back on resume) while it is sent: no length.
    // Reports are replaced by rename, so an open one keeps its size.
    if (name !== "episodes.jsonl") {
      const { size } = await file.stat().catch((err) => (file.close(), Promise.reject(err)));
      return c.body(file.readable, 200, { ...headers, "content-length": String(size) });
    }
    return c.body(file.readable, 200, headers);
  });

  app.all("/runs/*", (c) => notFound(c));
  return app;
}
