/**
 * The handler backend: `handler: file.ts#fn`, a TypeScript function run in a permission-less
 * sandbox. Its module is read and hashed when the env loads.
 * @module
 */
import { dirname, join } from "node:path";
import { sha256Hex } from "../files.ts";
import type { BackendKind } from "./backend_kind.ts";

/** The JSON Schema of its key in a `tools:` entry (its branch of spec/schema/env.json). */
export const handlerSchema = {
  type: "string",
  pattern: "^[^#]+\\.(ts|js|mts|mjs)#[A-Za-z_$][A-Za-z0-9_$]*$",
  description:
    "A TypeScript function, file#export relative to this spec: called with (args, state), returns {result, state?}; runs in a permission-less sandbox.",
} as const;

/** The handler backend's spec side. */
export const handlerKind: BackendKind<"handler"> = {
  kind: "handler",
  key: "handler",
  schema: handlerSchema,
  example: {
    env: {
      env: "ex-handler",
      tools: [{
        name: "double",
        description: "Double a number.",
        parameters: { type: "object", properties: { n: { type: "number" } }, required: ["n"] },
        handler: "./double.ts#double",
      }],
      tasks: [{
        id: "t1",
        query: "What is 21 doubled?",
        gold: [{ tool: "double", args: { n: 21 } }],
        check: { answer: { contains: "42" } },
      }],
    },
    files: {
      "double.ts":
        "export function double(args: { n: number }) {\n  return { result: args.n * 2 };\n}\n",
    },
  },
  async parse(t, { p, handlers, ctx }) {
    const { at, issues, file } = ctx;
    const [module, fn] = t.handler!.split("#");
    const path = join(dirname(file), module);
    if (!(module in handlers)) {
      let source: string;
      try {
        source = await Deno.readTextFile(path);
      } catch {
        issues.push(
          at(
            `${p}/handler`,
            `handler file ${path} not found`,
            `create it, or fix the path (relative to ${file})`,
          ),
        );
        return undefined;
      }
      handlers[module] = source;
      ctx.files.push({ path, sha256: await sha256Hex(source) });
    }
    return { kind: "handler", module, fn };
  },
};
