import assert from "node:assert/strict";
import { loadEnv, loadSuite, SpecError } from "../spec/mod.ts";
import { runSuite } from "../runners/run.ts";
import { Backends } from "./backends.ts";
import { cacheServerPackage, serverCommand, ServerInstance } from "./mcp_pool.ts";
import type { Env } from "./types.ts";

const call = (name: string, args: Record<string, unknown> = {}) => ({
  id: "c1",
  name,
  arguments: JSON.stringify(args),
});
const names = (rows: readonly Record<string, unknown>[] | undefined) =>
  (rows ?? []).map((r) => r.name).sort();

Deno.test("mcp: tools come from the server; each lease has its own reset graph; snapshots feed the state", async () => {
  const backends = new Backends();
  try {
    const env: Env = await backends.env(await loadEnv("envs/memory"));
    assert.deepEqual(env.tools.map((t) => t.name).sort(), [
      "add_observations",
      "create_entities",
      "create_relations",
      "delete_entities",
      "delete_observations",
      "delete_relations",
      "open_nodes",
      "read_graph",
      "search_nodes",
    ]);
    const create = env.tools.find((t) => t.name === "create_entities")!;
    assert.equal(
      (create.parameters.properties as Record<string, unknown>).entities !== undefined,
      true,
    );
    // Outside a lease, server tools do not run.
    const outside = await env.step(env.initialState, call("read_graph"));
    assert.equal(!outside.observation.ok && outside.observation.error.kind, "unavailable");

    const [a, b] = await Promise.all([env.open!(), env.open!()]);
    assert.equal(a.initialState.entities?.length, 8);
    const r = await a.step(
      a.initialState,
      call("create_entities", {
        entities: [{ name: "Hedy Lamarr", entityType: "person", observations: [] }],
      }),
    );
    assert.ok(r.observation.ok, JSON.stringify(r.observation));
    assert.ok(names(r.state.entities).includes("Hedy Lamarr"), "the snapshot follows the call");
    const other = await b.step(b.initialState, call("search_nodes", { query: "Hedy" }));
    assert.deepEqual(other.observation, { ok: true, result: { entities: [], relations: [] } });
    const bad = await a.step(
      r.state,
      call("add_observations", {
        observations: [{ entityName: "Nobody", contents: ["x"] }],
      }),
    );
    assert.equal(!bad.observation.ok && bad.observation.error.kind, "tool_error");
    assert.match(!bad.observation.ok ? bad.observation.error.message : "", /Nobody not found/);
    const invalid = await a.step(r.state, call("create_entities", { entities: "nope" }));
    assert.equal(!invalid.observation.ok && invalid.observation.error.kind, "invalid_arguments");
    await a.close();
    await b.close();
    // A reused instance is reset to the seed graph.
    const c = await env.open!();
    assert.deepEqual(names(c.initialState.entities), names(a.initialState.entities));
    await c.close();
  } finally {
    await backends.close();
  }
});

Deno.test("mcp: a server that dies mid-episode is a counted backend failure; the run goes on", async () => {
  const backends = new Backends();
  try {
    const env = await backends.env(await loadEnv("envs/memory"));
    const lease = await env.open!();
    const pids = backends.pids();
    assert.equal(pids.length, 1);
    Deno.kill(pids[0], "SIGKILL");
    await new Promise((r) => setTimeout(r, 300));
    const r = await lease.step(lease.initialState, call("read_graph"));
    assert.equal(!r.observation.ok && r.observation.error.kind, "tool_crash");
    assert.equal(
      !r.observation.ok && (r.observation.error.details as { reason: string }).reason,
      "died",
    );
    await lease.close();
    // The pool replaces the dead instance.
    const next = await env.open!();
    const ok = await next.step(next.initialState, call("search_nodes", { query: "Ada" }));
    assert.ok(ok.observation.ok);
    await next.close();
  } finally {
    await backends.close();
  }
});

Deno.test("mcp: the trial phase writes to its own server state, never the execution phase's", async () => {
  const suite = await loadSuite("envs/memory/suite.yaml");
  const recs = await runSuite(suite, {
    agents: ["explorer"],
    protocols: ["trial"],
    variants: ["clean"],
    concurrency: 3,
  });
  assert.equal(recs.length, 7);
  assert.ok(recs.every((r) => r.success), recs.filter((r) => !r.success).map((r) => r.id).join());
  const writes = recs.flatMap((r) =>
    r.events.filter((e) =>
      e.type === "tool" && e.phase === "trial" && e.observation.ok &&
      /^(create|add|delete)_/.test(e.call.name)
    )
  );
  assert.ok(writes.length > 0, "the explorer wrote something in the trial phase");
  assert.ok(recs.every((r) => r.metrics.backend_failures === 0));
});

