import assert from "node:assert/strict";
import { checkCommands, cliCalls, type DocCommand, extractCommands } from "./doc_commands.ts";

const FENCE = "`".repeat(3);
const TASKS = {
  tooltrial: "deno run -A cli.ts",
  bench: "deno run -A cli.ts bench",
  test: "deno test -A",
};
const words = (c: DocCommand) => c.words.map((w) => w.text);

Deno.test("doc commands: extracts sh/bash blocks only, with quotes, continuations and comments", () => {
  const md = [
    "# Title", //                                                        1
    "", //                                                               2
    `${FENCE}sh`, //                                                     3
    "npx -y deno@2.9.6 task bench   # run it", //                        4
    "deno task tooltrial validate a.yaml \\", //                         5
    "  b.yaml", //                                                       6
    `curl -s http://x/v1 -d '{"a":`, //                                  7
    `  "b c"}' && tooltrial list`, //                                    8
    `sbatch --wrap 'deno task tooltrial merge runs/s-* --out runs/m'`, // 9
    FENCE, //                                                            10
    "", //                                                               11
    `${FENCE}yaml`, //                                                   12
    "deno task not-a-command", //                                        13
    FENCE, //                                                            14
    "1. step", //                                                        15
    "", //                                                               16
    `   ${FENCE}bash`, //                                                17
    "   deno task test", //                                              18
    `   ${FENCE}`, //                                                    19
  ].join("\n");
  const cmds = extractCommands(md, "f.md");
  assert.deepEqual(cmds.map((c) => [c.line, words(c)]), [
    [4, ["npx", "-y", "deno@2.9.6", "task", "bench"]],
    [5, ["deno", "task", "tooltrial", "validate", "a.yaml", "b.yaml"]],
    [7, ["curl", "-s", "http://x/v1", "-d", '{"a":\n  "b c"}']],
    [8, ["tooltrial", "list"]],
    [9, ["sbatch", "--wrap", "deno task tooltrial merge runs/s-* --out runs/m"]],
    [9, ["deno", "task", "tooltrial", "merge", "runs/s-*", "--out", "runs/m"]],
    [18, ["deno", "task", "test"]],
  ]);
  const calls = cmds.flatMap((c) => cliCalls(c, TASKS)).map(({ task, cli, sub, args }) => ({
    task,
    cli,
    sub,
    args,
  }));
  assert.deepEqual(calls, [
    { task: "bench", cli: true, sub: "bench", args: [] },
    { task: "tooltrial", cli: true, sub: "validate", args: ["a.yaml", "b.yaml"] },
    { task: undefined, cli: true, sub: "list", args: [] },
    { task: "tooltrial", cli: true, sub: "merge", args: ["runs/s-*", "--out", "runs/m"] },
    { task: "test", cli: false, sub: undefined, args: [] },
  ]);
});

Deno.test("doc commands: a missing task, command, flag or file is a located problem", () => {
  const md = [
    `${FENCE}sh`,
    "deno task bench suites/full.yaml --shard auto/8 --out runs/x", // fine
    "deno task bnech", // no such task
    "deno task tooltrial bnech suite.yaml", // no such command
    "tooltrial bench --bogus", // no such option
    "deno task tooltrial validate suites/gone.yaml examples/x.json", // two missing files
    "python3 examples/client.py --port 8000 http://127.0.0.1/a/b.json", // the script is missing
    "deno task serve --model tiny=models/tiny ~/.deno/bin/x.ts /usr/bin/python3", // fine
    "deno task tooltrial --help && deno run -A cli.ts validate suite.yaml", // fine
    "deno run -A ./cli.ts bnech", // no such command
    FENCE,
  ].join("\n");
  const files = new Set(["suites/full.yaml", "suite.yaml", "models/tiny", "cli.ts"]);
  const problems = checkCommands(extractCommands(md, "f.md"), {
    tasks: { ...TASKS, serve: "deno run -A cli.ts serve" },
    subcommands: ["bench", "validate", "serve"],
    roots: ["suites", "examples", "models", "runs"],
    exists: (p) => files.has(p),
    help: { bench: "  --out DIR\n  --shard i/n", validate: "--fast", serve: "[--model NAME=PATH]" },
  });
  assert.deepEqual(problems, [
    'f.md:3: "deno task bnech" is not a task of deno.json (tasks: tooltrial, bench, test, serve)',
    'f.md:4: "tooltrial bnech" is not a command of the CLI (commands: bench, validate, serve)',
    'f.md:5: "tooltrial bench" has no option --bogus',
    'f.md:6: "suites/gone.yaml" does not exist in the repository',
    'f.md:6: "examples/x.json" does not exist in the repository',
    'f.md:7: "examples/client.py" does not exist in the repository',
    'f.md:10: "tooltrial bnech" is not a command of the CLI (commands: bench, validate, serve)',
  ]);
});

