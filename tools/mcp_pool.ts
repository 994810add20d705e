import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { join } from "node:path";
import type { ServerSpec } from "../spec/types.ts";
import { VERSION } from "../version.ts";
import { DenoStdioTransport, type StdioCommand } from "./stdio_transport.ts";

/** Variables of the parent a server's Deno needs to find its cache (it may not read them). */
const CACHE_VARS = ["DENO_DIR", "HOME", "XDG_CACHE_HOME", "NPM_CONFIG_REGISTRY"];

/**
 * The `deno run` command for a server instance: its npm package, pinned, with read and write
 * permission on its own folder only (plus what the spec allows) and only its declared variables.
 */
export function serverCommand(spec: ServerSpec, dir: string): StdioCommand {
  const fill = (s: string) => s.replaceAll("{{dir}}", dir);
  const env = Object.fromEntries(Object.entries(spec.env).map(([k, v]) => [k, fill(v)]));
  const list = (xs: string[]) => xs.map(fill).join(",");
  const envNames = [...Object.keys(env), ...spec.allow.env];
  const inherited: Record<string, string> = {};
  for (const k of CACHE_VARS) {
    const v = Deno.env.get(k);
    if (v !== undefined) inherited[k] = v;
  }
  return {
    command: Deno.execPath(),
    args: [
      "run",
      "--no-prompt",
      "--no-config",
      "--no-lock",
      // The parent cached the package (cacheServerPackage): a child never reaches the network,
      // which it could not do anyway with only the cache variables (no CA files, no proxies).
      "--cached-only",
      `--allow-read=${list([dir, ...spec.allow.read])}`,
      `--allow-write=${list([dir, ...spec.allow.write])}`,
      ...(envNames.length ? [`--allow-env=${envNames.join(",")}`] : []),
      `npm:${spec.npm}`,
      ...spec.args.map(fill),
    ],
    env: { ...inherited, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...env },
    cwd: dir,
  };
}

const caching = new Map<string, Promise<void>>();

/**
 * Put a server's pinned npm package into the Deno cache, once per process, with this process's
 * whole environment — its CA files and proxy settings, which the servers' own cleared environments
 * lack — so that servers then start offline (`--cached-only`). On a machine with no network the
 * package must already be in the cache (`deno cache npm:<pkg>@<version>` while online).
 */
export function cacheServerPackage(npm: string): Promise<void> {
  // Per cache folder: a process that points DENO_DIR elsewhere fills that one too.
  const key = `${Deno.env.get("DENO_DIR") ?? ""}\u0000${npm}`;
  let p = caching.get(key);
  if (!p) {
    p = (async () => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["cache", "--no-config", "--no-lock", "--quiet", `npm:${npm}`],
        env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!out.success) {
        caching.delete(key);
        const why = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" | ");
        throw new Error(
          `could not put npm:${npm} into the Deno cache (${
            why.slice(0, 400)
          }); on a machine without network, run \`deno cache npm:${npm}\` where there is one and copy DENO_DIR`,
        );
      }
    })();
    caching.set(key, p);
  }
  return p;
}

/** One running server with its own folder. */
export class ServerInstance {
  readonly spec: ServerSpec;
  readonly dir: string;
  readonly client: Client;
  readonly transport: DenoStdioTransport;
  /** A call timed out: its state is uncertain, so it is not reused. */
  tainted = false;

  private constructor(spec: ServerSpec, dir: string, transport: DenoStdioTransport) {
    this.spec = spec;
    this.dir = dir;
    this.transport = transport;
    this.client = new Client({ name: "tooltrial", version: VERSION });
  }

  /** Start a server in `dir` and complete the MCP handshake. */
  static async start(spec: ServerSpec, dir: string): Promise<ServerInstance> {
    await Deno.mkdir(dir, { recursive: true });
    await restore(spec, dir);
    try {
      await cacheServerPackage(spec.npm);
    } catch (err) {
      throw new Error(
        `server ${spec.name} (npm:${spec.npm}) did not start: ${(err as Error).message}`,
      );
    }
    const transport = new DenoStdioTransport(serverCommand(spec, dir));
    const inst = new ServerInstance(spec, dir, transport);
    try {
      await inst.client.connect(transport, { timeout: Math.max(spec.timeoutMs, 60_000) });
    } catch (err) {
      await transport.close();
      const tail = transport.stderr.trim().split("\n").slice(-3).join(" | ");
      throw new Error(
        `server ${spec.name} (npm:${spec.npm}) did not start: ${(err as Error).message}${
          tail ? ` — ${tail.slice(0, 400)}` : ""
        }`,
      );
    }
    return inst;
  }

  get alive(): boolean {
    return !this.transport.exited;
  }

  /** Put the folder back as the spec declares it: empty but for the seed files. */
  reset(): Promise<void> {
    return restore(this.spec, this.dir);
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => {});
    await this.transport.close();
  }
}

async function restore(spec: ServerSpec, dir: string): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    await Deno.remove(join(dir, e.name), { recursive: true });
  }
  for (const f of spec.files) await Deno.copyFile(f.from, join(dir, f.to));
}

/**
 * Instances of one server, reused across episodes: `lease()` hands out an idle one (or starts
 * one), with its folder reset, so no episode sees another's data; `release()` takes it back.
 * Dead or tainted instances are closed instead of reused.
 *
 * @example
 * ```ts ignore
 * const pool = new ServerPool(spec, await Deno.makeTempDir());
 * const server = await pool.lease();
 * await server.client.callTool({ name: "read_graph", arguments: {} });
 * pool.release(server);
 * await pool.close();
 * ```
 */
export class ServerPool {
  readonly spec: ServerSpec;
  readonly #root: string;
  readonly #idle: ServerInstance[] = [];
  readonly #all = new Set<ServerInstance>();
  readonly #closing: Promise<void>[] = [];
  #next = 0;
  #closed = false;

  constructor(spec: ServerSpec, root: string) {
    this.spec = spec;
    this.#root = root;
  }

  /** Process ids of running instances (for tests that check nothing is left behind). */
  get pids(): number[] {
    return [...this.#all].flatMap((i) => (i.alive && i.transport.pid ? [i.transport.pid] : []));
  }

  /** An instance with a freshly reset folder. */
  async lease(): Promise<ServerInstance> {
    while (!this.#closed) {
      const inst = this.#idle.pop();
      if (!inst) break;
      if (!inst.alive) {
        this.#drop(inst);
        continue;
      }
      await inst.reset();
      return inst;
    }
    if (this.#closed) throw new Error(`server ${this.spec.name}: the pool is closed`);
    const dir = join(this.#root, `${this.spec.name}-${this.#next++}`);
    const inst = await ServerInstance.start(this.spec, dir);
    if (this.#closed) {
      await inst.close();
      throw new Error(`server ${this.spec.name}: the pool is closed`);
    }
    this.#all.add(inst);
    return inst;
  }

  /** Take an instance back (it is reset on its next lease). */
  release(inst: ServerInstance): void {
    if (this.#closed || !inst.alive || inst.tainted) {
      this.#drop(inst);
      return;
    }
    this.#idle.push(inst);
  }

  #drop(inst: ServerInstance) {
    this.#all.delete(inst);
    this.#closing.push(inst.close());
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#idle.length = 0;
    const all = [...this.#all];
    this.#all.clear();
    await Promise.all([...all.map((i) => i.close()), ...this.#closing]);
  }
}
