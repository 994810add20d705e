/**
 * The fast way to a YAML file's plain value (spec/yaml.ts's parseYaml): js-yaml, on the documents
 * it reads exactly as the `yaml` package does; spec/yaml_test.ts holds the two side by side.
 */
import {
  constructFromEvents,
  CORE_SCHEMA as JS_YAML_CORE_SCHEMA,
  defineScalarTag,
  EVENT_ID,
  NOT_RESOLVED,
  parseEvents,
} from "js-yaml";

/**
 * The plain value of a document js-yaml reads exactly as the `yaml` package would, or undefined
 * when the full parse must decide: js-yaml refused it (a syntax error, a duplicate key, a nesting
 * as deep as `maxDepth`), it has an anchor, alias or tag (the full way counts alias expansions and
 * knows its own tags and anchor names), a directive or several documents, or a key is `null`
 * (js-yaml names it "null", `yaml` "").
 */
export function fastYamlValue(text: string, maxDepth: number): { value: unknown } | undefined {
  // A tab (js-yaml takes some as indentation), an explicit indentation indicator (`|2`: the
  // two count from different columns at the top level) or keep chomping (`|+`, whose trailing
  // blank lines they count differently): the full way decides.
  if (text.includes("\t") || /[|>](?:[-+]?[1-9]|\+)/.test(text)) return undefined;
  let value: unknown;
  try {
    const events = parseEvents(text, { maxDepth });
    let documents = 0;
    for (const e of events) {
      if (e.type === EVENT_ID.DOCUMENT) {
        if (++documents > 1 || e.directives.length > 0) return undefined;
      } else if (e.type === EVENT_ID.ALIAS) return undefined;
      else if (e.type !== EVENT_ID.POP && (e.anchorStart !== -1 || e.tagStart !== -1)) {
        return undefined;
      }
    }
    const docs = constructFromEvents(events, { source: text, schema: FAST_SCHEMA, maxAliases: 0 });
    if (docs.length !== 1) return undefined;
    value = docs[0];
  } catch {
    return undefined;
  }
  return value === undefined || hasKey(value, "null") ? undefined : { value };
}

/**
 * js-yaml's core schema with the `yaml` package's numbers: js-yaml leaves a number too large
 * for a double (`1e400`) a string, `yaml` makes it Infinity. (Tagged scalars take the full way.)
 */
const FAST_SCHEMA = JS_YAML_CORE_SCHEMA.withTags(
  defineScalarTag("tag:yaml.org,2002:int", {
    implicit: true,
    implicitFirstChars: ["-", "+", ..."0123456789"],
    resolve: (s: string, explicit: boolean) =>
      explicit
        ? NOT_RESOLVED
        : /^[-+]?[0-9]+$/.test(s)
        ? parseInt(s, 10)
        : /^0o[0-7]+$/.test(s)
        ? parseInt(s.slice(2), 8)
        : /^0x[0-9a-fA-F]+$/.test(s)
        ? parseInt(s.slice(2), 16)
        : NOT_RESOLVED,
    identify: (v: unknown) => Number.isInteger(v),
  }),
  defineScalarTag("tag:yaml.org,2002:float", {
    implicit: true,
    implicitFirstChars: ["-", "+", ".", ..."0123456789"],
    resolve: (s: string, explicit: boolean) =>
      explicit
        ? NOT_RESOLVED
        : /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)
        ? (s.slice(-3).toLowerCase() === "nan"
          ? NaN
          : s[0] === "-"
          ? Number.NEGATIVE_INFINITY
          : Number.POSITIVE_INFINITY)
        : /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s) ||
            /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)
        ? parseFloat(s)
        : NOT_RESOLVED,
    identify: (v: unknown) => typeof v === "number",
  }),
);

/** Whether any mapping in a tree of plain values has the key `key`. */
function hasKey(v: unknown, key: string): boolean {
  if (Array.isArray(v)) {
    for (const x of v) if (x !== null && typeof x === "object" && hasKey(x, key)) return true;
  } else if (v !== null && typeof v === "object") {
    if (Object.hasOwn(v, key)) return true;
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== null && typeof x === "object" && hasKey(x, key)) return true;
    }
  }
  return false;
}
