/**
 * The report viewer of `tooltrial serve`: the runs in a folder with their status and progress,
 * their reports, and live progress of a running bench over server-sent events.
 * @module
 */
import { escapeHtml as esc } from "../reports/escape.ts";
import { Hono } from "hono";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { join } from "node:path";
import { readHeader } from "../runners/log.ts";
import type { RunHeader } from "../runners/events.ts";

const FILES: Record<string, string> = {
  "report.html": "text/html; charset=utf-8",
  "report.md": "text/markdown; charset=utf-8",
  "report.json": "application/json",
  "episodes.jsonl": "application/x-ndjson",
};
const SAFE = /^[A-Za-z0-9._-]+$/;

/** Progress of a log read so far: kept per poller so only new bytes are read. */
interface Tally {
  offset: number;
  done: number;
  successes: number;
}

/** Count result events in the bytes of a log past `t.offset`. */
async function advance(path: string, t: Tally): Promise<void> {
  const file = await Deno.open(path, { read: true });
  try {
    await file.seek(t.offset, Deno.SeekMode.Start);
    const buf = new Uint8Array(1 << 16);
    let pending = "";
    const dec = new TextDecoder();
    for (;;) {
      const n = await file.read(buf);
      if (n === null) break;
      const text = pending + dec.decode(buf.subarray(0, n), { stream: true });
      const lines = text.split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        t.offset += new TextEncoder().encode(line).length + 1;
        if (line.includes('"type":"result"')) {
          t.done++;
          if (line.includes('"success":true')) t.successes++;
        }
      }
    }
  } finally {
    file.close();
  }
}

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

/**
 * The viewer as a hono sub-app, mounted at `/` by `tooltrial serve`. Only run folders directly
 * inside `runsDir` and only their report and log files are served; any other path is a 404.
 *
 * @example
 * ```ts
 * import { viewer } from "./viewer.ts";
 * const res = await viewer({ runsDir: "no-such-folder" }).request("/");
 * console.assert(res.status === 200);
 * ```
 */
