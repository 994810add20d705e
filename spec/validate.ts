import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import envSchema from "./schema/env.json" with { type: "json" };
import suiteSchema from "./schema/suite.json" with { type: "json" };
import trainingSchema from "./schema/training.json" with { type: "json" };
import variantsSchema from "./schema/variants.json" with { type: "json" };
import { closeNames, type SpecIssue } from "./errors.ts";
import { type Located, pointerSegment } from "./yaml.ts";

const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true })
  .addSchema(variantsSchema);
const compiled = new Map<string, ValidateFunction>();

/** The published spec schemas by kind. */
export const specSchemas = {
  env: envSchema,
  suite: suiteSchema,
  training: trainingSchema,
} as const;
export type SpecKind = keyof typeof specSchemas;

function validatorFor(kind: SpecKind): ValidateFunction {
  let v = compiled.get(kind);
  if (!v) {
    v = ajv.compile(specSchemas[kind]);
    compiled.set(kind, v);
  }
  return v;
}

/** Whether this thread skips the schema checks of the specs it loads (see trustSpecs). */
let trusted = false;

/**
 * Skip, from now on in this thread, the checks that only find problems — the JSON Schema of each
 * spec and the unknown keywords of tool parameter schemas — for a bench worker, which loads files
 * its parent thread has just loaded and checked (the two compare the suite's sha256 before any
 * episode runs). Compiling the spec schemas and each tool schema in strict mode is about a quarter
 * of what loading the full suite costs. Normalizing does not depend on these checks; a spec that
 * fails them still fails in the parent, which says where.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseYaml } from "./yaml.ts";
 * import { trustSpecs, validateSpec } from "./validate.ts";
 * const bad = parseYaml("tooltrial: 1\nenv: x\nbogus: 1\n", "x.yaml");
 * assert.ok(validateSpec(bad, "env").length > 0);
 * trustSpecs(true);
 * assert.deepEqual(validateSpec(bad, "env"), []);
 * trustSpecs(false);
 * ```
 */
export function trustSpecs(on: boolean): void {
  trusted = on;
}

/** Whether this thread skips the spec checks (trustSpecs). */
export function specsTrusted(): boolean {
  return trusted;
}

/** Validate a located document against the kind's schema; returns located issues (empty when valid). */
export function validateSpec(doc: Located, kind: SpecKind): SpecIssue[] {
  if (trusted) return [];
  const validate = validatorFor(kind);
  if (validate(doc.value)) return [];
  return ajvIssues(validate.errors ?? [], doc);
}

