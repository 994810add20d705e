/**
 * BFCL's Java and JavaScript parameters: the model writes each value as a string of source text,
 * and BFCL's checker converts that string to a Python value of the parameter's type before
 * comparing it with the possible answers. A port of bfcl_eval's `java_type_converter` and
 * `js_type_converter` (eval_checker/ast_eval/type_convertor/, Apache-2.0), regular expressions
 * and fall-backs included: a string that does not parse stays a string.
 * @module
 */
import { PyFloat, type PyType } from "./py_value.ts";

/** BFCL's `JAVA_TYPE_CONVERSION` and `JS_TYPE_CONVERSION`: each type's Python type. */
export const BFCL_LANGUAGE_TYPES: Readonly<
  Record<"java" | "javascript", Readonly<Record<string, PyType | "set">>>
> = {
  java: {
    byte: "int",
    short: "int",
    integer: "int",
    long: "int",
    float: "float",
    double: "float",
    boolean: "bool",
    char: "str",
    String: "str",
    Array: "list",
    ArrayList: "list",
    Set: "set",
    HashMap: "dict",
    Hashtable: "dict",
    Queue: "list",
    Stack: "list",
    any: "str",
  },
  javascript: {
    String: "str",
    integer: "int",
    float: "float",
    Bigint: "int",
    Boolean: "bool",
    dict: "dict",
    array: "list",
    any: "str",
  },
};

/** Python's float(x) as a decoded value: an integral float stays a float. */
const pyFloat = (n: number): unknown => (Number.isInteger(n) ? new PyFloat(n) : n);

/** Python's int(s) or float(s) on text, else undefined. */
function pyNumber(s: string): unknown {
  const t = s.trim();
  if (/^[-+]?\d+$/.test(t)) return Number(t);
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return pyFloat(Number(t));
  return undefined;
}

function javaValue(s: string): unknown {
  if (s === "true") return true;
  if (s === "false") return false;
  if (s.startsWith('"') && s.endsWith('"')) return s.slice(1, -1);
  if (/^-?\d+[lL]$/.test(s)) return Number(s.slice(0, -1));
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?[fF]$/.test(s)) return pyFloat(Number(s.slice(0, -1)));
  return pyNumber(s) ?? s;
}

function javaElements(list: string[], nested?: string): unknown[] {
  return list.map((e) => {
    const x = e.trim();
    if (nested === "char" || nested === "String") return x.slice(1, -1);
    return nested ? javaConvert(x, nested) : javaValue(x);
  });
}

/** BFCL's java_type_converter: the Java source text `v` as a value of `type`. */
export function javaConvert(v: string, type: string, nested?: string): unknown {
  switch (type) {
    case "byte":
    case "short":
    case "integer":
      return /^-?\d+$/.test(v) ? Number(v) : v;
    case "float":
      return /^-?\d+(\.\d+)?([eE][+-]?\d+)?[fF]$/.test(v) ? pyFloat(Number(v.slice(0, -1))) : v;
    case "double":
      return /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v) ? pyFloat(Number(v)) : v;
    case "long":
      return /^-?\d+[lL]$/.test(v) ? Number(v.slice(0, -1)) : v;
    case "boolean":
      return v === "true" ? true : v === "false" ? false : v;
    case "ArrayList": {
      const asList = v.match(/new\s+ArrayList<\w*>\(Arrays\.asList\((.+?)\)\)/);
      if (asList) return javaElements(asList[1].split(","), nested);
      const adds = v.match(/new\s+ArrayList<\w*>\(\)\s*\{\{\s*([\s\S]+?)\s*\}\}/);
      if (adds) {
        return javaElements([...adds[1].matchAll(/add\((.+?)\)/g)].map((m) => m[1]), nested);
      }
      return /new\s+ArrayList<\w*>\(\)/.test(v) ? [] : v;
    }
    case "Array": {
      const m = v.match(/new\s+\w+\[\]\s*\{(.*?)\}/);
      if (!m) return v;
      return m[1].split(",").map((x) => x.trim()).filter((x) => x).map((x) =>
        nested ? javaConvert(x, nested) : javaValue(x)
      );
    }
    case "HashMap": {
      const m = v.match(/new\s+HashMap<.*?>\s*\(\)\s*\{\s*\{?\s*([\s\S]*?)\s*\}?\s*\}/);
      if (m) {
        const out: Record<string, unknown> = {};
        for (const p of m[1].matchAll(/put\("(.*?)",\s*(.*?)\)/g)) {
          out[p[1]] = javaValue(p[2].trim());
        }
        return out;
      }
      return /new\s+HashMap<.*?>\s*\(\)/.test(v) ? {} : v;
    }
    // char's pattern in BFCL can never match; Set, Hashtable, Queue and Stack are not
    // implemented there (BFCL raises): the text stays a string.
    default:
      return v;
  }
}

