import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { deserializeMessage, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/** How to start a stdio MCP server. */
export interface StdioCommand {
  command: string;
  args: string[];
  /** The server's whole environment (nothing is inherited). */
  env: Record<string, string>;
  cwd?: string;
}

/** A line of server output past this is a protocol error, not a message. */
const MAX_LINE = 16 * 1024 * 1024;

/**
 * The MCP client side of a stdio server, over `Deno.Command`: JSON-RPC one message a line, the
 * server's stderr kept as a short tail for error messages. `close()` ends its input, then
 * SIGTERM, then SIGKILL; a server that outlives a crashed parent still sees its input end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DenoStdioTransport } from "./stdio_transport.ts";
 * const t = new DenoStdioTransport({ command: Deno.execPath(), args: ["eval", ""], env: {} });
 * await t.start();
 * await t.close();
 * assert.ok(t.exited);
 * ```
 */
export class DenoStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly #cmd: StdioCommand;
  #proc: Deno.ChildProcess | undefined;
  #stdin: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #stderrTail = "";
  #status: Promise<Deno.CommandStatus> | undefined;
  exited = false;

  constructor(cmd: StdioCommand) {
    this.#cmd = cmd;
  }

  /** The server's process id (after start). */
  get pid(): number | undefined {
    return this.#proc?.pid;
  }

  /** The last lines the server wrote to stderr. */
  get stderr(): string {
    return this.#stderrTail;
  }

  start(): Promise<void> {
    if (this.#proc) throw new Error("already started");
    this.#proc = new Deno.Command(this.#cmd.command, {
      args: this.#cmd.args,
      env: this.#cmd.env,
      clearEnv: true,
      cwd: this.#cmd.cwd,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdin = this.#proc.stdin.getWriter();
    void this.#readStdout(this.#proc.stdout);
    void this.#readStderr(this.#proc.stderr);
    this.#status = this.#proc.status.then((s) => {
      this.exited = true;
      this.onclose?.();
      return s;
    });
    return Promise.resolve();
  }

  async #readStdout(stream: ReadableStream<Uint8Array>) {
    const dec = new TextDecoder();
    let buf = "";
    try {
      for await (const chunk of stream) {
        buf += dec.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl).replace(/\r$/, "");
          buf = buf.slice(nl + 1);
          if (line.trim() === "") continue;
          let msg: JSONRPCMessage;
          try {
            msg = deserializeMessage(line);
          } catch (err) {
            this.onerror?.(new Error(`the server wrote a line that is not JSON-RPC: ${err}`));
            continue;
          }
          this.onmessage?.(msg);
        }
        if (buf.length > MAX_LINE) {
          this.onerror?.(new Error("the server wrote an over-long line"));
          buf = "";
        }
      }
    } catch { /* the process is gone */ }
  }

  async #readStderr(stream: ReadableStream<Uint8Array>) {
    const dec = new TextDecoder();
    try {
      for await (const chunk of stream) {
        this.#stderrTail = (this.#stderrTail + dec.decode(chunk, { stream: true })).slice(-2000);
      }
    } catch { /* gone */ }
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (!this.#stdin || this.exited) throw new Error("the server is not running");
    await this.#stdin.write(new TextEncoder().encode(serializeMessage(message)));
  }

  /** End the server: its input first, then signals if it lingers. */
  async close(): Promise<void> {
    if (!this.#proc) return;
    await this.#stdin?.close().catch(() => {});
    for (const [signal, waitMs] of [["SIGTERM", 1000], ["SIGKILL", 1000]] as const) {
      if (await this.#exitsWithin(waitMs)) return;
      try {
        this.#proc.kill(signal);
      } catch { /* gone */ }
    }
    await this.#status;
  }

  async #exitsWithin(ms: number): Promise<boolean> {
    if (this.exited) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const r = await Promise.race([
      this.#status!.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
    clearTimeout(timer);
    return r;
  }

  /** Kill the server now (a crash, or a test). */
  kill(): void {
    try {
      this.#proc?.kill("SIGKILL");
    } catch { /* gone */ }
  }
}