/** Turn ajv errors into located, de-duplicated issues with hints. */
export function ajvIssues(errors: ErrorObject[], doc: Located, base = ""): SpecIssue[] {
  // A failed oneOf reports every branch's complaint; keep one message per oneOf instead.
  const oneOfs = errors.filter((e) => e.keyword === "oneOf");
  // An if/then/else adds "must match then/else" on top of the branch's own, clearer complaint.
  const kept = errors.filter((e) =>
    e.keyword !== "if" &&
    (e.keyword === "oneOf" || !oneOfs.some((o) => e.schemaPath.startsWith(o.schemaPath + "/")))
  );
  // A misspelt key shows up twice: as unknown, and as the missing key it was meant to be.
  const typoFor = new Set<string>();
  for (const e of kept) {
    if (e.keyword !== "additionalProperties") continue;
    const props = Object.keys(
      ((e.parentSchema as Record<string, unknown>)?.properties ?? {}) as object,
    );
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    for (const c of closeNames(key, props, 2)) typoFor.add(`${e.instancePath}|${c}`);
  }
  const seen = new Set<string>();
  const issues: SpecIssue[] = [];
  for (const e of kept) {
    if (
      e.keyword === "required" &&
      typoFor.has(`${e.instancePath}|${(e.params as { missingProperty: string }).missingProperty}`)
    ) continue;
    const issue = describe(e, doc, base);
    const key = `${issue.pointer}|${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

function describe(e: ErrorObject, doc: Located, base: string): SpecIssue {
  const ptr = base + e.instancePath;
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const props = Object.keys((parent.properties ?? {}) as object);
  const at = (pointer: string, key = false) => ({
    file: doc.file,
    pointer,
    ...doc.locate(pointer, { key }),
  });
  const desc = typeof parent.description === "string" ? parent.description : undefined;
  switch (e.keyword) {
    case "additionalProperties": {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const close = closeNames(key, props, 2);
      return {
        ...at(`${ptr}/${pointerSegment(key)}`, true),
        message: `unknown key "${key}"`,
        hint: close.length > 0
          ? `did you mean ${close.map((c) => `"${c}"`).join(" or ")}?`
          : props.length > 0
          ? `allowed keys here: ${props.join(", ")}`
          : "remove it",
      };
    }
    case "required": {
      const key = String((e.params as { missingProperty: string }).missingProperty);
      const sub = (parent.properties as Record<string, { description?: string }> | undefined)
        ?.[key];
      return {
        ...at(ptr),
        message: `missing required key "${key}"`,
        hint: `add "${key}:"${sub?.description ? ` (${sub.description})` : ""}`,
      };
    }
    case "enum": {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const close = closeNames(String(e.data), allowed, 1);
      return {
        ...at(ptr),
        message: `${JSON.stringify(e.data)} is not one of ${allowed.join(", ")}`,
        hint: close.length > 0 ? `did you mean "${close[0]}"?` : `use one of ${allowed.join(", ")}`,
      };
    }
    case "const":
      return {
        ...at(ptr),
        message: `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`,
        hint: desc ?? "use the value shown",
      };
    case "oneOf":
      return {
        ...at(ptr),
        message: "does not match any allowed form",
        hint: desc ?? "see the schema",
      };
    case "type":
      return {
        ...at(ptr),
        message: `must be ${(e.params as { type: string | string[] }).type}, not ${
          typeName(e.data)
        }`,
        hint: shorthandFix(e, ptr) ?? desc ?? "change the value's type",
      };
    case "pattern":
      return {
        ...at(ptr),
        message: `${JSON.stringify(e.data)} does not match ${
          (e.params as { pattern: string }).pattern
        }`,
        hint: desc ?? "change the value to match the pattern",
      };
    default:
      return { ...at(ptr), message: e.message ?? `fails ${e.keyword}`, hint: desc };
  }
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  return typeof v === "string" ? `the string ${JSON.stringify(v)}` : `${typeof v} ${String(v)}`;
}

/**
 * A scalar where a mapping of options belongs (`rename_tools: heavy`, `drop_descriptions: 0.5`,
 * `number: 4`): the exact mapping to write, when one option takes that value.
 */
function shorthandFix(e: ErrorObject, ptr: string): string | undefined {
  const v = e.data;
  const schema = (e.parentSchema ?? {}) as { properties?: Record<string, Record<string, unknown>> };
  const wanted = (e.params as { type: string | string[] }).type;
  if (!schema.properties || !String(wanted).includes("object")) return undefined;
  if (!["string", "number", "boolean"].includes(typeof v)) return undefined;
  const fits = (p: Record<string, unknown>) => {
    if (Array.isArray(p.enum)) return p.enum.includes(v);
    const t = [p.type].flat();
    if (typeof v === "number") {
      if (!t.includes("number") && !(t.includes("integer") && Number.isInteger(v))) return false;
      return (p.minimum === undefined || v >= (p.minimum as number)) &&
        (p.maximum === undefined || v <= (p.maximum as number));
    }
    return t.includes(typeof v);
  };
  const props = Object.entries(schema.properties);
  // An enum that names the value beats a plain type match; of several type matches, none is sure.
  const byEnum = props.filter(([, p]) => Array.isArray(p.enum) && fits(p));
  const byType = props.filter(([, p]) => !Array.isArray(p.enum) && fits(p));
  const key = byEnum.length === 1
    ? byEnum[0][0]
    : byEnum.length === 0 && byType.length === 1
    ? byType[0][0]
    : byEnum.length === 0 && byType.some(([k]) => k === "rate" || k === "value")
    ? byType.find(([k]) => k === "rate" || k === "value")![0]
    : undefined;
  if (key === undefined) return undefined;
  const name = ptr.slice(ptr.lastIndexOf("/") + 1).replaceAll("~1", "/").replaceAll("~0", "~");
  return `write ${name}: { ${key}: ${typeof v === "string" ? v : JSON.stringify(v)} }`;
}
