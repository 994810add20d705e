// The table of commands is a registry: every entry answers --help from itself and refuses a flag it
// does not know, so a new command cannot escape these checks.
import assert from "node:assert/strict";
import { runCli } from "../testdata/cli.ts";
import { COMMANDS } from "./mod.ts";

Deno.test("commands: each name once; the top-level help lists every entry's usage and summary", async () => {
  const names = COMMANDS.map((c) => c.name);
  assert.deepEqual([...new Set(names)], names);
  const top = await runCli("--help");
  assert.equal(top.code, 0, top.err);
  for (const c of COMMANDS) {
    assert.ok(c.usage.startsWith(`${c.name} `) || c.usage === c.name, c.usage);
    assert.ok(top.out.includes(`\n  ${c.usage.padEnd(23)}${c.summary}\n`), `${c.name}: ${top.out}`);
  }
});

for (const c of COMMANDS) {
  Deno.test(`commands: ${c.name} --help prints its entry with every flag; a bad flag is exit 2 pointing at --help`, async () => {
    for (const flag of ["--help", "-h"]) {
      const help = await runCli(c.name, flag);
      assert.equal(help.code, 0, help.err);
      assert.equal(help.out, c.help);
    }
    assert.ok(c.help.startsWith(`Usage: tooltrial ${c.name} `), c.help.split("\n")[0]);
    for (const flag of Object.keys(c.flags)) {
      assert.match(c.help, new RegExp(`--${flag}\\b`), `${c.name} --help does not say --${flag}`);
    }
    const bad = await runCli(c.name, "--no-such-flag");
    assert.equal(bad.code, 2, bad.err);
    assert.equal(bad.out, "");
    assert.equal(
      bad.err,
      `error: Unknown option '--no-such-flag'; run "tooltrial ${c.name} --help" for its options`,
    );
  });
}