// The real docs: every command shown in README.md and docs/*.md is checked against deno.json, the
// CLI and the repository, and the read-only ones (validate, --help) are run.

const DOCS = [
  "README.md",
  ...[...Deno.readDirSync("docs")].filter((e) => e.isFile && e.name.endsWith(".md"))
    .map((e) => `docs/${e.name}`).sort(),
];

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

/** Runs `jobs` at most `limit` at a time, keeping their order. */
async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < jobs.length) {
      const k = next++;
      out[k] = await jobs[k]();
    }
  }));
  return out;
}

Deno.test("doc commands: every shell command in README.md and docs/ names real tasks, commands, flags and files", async () => {
  const tasks: Record<string, string> = JSON.parse(await Deno.readTextFile("deno.json")).tasks;
  const main = await cli(["--help"]);
  assert.equal(main.code, 0, main.out);
  const section = main.out.slice(main.out.indexOf("Commands:"));
  const subcommands = [...section.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]);
  assert.ok(subcommands.includes("bench") && subcommands.includes("validate"), main.out);

  const commands = DOCS.flatMap((f) => extractCommands(Deno.readTextFileSync(f), f));
  const calls = commands.flatMap((c) => cliCalls(c, tasks));
  assert.ok(calls.length >= 10, `only ${calls.length} commands found in ${DOCS.join(", ")}`);

  // Each CLI command the docs use answers --help (so it exists), and its help lists their flags.
  const subs = [
    ...new Set(calls.flatMap((c) => c.sub && subcommands.includes(c.sub) ? [c.sub] : [])),
  ];
  const helps = await pool(subs.map((sub) => () => cli([sub, "--help"])), 3);
  const help: Record<string, string> = {};
  subs.forEach((sub, k) => {
    assert.equal(helps[k].code, 0, `tooltrial ${sub} --help\n${helps[k].out}`);
    help[sub] = helps[k].out;
  });
  const roots = [...Deno.readDirSync(".")].map((e) => e.name).filter((n) => !n.startsWith("."));
  const exists = (p: string) => {
    try {
      Deno.statSync(p);
      return true;
    } catch {
      return false;
    }
  };
  assert.deepEqual(checkCommands(commands, { tasks, subcommands, roots, exists, help }), []);

  // The read-only commands shown are run as written.
  const runs = calls.filter((c) =>
    c.cli && (c.sub === "validate" || c.args.includes("--help") || c.args.includes("-h"))
  );
  assert.ok(runs.some((c) => c.sub === "validate"), "the docs show a validate command");
  const results = await pool(runs.map((c) => () => cli(c.sub ? [c.sub, ...c.args] : c.args)), 3);
  runs.forEach((c, k) => {
    const shown = [c.sub, ...c.args].filter((w) => w !== undefined).join(" ");
    assert.equal(
      results[k].code,
      0,
      `${c.command.file}:${c.command.line}: tooltrial ${shown}\n${results[k].out}`,
    );
  });
});
