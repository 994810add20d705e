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

/**
 * Write a file atomically from pieces, each encoded and written as it comes: a large file whose
 * pieces are made one at a time is never whole in memory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writePartsAtomic } from "./atomic_write.ts";
 * const f = await Deno.makeTempFile();
 * await writePartsAtomic(f, ["wh", "ole"]);
 * assert.ok(await Deno.readTextFile(f) === "whole");
 * ```
 */
export async function writePartsAtomic(path: string, parts: Iterable<string>): Promise<void> {
  const enc = new TextEncoder();
  await writeAtomically(path, async (write) => {
    for (const part of parts) await write(enc.encode(part));
  });
}

/**
 * Write `path` atomically through `fill`, which gets a `write(bytes)` that writes them all to a
 * file beside `path`; once `fill` returns, that file replaces `path`. If `fill` throws, the file
 * beside it is removed and `path` is left as it was.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeAtomically } from "./atomic_write.ts";
 * const f = await Deno.makeTempFile();
 * await Deno.writeTextFile(f, "before");
 * await writeAtomically(f, () => Promise.reject(new Error("stop"))).catch(() => {});
 * assert.ok(await Deno.readTextFile(f) === "before");
 * ```
 */
export async function writeAtomically(
  path: string,
  fill: (write: (bytes: Uint8Array) => Promise<void>) => Promise<void>,
): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
  const write = async (bytes: Uint8Array) => {
    let off = 0;
    while (off < bytes.length) off += await file.write(bytes.subarray(off));
  };
  try {
    await fill(write);
  } catch (err) {
    file.close();
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
  file.close();
  await Deno.rename(tmp, path);
}