export function viewer(opts: { runsDir: string; pollMs?: number }): Hono {
  const app = new Hono();
  const pollMs = opts.pollMs ?? 500;
  /** The run folder for a name from the URL, or undefined (never outside runsDir). */
  const runDir = async (name: string): Promise<string | undefined> => {
    if (!SAFE.test(name) || name === "." || name === "..") return undefined;
    try {
      const root = await Deno.realPath(opts.runsDir);
      const dir = await Deno.realPath(join(opts.runsDir, name));
      return dir.startsWith(root + "/") && !dir.slice(root.length + 1).includes("/")
        ? dir
        : undefined;
    } catch {
      return undefined;
    }
  };
  const notFound = (c: Context) => c.json({ error: { status: 404, message: "not found" } }, 404);

  app.get("/", async (c) => {
    const rows: {
      header: RunHeader;
      name: string;
      done: number;
      finished: boolean;
      rates: string;
    }[] = [];
    try {
      for await (const e of Deno.readDir(opts.runsDir)) {
        if (!e.isDirectory || !SAFE.test(e.name)) continue;
        const dir = await runDir(e.name);
        if (!dir) continue;
        const log = join(dir, "episodes.jsonl");
        const header = await readHeader(log).catch(() => undefined);
        if (!header) continue;
        const t: Tally = { offset: 0, done: 0, successes: 0 };
        await advance(log, t);
        const finished = await exists(join(dir, "report.json"));
        let rates = "";
        if (finished) {
          try {
            const r = JSON.parse(await Deno.readTextFile(join(dir, "report.json")));
            rates = (r.overall as {
              agent: string;
              protocol: string;
              variant: string;
              success_rate: number;
            }[])
              .filter((o) => o.variant === "clean")
              .map((o) => `${o.agent}/${o.protocol} ${(o.success_rate * 100).toFixed(0)}%`).join(
                ", ",
              );
          } catch { /* a report being written */ }
        }
        rows.push({ header, name: e.name, done: t.done, finished, rates });
      }
    } catch { /* no runs folder yet */ }
    const started = (h: RunHeader) =>
      String((h.provenance as { started_at?: string }).started_at ?? "");
    rows.sort((a, b) => started(b.header).localeCompare(started(a.header)));
    const body = rows.map((r) => {
      const h = r.header;
      const suite = (h.provenance as { suite?: { name?: string } }).suite?.name ?? "?";
      const status = r.finished
        ? "finished"
        : r.done < h.planned
        ? "incomplete"
        : "finished, no report";
      const pct = h.planned ? Math.round((r.done / h.planned) * 100) : 0;
      const link = (f: string) =>
        `<a href="runs/${esc(r.name)}/${f}">${f.replace("report.", "")}</a>`;
      return `<tr><td><a href="runs/${esc(r.name)}/">${esc(r.name)}</a></td><td>${
        esc(suite)
      }</td><td><code>${esc(h.run_id)}</code>${
        h.shard ? ` shard ${h.shard.index}/${h.shard.count}` : ""
      }</td><td class="${
        status === "finished" ? "ok" : "run"
      }">${status}</td><td><progress max="${h.planned}" value="${r.done}"></progress> ${r.done}/${h.planned} (${pct}%)</td><td>${
        esc(r.rates) || "—"
      }</td><td>${
        r.finished ? ["report.html", "report.md", "report.json"].map(link).join(" · ") + " · " : ""
      }${link("episodes.jsonl")} · <a href="runs/${esc(r.name)}/live">live</a></td></tr>`;
    }).join("");
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>tooltrial runs</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>body{font:14px/1.5 system-ui,sans-serif;margin:32px auto;max-width:1200px;color:#1f2328;padding:0 16px}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #d1d9e0;vertical-align:top}th{font-size:12px;text-transform:uppercase;color:#59636e}.ok{color:#1a7f37}.run{color:#9a6700}a{color:#0969da}code{font-size:12px}</style></head>
<body><h1>tooltrial runs</h1><p>${rows.length} run${rows.length === 1 ? "" : "s"} in <code>${
        esc(opts.runsDir)
      }</code></p>
<table><thead><tr><th>run</th><th>suite</th><th>id</th><th>status</th><th>progress</th><th>clean success</th><th>files</th></tr></thead><tbody>${
        body ||
        `<tr><td colspan="7">No runs yet: <code>deno task bench</code> writes one.</td></tr>`
      }</tbody></table></body></html>`,
    );
  });

  app.get("/runs/:run/", async (c) => {
    const dir = await runDir(c.req.param("run"));
    if (!dir) return notFound(c);
    return c.redirect(await exists(join(dir, "report.html")) ? "report.html" : "live");
  });

  app.get("/runs/:run/progress", async (c) => {
    const dir = await runDir(c.req.param("run"));
    if (!dir) return notFound(c);
    const log = join(dir, "episodes.jsonl");
    const header = await readHeader(log).catch(() => undefined);
    if (!header) return notFound(c);
    return streamSSE(c, async (stream) => {
      let open = true;
      stream.onAbort(() => {
        open = false;
      });
      const t: Tally = { offset: 0, done: 0, successes: 0 };
      while (open) {
        await advance(log, t);
        const finished = await exists(join(dir, "report.json"));
        await stream.writeSSE({
          event: "progress",
          data: JSON.stringify({
            done: t.done,
            planned: header.planned,
            successes: t.successes,
            finished,
          }),
        });
        if (finished) {
          await stream.writeSSE({ event: "done", data: JSON.stringify({ report: "report.html" }) });
          break;
        }
        await stream.sleep(pollMs);
      }
    });
  });

  app.get("/runs/:run/live", async (c) => {
    const dir = await runDir(c.req.param("run"));
    if (!dir) return notFound(c);
    const name = esc(c.req.param("run"));
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${name} — live</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:48px auto;max-width:720px;color:#1f2328}progress{width:100%;height:18px}a{color:#0969da}</style></head>
<body><h1>${name}</h1><p id="s">connecting…</p><progress id="p" value="0" max="1"></progress><p id="r"></p>
<script>
const es = new EventSource("progress");
es.addEventListener("progress", (e) => {
  const d = JSON.parse(e.data);
  document.getElementById("p").max = d.planned; document.getElementById("p").value = d.done;
  document.getElementById("s").textContent = d.done + " of " + d.planned + " episodes, " + d.successes + " succeeded";
});
es.addEventListener("done", () => { es.close(); document.getElementById("r").innerHTML = '<a href="report.html">report</a>'; });
</script></body></html>`,
    );
  });

  app.get("/runs/:run/:file", async (c) => {
    const type = FILES[c.req.param("file")];
    const dir = await runDir(c.req.param("run"));
    if (!type || !dir) return notFound(c);
    try {
      const file = await Deno.open(join(dir, c.req.param("file")), { read: true });
      return c.body(file.readable, 200, { "content-type": type });
    } catch {
      return notFound(c);
    }
  });
  return app;
}
