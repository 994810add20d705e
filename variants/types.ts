import type { Call, State } from "../spec/types.ts";
import type { Env, StepResult, ToolDef } from "../tools/types.ts";
import type { Rng } from "../core/mod.ts";

/** A call with its arguments already parsed, as it travels through variant layers. */
export interface ParsedCall {
  /** Call id, echoed in the answering tool message. */
  id: string;
  /** Tool name in this layer's names. */
  name: string;
  /** Arguments, parsed. */
  args: Record<string, unknown>;
}

/** Pass a call on to the next layer inward (ending at the real environment). */
export type Next = (state: State, call: ParsedCall) => Promise<StepResult>;

/** One thing an operator changed, in the names of the interface it wrapped (`from`) and made (`tool`). */
export interface Change {
  /** The tool as this layer shows it (for a hidden deprecated name: that name). */
  tool: string;
  /** What happened, e.g. "renamed", "param renamed", "deprecated", "unit changed", "distractor". */
  what: string;
  /** The old name or value. */
  from?: string;
  /** The new name or value. */
  to?: string;
  /** More detail, e.g. a unit's factor. */
  note?: string;
}

/**
 * One operator applied to one interface: an Env → Env wrapper in middleware form.
 * The inner interface is the previous layer (or the environment itself).
 */
export interface Layer {
  /** Tools as the agent sees them after this operator, in order. */
  readonly tools: readonly ToolDef[];
  /** Names this layer answers that it does not list (a deprecated tool's old name). */
  readonly hidden: readonly string[];
  /**
   * Run a call made against `tools` (or a hidden name): map it, pass it on with `next`, reshape the
   * answer — or answer it here. Names it does not know pass through unchanged.
   */
  step(state: State, call: ParsedCall, next: Next): Promise<StepResult>;
  /** Inner call → the call someone who knows this layer's mapping makes (what the oracle does). */
  forward(call: Call): Call;
  /** Call against this layer → inner call; null when it never reaches the inner interface. Pure. */
  backward(call: Call): Call | null;
  /** What changed, for the episode log and reports. */
  readonly changes: readonly Change[];
}

/** What an operator is given besides its options. */
export interface OperatorContext {
  /** This operator's own generator: the only source of randomness in it. */
  rng: Rng;
  /** The environment being varied (its canonical name). */
  env: string;
  /** Other environments (unwrapped), for operators that borrow tools. */
  pool: readonly Env[];
  /** The inner interface's name for a canonical tool (after the earlier operators), if it has one. */
  visibleName(canonical: string): string | undefined;
  /** Every tool name used so far by the environment and earlier layers, listed or hidden. */
  taken: ReadonlySet<string>;
}

/** An operator: builds its layer over an inner interface. Options are schema-checked at spec load. */
export interface Operator {
  /** Registry name (what `ops:` entries use). */
  readonly name: string;
  /** One line for `tooltrial list` and the README. */
  readonly summary: string;
  /**
   * Its row of the operator table in docs/variants.md (Markdown), which scripts/operator_table.ts
   * writes from the registry: its options with their defaults, and what the agent sees.
   */
  readonly doc: { readonly options: string; readonly sees: string };
  /**
   * The JSON Schema of its options (an object, or null for none): its branch of
   * spec/schema/variants.json, which `deno task schemas` writes from the registry.
   */
  readonly schema: Readonly<Record<string, unknown>>;
  /**
   * Option sets under which it changes something on every built-in environment: the registry's
   * tests apply each (determinism, schema, YAML round trip, what the agent can still do).
   */
  readonly examples: readonly Record<string, unknown>[];
  /** Build this operator's layer over `inner` with `options`, drawing only from `ctx.rng`. */
  apply(
    inner: readonly ToolDef[],
    options: Record<string, unknown>,
    ctx: OperatorContext,
  ): Layer;
}

/** One applied operator, as recorded. */
export interface AppliedOp {
  /** Registry name of the operator. */
  op: string;
  /** Its options, as declared. */
  options: Record<string, unknown>;
  /** What it changed. */
  changes: Change[];
}

/** A visible tool next to the canonical one it stands for: what the agent saw. */
export interface ToolView {
  /** The name the agent sees. */
  name: string;
  /** The environment's own tool it reaches, or null (distractor). */
  canonical: string | null;
  /** Visible parameter → canonical parameter; only entries that differ. */
  params: Record<string, string>;
  /** Required parameters the variant added (not passed on to the environment). */
  added: string[];
  /** Parameters whose values are converted on the way in: visible → factor (canonical = value / factor). */
  scaled: Record<string, number>;
  /** Whether the variant changed its description. */
  described: boolean;
}

/** An environment seen through a variant. `clean` is the identity variant. */
export interface VariantEnv extends Env {
  /** Name of the variant. */
  readonly variant: string;
  /** The environment underneath, unwrapped. */
  readonly base: Env;
  /** Seed the variant's operators drew from. */
  readonly seed: number;
  /** Operators as applied, with what they changed. */
  readonly applied: readonly AppliedOp[];
  /** Canonical call → the call that does the same under this variant (the oracle's knowledge). */
  toVisible(call: Call): Call;
  /** Visible call → canonical call, or null when it would not reach the environment. */
  toCanonical(call: Call): Call | null;
  /** The visible interface beside the canonical one. */
  readonly views: readonly ToolView[];
}
