import { compileExpr, exprAst } from "../spec/mod.ts";

type Node = { type?: string; value?: unknown; position?: number; [k: string]: unknown };

const COMPARE = new Set(["=", "!=", "<", "<=", ">", ">=", "in"]);

/**
 * Why a boolean JSONata expression came out false, as far as its comparisons show: each false
 * comparison (under `and`/`or`) with the value of its non-literal side(s), e.g.
 * `$count(state.loans) is 0 (wanted = 1)`. Empty when there is nothing to add.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { explainFalse } from "./explain.ts";
 * const why = await explainFalse("$count(state.loans) = 1 and state.ok = true", { state: { loans: [], ok: true } });
 * assert.ok(why === "$count(state.loans) is 0 (wanted = 1)");
 * ```
 */
export async function explainFalse(
  source: string,
  input: unknown,
  opts: { now?: number } = {},
): Promise<string> {
  let ast: Node;
  try {
    ast = exprAst(source) as Node;
  } catch {
    return "";
  }
  const out: string[] = [];
  const value = async (text: string): Promise<unknown> => {
    try {
      return await compileExpr(text, opts).evaluate(input);
    } catch {
      return undefined;
    }
  };
  const show = (v: unknown) => {
    const s = JSON.stringify(v) ?? "nothing";
    return s.length > 80 ? `${s.slice(0, 80)}…` : s;
  };
  const literal = (n: Node) => ["number", "string", "value"].includes(n.type ?? "");
  const walk = async (n: Node, start: number, end: number): Promise<void> => {
    if (out.length >= 3) return;
    const text = source.slice(start, end);
    if (n.type === "block" && Array.isArray(n.expressions) && n.expressions.length === 1) {
      const open = source.indexOf("(", start), close = source.lastIndexOf(")", end - 1);
      if (open >= 0 && close > open) return walk(n.expressions[0] as Node, open + 1, close);
    }
    if (n.type !== "binary" || typeof n.position !== "number") return;
    const op = String(n.value);
    const opStart = n.position - op.length;
    const lhs = n.lhs as Node, rhs = n.rhs as Node;
    if (op === "and" || op === "or") {
      for (const [side, s, e] of [[lhs, start, opStart], [rhs, n.position, end]] as const) {
        if (await value(source.slice(s, e)) !== true) await walk(side, s, e);
      }
      return;
    }
    if (!COMPARE.has(op) || await value(text) === true) return;
    const l = source.slice(start, opStart).trim(), r = source.slice(n.position, end).trim();
    if (!literal(lhs) && !literal(rhs)) {
      out.push(`${l} is ${show(await value(l))}, ${r} is ${show(await value(r))} (wanted ${op})`);
    } else if (!literal(lhs)) out.push(`${l} is ${show(await value(l))} (wanted ${op} ${r})`);
    else if (!literal(rhs)) out.push(`${r} is ${show(await value(r))} (wanted ${l} ${op} it)`);
  };
  await walk(ast, 0, source.length);
  return out.join("; ");
}
