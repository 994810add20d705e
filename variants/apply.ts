import type { Call, State, VariantSpec } from "../spec/types.ts";
import { parseArguments, unknownTool } from "../tools/declarative.ts";
import type { Env, StepResult, ToolCall, ToolDef } from "../tools/types.ts";
import { createRng, deriveSeed } from "../core/mod.ts";
import { operators } from "./ops/mod.ts";
import { nameRewriter } from "./rewrite.ts";
import type { AppliedOp, Layer, Next, ToolView, VariantEnv } from "./types.ts";

/** The identity variant: every suite runs it as the baseline. */
export const CLEAN: VariantSpec = { name: "clean", ops: [] };

/**
 * Wrap an environment in a variant's operators, in order (the first wraps the environment, the
 * last is what the agent sees). The same (environment, variant, seed) always gives the same
 * interface; a different seed gives a different one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadEnv } from "../spec/mod.ts";
 * import { declarativeEnv } from "../tools/mod.ts";
 * import { applyVariant } from "./apply.ts";
 * const base = declarativeEnv(await loadEnv("envs/library"));
 * const env = applyVariant(base, {
 *   name: "renamed",
 *   ops: [{ op: "rename_tools", options: { level: "medium", style: "reverse" } }],
 * }, { seed: 0 });
 * assert.ok(env.tools.some((t) => t.name === "koob_teg"));
 * assert.ok(env.toVisible({ tool: "get_book", args: { book_id: "B1001" } }).tool === "koob_teg");
 * ```
 */
export function applyVariant(
  base: Env,
  variant: VariantSpec,
  opts: { seed: number; pool?: readonly Env[] },
): VariantEnv {
  const layers: Layer[] = [];
  const applied: AppliedOp[] = [];
  let tools: readonly ToolDef[] = base.tools;
  const taken = new Set(base.tools.map((t) => t.name));
  const forward = (call: Call) => layers.reduce((c, l) => l.forward(c), call);
  for (const [i, spec] of variant.ops.entries()) {
    const op = operators[spec.op];
    if (!op) throw new Error(`unknown variant operator "${spec.op}"`);
    const current = tools;
    const layer = op.apply(current, spec.options, {
      rng: createRng(deriveSeed(opts.seed, base.name, variant.name, i, spec.op)),
      env: base.name,
      pool: (opts.pool ?? []).filter((e) => e.name !== base.name),
      visibleName(canonical) {
        const name = forward({ tool: canonical, args: {} }).tool;
        return current.some((t) => t.name === name) ? name : undefined;
      },
      taken,
    });
    layers.push(layer);
    applied.push({ op: spec.op, options: spec.options, changes: [...layer.changes] });
    tools = layer.tools;
    for (const t of tools) taken.add(t.name);
    for (const h of layer.hidden) taken.add(h);
  }

  const listed = tools.map((t) => t.name);
  const accepted = new Set([...listed, ...layers.flatMap((l) => l.hidden)]);
  /** The variant's step over an environment's step (the base's, or a lease's). */
  const through = (inner: Env["step"]) => {
    // chain[k] runs a call against the interface after k layers; chain[0] is the environment.
    const chain: Next[] = [async (state, call) => {
      const r = await inner(state, { id: call.id, name: call.name, arguments: call.args });
      return { ...r, canonical: { tool: call.name, args: call.args } };
    }];
    for (const [k, layer] of layers.entries()) {
      chain.push((state, call) => layer.step(state, call, chain[k]));
    }
    const top = chain[layers.length];
    return (state: State, call: ToolCall): Promise<StepResult> => {
      const parsed = parseArguments(call.arguments);
      if ("error" in parsed) {
        return Promise.resolve({ state, observation: parsed.error, canonical: null });
      }
      if (!accepted.has(call.name)) {
        return Promise.resolve({
          state,
          observation: unknownTool(call.name, listed),
          canonical: null,
        });
      }
      return top(state, { id: call.id, name: call.name, args: parsed.args });
    };
  };
  const open = base.open?.bind(base);

  const toCanonical = (call: Call): Call | null => {
    let c: Call | null = call;
    for (let k = layers.length - 1; k >= 0 && c; k--) c = layers[k].backward(c);
    return c && base.tools.some((t) => t.name === c!.tool) ? c : null;
  };

  return {
    name: base.name,
    variant: variant.name,
    base,
    seed: opts.seed,
    tools,
    initialState: base.initialState,
    ...(base.policy !== undefined ? { policy: policyAsShown(base, forward)(base.policy) } : {}),
    applied,
    views: viewsOf(base.tools, tools, forward),
    toVisible: forward,
    toCanonical,
    step: through(base.step.bind(base)),
    ...(open
      ? {
        async open() {
          const lease = await open();
          return { ...lease, step: through(lease.step) };
        },
      }
      : {}),
  };
}

/**
 * A rewriter of the policy's text: each of the environment's tool names becomes the name the
 * variant shows for it (identifier-like names wherever they stand, plain words where quoted).
 */
function policyAsShown(base: Env, forward: (c: Call) => Call): (text: string) => string {
  return nameRewriter(
    new Map(base.tools.map((t) => [t.name, forward({ tool: t.name, args: {} }).tool])),
  );
}

/** The visible interface beside the canonical one, found by sending marked calls through. */
function viewsOf(
  canonical: readonly ToolDef[],
  visible: readonly ToolDef[],
  forward: (c: Call) => Call,
): ToolView[] {
  const reached = new Map<string, ToolView>();
  for (const t of canonical) {
    const names = Object.keys((t.parameters.properties ?? {}) as object);
    const marked = forward({
      tool: t.name,
      args: Object.fromEntries(names.map((p) => [p, `\u0000${p}`])),
    });
    const ones = forward({ tool: t.name, args: Object.fromEntries(names.map((p) => [p, 1])) });
    const params: Record<string, string> = {};
    const scaled: Record<string, number> = {};
    const added: string[] = [];
    for (const [k, v] of Object.entries(marked.args)) {
      const from = typeof v === "string" && v.startsWith("\u0000") ? v.slice(1) : undefined;
      if (from === undefined) added.push(k);
      else {
        if (from !== k) params[k] = from;
        const one = ones.args[k];
        if (typeof one === "number" && one !== 1) scaled[k] = one;
      }
    }
    reached.set(marked.tool, {
      name: marked.tool,
      canonical: t.name,
      params,
      added,
      scaled,
      described: false,
    });
  }
  return visible.map((t) => ({
    ...(reached.get(t.name) ??
      { name: t.name, canonical: null, params: {}, added: [], scaled: {}, described: false }),
    described: t.description.trim().length > 0,
  }));
}