Deno.test("mcp: a tool the server lacks, or gold that does not fit its schema, is a located spec error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.copyFile("envs/memory/graph.jsonl", `${dir}/graph.jsonl`);
    const yaml = (await Deno.readTextFile("envs/memory/env.yaml"))
      .replace(
        "  - mcp: { server: memory }",
        "  - mcp: { server: memory }\n  - { name: recall, mcp: { server: memory, tool: recall_all } }",
      )
      .replace("args: { names: [Ada Lovelace] }", "args: { names: Ada Lovelace }");
    await Deno.writeTextFile(`${dir}/env.yaml`, yaml);
    const backends = new Backends();
    try {
      const err = await backends.env(await loadEnv(dir)).catch((e) => e);
      assert.ok(err instanceof SpecError, String(err));
      const messages = err.issues.map((i) => `${i.pointer} ${i.message}`).join("\n");
      assert.match(messages, /\/tools\/1\/mcp server memory has no tool "recall_all"/);
      assert.match(messages, /\/tasks\/0\/gold\/0\/\w+ gold arguments do not fit open_nodes/);
      assert.ok(err.issues.every((i) => i.line > 1));
    } finally {
      await backends.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Every process below `root` (via ps: /proc needs --allow-all). */
async function descendants(root: number): Promise<number[]> {
  const out = await new Deno.Command("ps", { args: ["-eo", "pid=,ppid="], stdout: "piped" })
    .output();
  const rows = new TextDecoder().decode(out.stdout).trim().split("\n")
    .map((l) => l.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [p, pp] of rows) if (pp === pid) found.push(p), walk(p);
  };
  walk(root);
  return found;
}

/** Which of `pids` still run. */
async function running(pids: number[]): Promise<number[]> {
  const out = await new Deno.Command("ps", { args: ["-eo", "pid="], stdout: "piped" }).output();
  const all = new Set(
    new TextDecoder().decode(out.stdout).split("\n").map((l) => Number(l.trim())),
  );
  return pids.filter((p) => all.has(p));
}

for (const signal of ["SIGINT", "SIGKILL"] as const) {
  Deno.test(`no server or sandbox outlives a bench run stopped by ${signal}`, async () => {
    const tmp = await Deno.makeTempDir({ prefix: "tooltrial-orphans-" });
    const suite = `${tmp}/suite.yaml`;
    await Deno.writeTextFile(
      suite,
      [
        "tooltrial: 1",
        "suite: orphans",
        `envs: [${Deno.cwd()}/envs/memory, ${Deno.cwd()}/testdata/handlers]`,
        "agents: { explorer: { scripted: explorer } }",
        "protocols: { trial: { trial_budget: 4 } }",
        "samples: 200",
      ].join("\n"),
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli.ts", "bench", suite, "--out", `${tmp}/run`, "--quiet"],
      env: { TMPDIR: tmp, NO_COLOR: "1" },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    try {
      // Wait until the run has started servers and sandbox children (episodes are running).
      let seen: number[] = [];
      for (let i = 0; i < 300 && seen.length < 3; i++) {
        await new Promise((r) => setTimeout(r, 100));
        seen = await descendants(child.pid);
      }
      assert.ok(seen.length >= 3, "the run never started its servers and sandboxes");
      child.kill(signal);
      const status = await child.status;
      if (signal === "SIGINT") assert.equal(status.code, 130);
      let left: number[] = seen;
      for (let i = 0; i < 50 && left.length > 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        left = await running(seen);
      }
      assert.deepEqual(left, [], `left running after ${signal}`);
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* ended */ }
      await child.stderr.cancel();
      await child.status;
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  });
}

Deno.test("mcp: a server starts from an empty Deno cache that the parent filled, reading only the cache", async () => {
  const spec = (await loadEnv("envs/memory")).servers[0];
  const deno = await Deno.makeTempDir({ prefix: "tooltrial-denodir-" });
  const before = Deno.env.get("DENO_DIR");
  try {
    // The parent caches the package with its whole environment (CA files, proxies); the server,
    // whose environment holds only the cache variables, never resolves anything itself.
    Deno.env.set("DENO_DIR", deno);
    await cacheServerPackage(spec.npm);
    const dir = await Deno.makeTempDir({ prefix: "tooltrial-server-" });
    assert.ok(serverCommand(spec, dir).args.includes("--cached-only"));
    const inst = await ServerInstance.start(spec, dir);
    try {
      const tools = await inst.client.listTools();
      assert.ok(tools.tools.some((t: { name: string }) => t.name === "read_graph"));
    } finally {
      await inst.close();
      await Deno.remove(dir, { recursive: true });
    }
  } finally {
    if (before === undefined) Deno.env.delete("DENO_DIR");
    else Deno.env.set("DENO_DIR", before);
    // A loaded machine can still see the server's last cache writes land while the folder goes.
    for (let tries = 1;; tries++) {
      try {
        await Deno.remove(deno, { recursive: true });
        break;
      } catch (e) {
        // deno-lint-ignore no-unsafe-finally -- after five tries the cleanup failure is the news
        if (tries >= 5) throw e;
        await new Promise((r) => setTimeout(r, 200 * tries));
      }
    }
  }
});
