import * as ort from "onnxruntime-node";
import { intraOpThreads, NativeSession, nativeUnavailable } from "./native.ts";
import { type Binding, type ModelSession, nodeSession } from "./session.ts";

export { intraOpThreads };

/** Execution providers a suite may ask for, in the names onnxruntime-node uses. */
export const DEVICES = ["cuda", "webgpu", "cpu"] as const;
/** One execution provider name. */
export type Device = typeof DEVICES[number];

export interface SessionOptions {
  /**
   * Threads inside one operator (0 = onnxruntime's default: one per core). `auto`: 1 on the CPU —
   * a decode step of these models is too small to split, and episodes already run side by side
   * (measured: the same episodes at 1.8× less CPU and 1.05–1.6× less time than one per core) — and
   * onnxruntime's default on a GPU provider.
   */
  intraOpThreads?: number | "auto";
  /** Threads across independent operators (0 = default). */
  interOpThreads?: number;
  /**
   * How to call onnxruntime on the CPU: `auto` (default) uses its C API through Deno FFI where it
   * loads, so KV caches stay in onnxruntime's memory between steps, else onnxruntime-node.
   * `TOOLTRIAL_ORT_BINDING=node` in the environment forces onnxruntime-node. GPU providers always
   * run through onnxruntime-node.
   */
  binding?: "auto" | "onnxruntime-node";
}

/** A session and the provider that actually runs it, with why the ones before it failed. */
export interface OpenedSession {
  session: ModelSession;
  provider: Device;
  binding: Binding;
  /** The library and version that runs it, e.g. `onnxruntime 1.30.0 (C API)`. */
  runtime: string;
  attempts: { provider: Device; error: string }[];
  /** The intra-op threads the session was given (0: onnxruntime's default, one per core). */
  threads: number;
}

/**
 * Create an inference session on the first provider in `devices` that works. onnxruntime does not
 * fall back by itself — a session asked for `['cuda', 'cpu']` on a machine without CUDA throws —
 * so each provider gets its own attempt, and failures are kept to be logged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openSession } from "./providers.ts";
 * const s = await openSession("models/tiny-random/onnx/model.onnx", ["cuda", "webgpu", "cpu"]);
 * assert.ok(s.provider === "cpu" || s.attempts.length === 0);
 * await s.session.release();
 * ```
 */
export async function openSession(
  model: string | Uint8Array,
  devices: readonly Device[],
  opts: SessionOptions = {},
): Promise<OpenedSession> {
  const attempts: OpenedSession["attempts"] = [];
  // Keep onnxruntime's own stderr to fatal errors: a missing provider is expected, and reported by us.
  ort.env.logLevel = "fatal";
  for (const provider of devices) {
    const threads = intraOpThreads(opts.intraOpThreads, provider);
    const missing = providerMissing(provider);
    if (missing) {
      attempts.push({ provider, error: missing });
      continue;
    }
    if (
      provider === "cpu" && typeof model === "string" && opts.binding !== "onnxruntime-node" &&
      nativeUnavailable() === null
    ) {
      try {
        const session = NativeSession.open(model, { ...opts, intraOpThreads: threads });
        const runtime = `onnxruntime ${session.version} (C API)`;
        return { session, provider, binding: "c-api", runtime, attempts, threads };
      } catch (err) {
        attempts.push({ provider, error: firstLine(err) });
        continue;
      }
    }
    try {
      const session = await ort.InferenceSession.create(model as string, {
        executionProviders: [provider],
        intraOpNumThreads: threads,
        interOpNumThreads: opts.interOpThreads ?? 0,
        graphOptimizationLevel: "all",
        // Only fatal messages on stderr: a provider that is not there is expected and logged by us.
        logSeverityLevel: 4,
      });
      const runtime = `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common}`;
      return {
        session: nodeSession(session),
        provider,
        binding: "onnxruntime-node",
        runtime,
        attempts,
        threads,
      };
    } catch (err) {
      attempts.push({ provider, error: firstLine(err) });
    }
  }
  throw new Error(
    `no execution provider worked: ${attempts.map((a) => `${a.provider}: ${a.error}`).join("; ")}`,
  );
}

function firstLine(err: unknown): string {
  // onnxruntime prefixes messages with its source location and a failed assertion: keep the reason.
  const m = (err instanceof Error ? err.message : String(err)).replace(
    /^[\s\S]*? was false\.\s*/,
    "",
  );
  const line = m.split("\n").find((l) => l.trim() !== "") ?? m;
  return line.length > 300 ? line.slice(0, 300) + "…" : line;
}

/**
 * Why a GPU provider cannot work here, found without asking onnxruntime (which, for WebGPU, prints
 * a Vulkan warning to stderr that no log level silences): CUDA's provider library is not in
 * onnxruntime-node's folder unless its install script ran; WebGPU on Linux needs the Vulkan loader.
 * Undefined: worth a try.
 */
export function providerMissing(provider: Device): string | undefined {
  if (Deno.build.os !== "linux") return undefined;
  if (provider === "cuda") {
    let dir: string;
    try {
      const arch = Deno.build.arch === "x86_64" ? "x64" : "arm64";
      dir = new URL(`../bin/napi-v6/linux/${arch}/`, import.meta.resolve("onnxruntime-node"))
        .pathname;
      Deno.statSync(`${dir}libonnxruntime_providers_cuda.so`);
    } catch {
      return "not installed (on a machine with CUDA 12: ONNXRUNTIME_NODE_INSTALL=cuda12 deno install --allow-scripts=npm:onnxruntime-node)";
    }
    return undefined;
  }
  if (provider === "webgpu") {
    try {
      Deno.dlopen("libvulkan.so.1", {}).close();
    } catch (err) {
      if (err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied) {
        return undefined;
      }
      return "no Vulkan loader (libvulkan.so.1; Debian: apt-get install libvulkan1) — and it needs a GPU";
    }
  }
  return undefined;
}
