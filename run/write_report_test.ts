// A run's report is built from what the run collected as it wrote its log; the same report (json,
// html, md) as one read back from the log, for any number of workers.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "../testdata/cli.ts";

const read = (dir: string, f: string) => Deno.readTextFile(join(dir, f));
const untimed = (t: string) => t.replace(/"finished_at": ?"[^"]*"/g, '"finished_at":""');

Deno.test("cli: bench writes the report from what it collected: the same report.json, .html and .md as from its log", async () => {
  for (const workers of ["1", "2"]) {
    const dir = await Deno.makeTempDir();
    const copy = await Deno.makeTempDir();
    try {
      // Its random agent fails (report.html lists each failure with its transcript).
      const r = await runCli(
        "bench",
        "testdata/good/suite.yaml",
        "--out",
        dir,
        "--workers",
        workers,
        "--quiet",
      );
      assert.equal(r.code, 0, r.err);
      const json = await read(dir, "report.json");
      assert.match(json, /"success": false/, "some episodes failed");
      // Rebuilt from the log alone (no report.json beside it): every figure is the same.
      await Deno.copyFile(join(dir, "episodes.jsonl"), join(copy, "episodes.jsonl"));
      const fromLog = await runCli("report", copy, "--format", "json");
      assert.equal(fromLog.code, 0, fromLog.err);
      assert.equal(untimed(fromLog.out), untimed(json), `--workers ${workers}: report.json`);
      // The page takes every failure's transcript from the log: as the run collected them.
      const html = await runCli("report", dir, "--format", "html");
      assert.equal(html.code, 0, html.err);
      assert.equal(html.out, await read(dir, "report.html"), `--workers ${workers}: report.html`);
      const md = await runCli("report", dir, "--format", "md");
      assert.equal(md.out, await read(dir, "report.md"));
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(copy, { recursive: true });
    }
  }
});
