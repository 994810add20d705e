import type { Call, JsonSchema, PossibleCall } from "../../spec/types.ts";

/** What a calls checker says: valid, or why not (a category and readable reasons). */
export interface CallsVerdict {
  /** Whether the calls match one of the possible answers. */
  valid: boolean;
  /** A category such as BFCL's `type_error:simple` (bfcl mode) or `value_error` (strict mode). */
  error_type?: string;
  /** Readable reasons it did not. */
  errors: string[];
  /**
   * With `first_action_only`: which of RoTBench's three stages the first action reached against
   * its closest accepted call (each implies the one before).
   */
  stages?: CallStages;
}

/**
 * RoTBench's three scores for one first action: the tool is an accepted one (tool selection),
 * its parameter names are that call's (parameter identification), its values match (content
 * filling).
 */
export interface CallStages {
  /** The first action calls a tool one accepted call names (or answers, where that is accepted). */
  tool_selection: boolean;
  /** …and gives exactly that call's parameter names (those that may be omitted aside). */
  parameter_identification: boolean;
  /** …and values the check's mode accepts: the whole call matches. */
  content_filling: boolean;
}

/**
 * BFCL's test categories pick the rule for the number of calls: `simple` and `multiple` expect
 * one, `parallel` and `parallel_multiple` several in any order. They only change error labels
 * here; left out, one answer means `simple` and several mean `parallel`.
 */
export type BfclCategory = "simple" | "multiple" | "parallel" | "parallel_multiple";

/** What every checker mode takes besides the calls. */
export interface CallsInput {
  /** The calls in the answers' function names. */
  calls: readonly Call[];
  /** The possible answers, one per expected call. */
  answers: readonly PossibleCall[];
  /** Function name → JSON Schema (or BFCL function doc) of its parameters. */
  functions: Readonly<Record<string, JsonSchema>>;
  /** BFCL category, which decides how order and multiplicity are judged. */
  category?: BfclCategory;
  /** An accepted value that matches any value the call gives (RoTBench's `"None"`). */
  wildcard?: string;
}

/** A verdict that passed. */
export const VALID: CallsVerdict = Object.freeze({ valid: true, errors: [] }) as CallsVerdict;

/** A failed verdict with one reason. */
export function invalid(error_type: string, error: string): CallsVerdict {
  return { valid: false, error_type, errors: [error] };
}

/** The one function name and its parameter options of a possible answer. */
export function answerParts(a: PossibleCall): [string, Record<string, unknown[]>] {
  const [name] = Object.keys(a);
  return [name, a[name]];
}

/** A schema's `properties` and `required`, tolerant of their absence. */
export function schemaParts(
  s: JsonSchema | undefined,
): { props: Record<string, JsonSchema>; required: string[] } {
  return {
    props: (s?.properties ?? {}) as Record<string, JsonSchema>,
    required: (s?.required ?? []) as string[],
  };
}

/** A short JSON rendering of a value for messages. */
export function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? s.slice(0, 77) + "…" : s;
}
