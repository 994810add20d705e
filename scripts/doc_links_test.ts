import assert from "node:assert/strict";
import { dirname, join, normalize } from "node:path";
import { anchors, relativeLinks, slug } from "./doc_links.ts";

Deno.test("doc links: GitHub's anchors, and links outside code", () => {
  assert.equal(slug("Call checks and importers (BFCL)"), "call-checks-and-importers-bfcl");
  assert.equal(
    slug("Variants: what survives when tools change"),
    "variants-what-survives-when-tools-change",
  );
  const md =
    "# A\n\n## A\n\n```sh\n# not a heading [x](gone.md)\n```\n\nSee [b](b.md#a-1), `[c](c.md)`.";
  assert.deepEqual([...anchors(md)], ["a", "a-1"]);
  assert.deepEqual(relativeLinks(md), [{ line: 9, path: "b.md", anchor: "a-1" }]);
});

Deno.test("doc links: every relative link in README.md and docs/ reaches its file and heading", async () => {
  const docs = [
    "README.md",
    ...[...Deno.readDirSync("docs")].filter((e) => e.name.endsWith(".md")).map((e) =>
      `docs/${e.name}`
    ),
  ];
  const broken: string[] = [];
  let seen = 0;
  for (const file of docs) {
    for (const link of relativeLinks(await Deno.readTextFile(file))) {
      seen++;
      const target = link.path ? normalize(join(dirname(file), link.path)) : file;
      let text: string | undefined;
      try {
        const info = await Deno.stat(target);
        text = info.isFile && target.endsWith(".md") ? await Deno.readTextFile(target) : "";
      } catch {
        broken.push(`${file}:${link.line}: ${link.path} does not exist`);
        continue;
      }
      if (link.anchor !== undefined && !anchors(text).has(link.anchor)) {
        broken.push(`${file}:${link.line}: ${target} has no heading #${link.anchor}`);
      }
    }
  }
  assert.ok(seen >= 20, `only ${seen} links found`);
  assert.deepEqual(broken, []);
});
