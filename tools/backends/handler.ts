/** The handler backend: one permission-less sandbox per environment. @module */
import { handlerKind } from "../../spec/backends/handler.ts";
import { SpecError, type SpecIssue } from "../../spec/errors.ts";
import type { EnvSpec, ToolSpec } from "../../spec/types.ts";
import { handlerRunner } from "../handler.ts";
import { Sandbox } from "../sandbox.ts";
import { type BackendEntry, toolsOf } from "./backend_entry.ts";

/**
 * Handler tools: a sandbox of Deno children for the env's modules. A lease (one episode phase)
 * gets its own module instances and global object in one of them, dropped when it closes; outside
 * a lease each call gets its own.
 */
export const handlerBackend: BackendEntry<"handler"> = {
  ...handlerKind,
  async open(spec, options) {
    if (Object.keys(spec.handlers).length === 0) return undefined;
    const box = new Sandbox(spec.handlers, {
      limits: spec.sandbox,
      processes: options.sandboxProcesses,
    });
    const tables = Object.keys(spec.state);
    const opened = {
      runner: handlerRunner(box, tables),
      lease() {
        const lease = box.lease();
        return Promise.resolve({
          runner: handlerRunner(lease, tables),
          close: () => lease.close(),
        });
      },
      close: () => box.close(),
      pids: () => box.pids,
    };
    try {
      await checkHandlers(spec, box);
    } catch (err) {
      await box.close();
      throw err;
    }
    return opened;
  },
  provenance(spec) {
    const tools = toolsOf(spec, "handler");
    if (tools.length === 0) return undefined;
    const modules = [
      ...new Set(tools.map((t) => t.backend.kind === "handler" ? t.backend.module : "")),
    ];
    return {
      tools: tools.length,
      modules: modules.sort(),
      timeout_ms: spec.sandbox.timeoutMs,
      memory_mb: spec.sandbox.memoryMb,
    };
  },
};

/** Every handler must name a function its module exports: a located error otherwise. */
async function checkHandlers(spec: EnvSpec, sandbox: Sandbox): Promise<void> {
  const where = (t: ToolSpec) => t.at ?? { file: spec.file, pointer: "", line: 1, col: 1 };
  let exports: Record<string, string[]>;
  try {
    exports = await sandbox.exports();
  } catch (err) {
    const first = spec.tools.find((t) => t.backend.kind === "handler")!;
    throw new SpecError([{
      ...where(first),
      message: `the handlers do not load: ${(err as Error).message}`,
      hint:
        "a handler module must be self-contained TypeScript (no imports) that runs without permissions",
    }]);
  }
  const issues: SpecIssue[] = [];
  for (const t of spec.tools) {
    if (t.backend.kind !== "handler") continue;
    const names = exports[t.backend.module] ?? [];
    if (!names.includes(t.backend.fn)) {
      issues.push({
        ...where(t),
        message: `${t.backend.module} exports no function "${t.backend.fn}"`,
        hint: names.length
          ? `it exports: ${names.join(", ")}`
          : "export the function from that file",
      });
    }
  }
  if (issues.length > 0) throw new SpecError(issues);
}
