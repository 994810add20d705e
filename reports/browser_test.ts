import assert from "node:assert/strict";
import puppeteer from "puppeteer-core";
import { renderHtml } from "./html.ts";
import { MALICIOUS_TITLE, reportFixture } from "../testdata/report_fixture.ts";

const CHROMIUM = "/usr/bin/chromium";

/** Why the test cannot run here, or null when it can. */
function missing(): string | null {
  try {
    if (!Deno.statSync(CHROMIUM).isFile) throw new Error();
  } catch {
    return "chromium not installed (apt-get install chromium)";
  }
  if (Deno.permissions.querySync({ name: "run", command: CHROMIUM }).state !== "granted") {
    return `no permission to run it (--allow-run=${CHROMIUM})`;
  }
  return null;
}

const skip = missing();

Deno.test({
  name: skip === null
    ? "browser: the HTML report renders in chromium without errors or requests; failures filter and open"
    : `browser: skipped: ${skip}`,
  ignore: skip !== null,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "tooltrial_html_" });
    const file = `${dir}/report.html`;
    await Deno.writeTextFile(file, renderHtml(reportFixture));
    const url = `file://${file}`;
    const browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      pipe: true,
      args: ["--no-sandbox", "--disable-gpu"],
    });
    try {
      const page = await browser.newPage();
      await page.setViewport({ width: 1400, height: 800 });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warn") errors.push(`console: ${m.text()}`);
      });
      page.on("pageerror", (e) => errors.push(`pageerror: ${e}`));
      page.on("request", (r) => {
        if (r.url() !== url) requests.push(r.url());
      });
      await page.goto(url, { waitUntil: "load" });

      // Page code goes in as strings: this file is type-checked without the DOM library.
      const shape = await page.evaluate(`({
        svgs: document.querySelectorAll("svg").length,
        charts: ["success", "robustness", "splits"].map((id) => {
          const box = document.querySelector("#" + id + " svg[viewBox]:not([class$='-ramp'])")
            ?.getBoundingClientRect();
          return { id, width: box?.width ?? 0, height: box?.height ?? 0 };
        }),
        images: document.querySelectorAll("img").length,
        overflow: document.documentElement.scrollWidth - window.innerWidth,
      })`) as {
        svgs: number;
        charts: { id: string; width: number; height: number }[];
        images: number;
        overflow: number;
      };
      assert.ok(shape.svgs >= 3, `expected the three charts, found ${shape.svgs} <svg>`);
      for (const c of shape.charts) assert.ok(c.width > 200 && c.height > 100, JSON.stringify(c));
      assert.equal(shape.images, 0, "the transcript's <img> must stay text");
      assert.ok(shape.overflow <= 0, `page is ${shape.overflow}px wider than a laptop screen`);

      // The headline is what a reader sees first: on the first screen, one row per agent ×
      // protocol, each with a clean rate, a mean change and the worst variant.
      const headline = await page.evaluate(`(() => {
        const t = document.querySelector("#headline table");
        const box = t?.getBoundingClientRect();
        return {
          top: box?.top ?? -1, bottom: box?.bottom ?? -1, visible: t?.checkVisibility() ?? false,
          rows: [...(t?.querySelectorAll("tbody tr") ?? [])].map((r) => r.innerText.replace(/\\s+/g, " ")),
        };
      })()`) as { top: number; bottom: number; visible: boolean; rows: string[] };
      assert.ok(headline.visible && headline.top > 0, JSON.stringify(headline));
      assert.ok(
        headline.bottom <= 800,
        `the headline ends at ${headline.bottom}px, below the fold`,
      );
      assert.equal(headline.rows.length, 8, headline.rows.join("\n"));
      const memorizer = headline.rows.find((r) => r.startsWith("memorizer · direct"));
      assert.match(memorizer ?? "", /^memorizer · direct \d+\.\d% .*−\d+\.\d .* −\d+\.\d renamed /);

      // Readable on a narrow window: the headline fits without a horizontal scroll bar.
      await page.setViewport({ width: 800, height: 900 });
      const narrow = await page.evaluate(`(() => {
        const wrap = document.querySelector("#headline .scroll");
        return wrap.scrollWidth - wrap.clientWidth;
      })()`) as number;
      assert.ok(narrow <= 0, `at 800 px the headline is ${narrow}px wider than the page`);
      await page.screenshot({ path: `${dir}/report_top_800.png` });
      await page.setViewport({ width: 1400, height: 800 });

      // The failure explorer: every failure listed, filters and search narrow the list, and a
      // transcript appears (as text) only when its row is opened.
      const failed = reportFixture.episodes.filter((e) => !e.success);
      const explorer = () =>
        page.evaluate(`({
          controls: !document.querySelector("#fx-controls").hidden,
          rows: document.querySelectorAll("#fx-list details.fx-item").length,
          count: document.querySelector("#fx-controls .fx-count").textContent,
          transcripts: document.querySelectorAll("#fx-list ol.tx").length,
        })`) as Promise<{ controls: boolean; rows: number; count: string; transcripts: number }>;
      let fx = await explorer();
      assert.ok(fx.controls, "the filters show once the script runs");
      assert.equal(fx.rows, failed.length);
      assert.equal(fx.count, `${failed.length} of ${failed.length} failures`);
      assert.equal(fx.transcripts, 0, "no transcript rendered before it is opened");
      const random = failed.filter((e) => e.agent === "random");
      await page.select(
        `#fx-controls select[data-col="2"]`,
        await page.evaluate(
          `[...document.querySelectorAll('#fx-controls select[data-col="2"] option')]
          .find((o) => o.textContent === "random").value`,
        ) as string,
      );
      assert.equal((await explorer()).rows, random.length);
      await page.select(`#fx-controls select[data-col="2"]`, "");
      // The fixture's malicious title sits in a kept failure's transcript: search finds it.
      await page.type("#fx-controls input", "onerror=alert");
      await page.waitForFunction(
        `document.querySelectorAll("#fx-list details.fx-item").length < ${failed.length}`,
      );
      fx = await explorer();
      assert.ok(fx.rows >= 1, JSON.stringify(fx));
      await page.click("#fx-list details.fx-item summary");
      // The toggle event comes after the click: wait for the transcript it renders.
      await page.waitForFunction(`document.querySelectorAll("#fx-list ol.tx").length > 0`);
      assert.equal((await explorer()).transcripts, 1);
      assert.equal(
        await page.evaluate(`[...document.querySelectorAll("#fx-list ol.tx .text")]
          .some((l) => l.textContent.includes(${
          JSON.stringify(MALICIOUS_TITLE)
        }) && l.checkVisibility())`),
        true,
        "an opened failure shows its transcript, markup as text",
      );
      await page.evaluate(`document.querySelector("#failures").scrollIntoView()`);
      await page.screenshot({ path: `${dir}/report_failures.png` });
      // At 800 px the explorer, an opened transcript included, fits the page's width.
      await page.setViewport({ width: 800, height: 900 });
      await page.evaluate(`document.querySelector("#failures").scrollIntoView()`);
      const fxOverflow = await page.evaluate(`(() => {
        const f = document.querySelector("#failures").getBoundingClientRect();
        const wide = [...document.querySelectorAll("#fx-controls, #fx-list details.fx-item")]
          .map((e) => e.getBoundingClientRect().right);
        return Math.max(f.right, ...wide) - window.innerWidth;
      })()`) as number;
      assert.ok(fxOverflow <= 0, `at 800 px the failure explorer is ${fxOverflow}px too wide`);
      await page.screenshot({ path: `${dir}/report_failures_800.png` });
      await page.setViewport({ width: 1400, height: 800 });
      await page.evaluate(`document.querySelector("#fx-list details.fx-item").open = false`);
      await page.evaluate(`window.scrollTo(0, 0)`);

      // Without JavaScript: the headline and the tables, the failure kinds among them; the
      // explorer's controls stay hidden and a note says what they need.
      const bare = await browser.newPage();
      await bare.setJavaScriptEnabled(false);
      await bare.goto(url, { waitUntil: "load" });
      assert.deepEqual(
        await bare.evaluate(
          `["#headline table", "#failures table", "#fx-controls", "#failures noscript p"]
          .map((q) => document.querySelector(q)?.checkVisibility() ?? false)`,
        ),
        [true, true, false, true],
      );
      await bare.close();

      const visible = () =>
        page.evaluate(`[...document.querySelectorAll("ol.tx .text")]
          .some((l) => l.textContent.includes(${JSON.stringify(MALICIOUS_TITLE)})
            && l.checkVisibility())`);
      assert.equal(await visible(), false, "transcripts start folded");
      await page.evaluate(`document.querySelectorAll("details").forEach((d) => d.open = true)`);
      assert.equal(await visible(), true, "an opened transcript shows its text");

      const top = `${dir}/report_top.png`;
      await page.evaluate(`document.querySelectorAll("details").forEach((d) => d.open = false)`);
      await page.screenshot({ path: top });
      const shot = `${dir}/report.png`;
      await page.screenshot({ path: shot, fullPage: true });
      console.log(
        `screenshots: ${dir}/report_top_800.png ${dir}/report_failures.png ${dir}/report_failures_800.png ${top} ${shot}`,
      );
      assert.deepEqual(errors, []);
      assert.deepEqual(requests, []);
    } finally {
      await browser.close();
    }
  },
});
