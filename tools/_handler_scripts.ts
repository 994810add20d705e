/**
 * What a sandbox child needs before its first call, made once per sandbox in the parent: the SES
 * shim's source (the child evaluates it and locks down) and each handler module as a plain script
 * that evaluates to `function (exports, require, globalThis, …timers)`, compiled once in the child
 * and called once per lease, so every lease has its own instance of the module, its own global
 * object and its own timers. TypeScript types are stripped and `export`s become assignments to
 * `exports` (sucrase, which keeps line numbers); an `import` becomes a call of `require`, which
 * the child refuses with a message naming what was imported.
 * @module
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

let ses: Promise<string> | undefined;

/** The SES shim as one script (it defines `lockdown`, `harden` and `Compartment`). */
function sesSource(): Promise<string> {
  return ses ??= (async () => {
    const main = createRequire(import.meta.url).resolve("ses");
    return await Deno.readTextFile(join(dirname(main), "ses.umd.min.js"));
  })();
}

/**
 * The load request's payload for handler modules given as TypeScript source by key; throws an
 * error naming the module when one does not parse.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { handlerScripts } from "./_handler_scripts.ts";
 * const { modules } = await handlerScripts({ "m.ts": "export const f = (n: number) => n * 2;" });
 * const exports: Record<string, (n: number) => number> = {};
 * (0, eval)(modules["m.ts"])(exports, () => {});
 * assert.ok(exports.f(4) === 8);
 * ```
 */
export async function handlerScripts(
  sources: Record<string, string>,
): Promise<{ ses: string; modules: Record<string, string> }> {
  const { transform } = await import("sucrase");
  const modules: Record<string, string> = {};
  for (const [key, source] of Object.entries(sources)) {
    let code: string;
    try {
      code = transform(source, {
        transforms: ["typescript", "imports"],
        disableESTransforms: true,
        filePath: key,
      }).code;
    } catch (err) {
      throw new Error(`${key}: ${(err as Error).message}`);
    }
    // On the first line, so line numbers in errors stay the source's.
    modules[key] =
      `(function (exports, require, globalThis, setTimeout, clearTimeout, setInterval, clearInterval) {${code}\n})`;
  }
  return { ses: await sesSource(), modules };
}