function jsValue(raw: string): unknown {
  const s = raw.trim();
  if (s === "true") return true;
  if (s === "false") return false;
  if ((s.startsWith('"') && s.endsWith('"')) || (s.startsWith("'") && s.endsWith("'"))) {
    return s.slice(1, -1);
  }
  return pyNumber(s) ?? s;
}

/** Python's str.strip(chars). */
const stripChars = (s: string, chars: string) => {
  let a = 0, b = s.length;
  while (a < b && chars.includes(s[a])) a++;
  while (b > a && chars.includes(s[b - 1])) b--;
  return s.slice(a, b);
};

function jsCollection(raw: string, type: "array" | "dict", nested?: string): unknown {
  const code = raw.trim();
  if (type === "array") {
    const twoD = code.match(
      /^(?:\[\s*\[.*?\]\s*(,\s*\[.*?\]\s*)*\]|\bnew\s+Array\(\s*\[.*?\]\s*(,\s*\[.*?\]\s*)*\))/,
    );
    if (twoD) {
      return [...twoD[0].matchAll(/\[(.*?)\]/g)].map((m, i) => {
        let inner = m[1].trim();
        if (i === 0 && inner.startsWith("[")) inner = inner.slice(1);
        return inner.split(",").map((e) => jsValue(e.trim()));
      });
    }
    const m = code.match(/^(?:\[(.*?)\]|\bnew\s+Array\((.*?)\))/);
    if (!m) return code;
    const body = (m[1] ?? m[2] ?? "").trim();
    const elements = body ? body.split(",") : [];
    return elements.map((e) => (nested ? jsConvert(e.trim(), nested) : jsValue(e.trim())));
  }
  if (code === "{}") return {};
  const m = code.match(/^\{(.*?)\}/);
  if (!m) return code;
  const out: Record<string, unknown> = {};
  for (const p of m[1].matchAll(/([^:]+):\s*(.*?)(?:,\s*(?=[^,]+:)|$)/g)) {
    const key = stripChars(p[1].trim(), "'\"");
    const value = p[2].trim();
    out[key] = value.startsWith("[") && value.endsWith("]")
      ? jsCollection(value, "array")
      : value.startsWith("{") && value.endsWith("}")
      ? jsCollection(value, "dict")
      : jsValue(stripChars(value, "'\""));
  }
  return out;
}

/** BFCL's js_type_converter: the JavaScript source text `v` as a value of `type`. */
export function jsConvert(v: string, type: string, nested?: string): unknown {
  switch (type) {
    case "String":
      return (v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))
        ? v.slice(1, -1)
        : v;
    case "integer":
      return /^-?\d+$/.test(v) ? Number(v) : v;
    case "float":
      return /^-?\d+(\.\d+)?$/.test(v) ? pyFloat(Number(v)) : v;
    case "Bigint":
      return /^-?\d+n$/.test(v) ? Number(v.slice(0, -1)) : v;
    case "Boolean":
      return v === "true" ? true : v === "false" ? false : v;
    case "dict":
    case "array":
      return jsCollection(v, type, nested);
    default:
      return v;
  }
}
