import assert from "node:assert/strict";
import { loadSuite } from "../spec/mod.ts";
import { createApp } from "./app.ts";

const PYTHON = "/usr/bin/python3";
const hasPython = await Deno.stat(PYTHON).then(() => true, () => false);

Deno.test({
  name: hasPython
    ? "serve: the stdlib-only Python client drives an episode to its reward"
    : "serve: Python client — skipped: /usr/bin/python3 not installed",
  ignore: !hasPython,
  async fn() {
    const { app } = createApp({ suite: await loadSuite("testdata/good/suite.yaml"), token: "t0k" });
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
    try {
      const run = (answer: string) =>
        new Deno.Command(PYTHON, {
          args: [
            "examples/python_client.py",
            "--url",
            `http://127.0.0.1:${server.addr.port}`,
            "--env",
            "mini",
            "--task",
            "mini-2",
            "--call",
            "add_stock",
            '{"id": "w2", "units": 3}',
            "--answer",
            answer,
          ],
          env: { TOOLTRIAL_TOKEN: "t0k" },
          stdout: "piped",
          stderr: "piped",
        }).output();
      const good = await run("w2 now has 10 units.");
      const out = new TextDecoder().decode(good.stdout);
      assert.equal(good.code, 0, new TextDecoder().decode(good.stderr));
      assert.match(out, /add_stock -> /);
      const last = JSON.parse(out.trim().split("\n").at(-1)!);
      assert.deepEqual([last.success, last.reward], [true, 1]);
      const wrong = await run("w2 has 3 units.");
      const lastWrong = JSON.parse(
        new TextDecoder().decode(wrong.stdout).trim().split("\n").at(-1)!,
      );
      assert.deepEqual([lastWrong.success, lastWrong.reward], [false, 0]);
    } finally {
      await server.shutdown();
    }
  },
});
