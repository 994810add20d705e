/**
 * Write a file atomically: a reader never sees half of it (written beside it, then renamed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeFileAtomic } from "./atomic_write.ts";
 * const f = await Deno.makeTempFile();
 * await writeFileAtomic(f, "whole");
 * assert.ok(await Deno.readTextFile(f) === "whole");
 * ```
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.writeTextFile(tmp, text);
  await Deno.rename(tmp, path);
}
