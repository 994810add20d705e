/**
 * `JSON.stringify(value, null, 2)` written to a file piece by piece: the same bytes, without the
 * whole text (and its encoding) in memory at once. Objects and arrays are written one member at a
 * time down to `depth` levels; below that each member is one `JSON.stringify`.
 * @module
 */
import { writeAtomically } from "./atomic_write.ts";

/** Where pieces go: text, in order. */
type Sink = (text: string) => Promise<void>;

/**
 * Write `JSON.stringify(value, null, 2) + "\n"` to `path` atomically (a reader never sees half of
 * it: written beside it, then renamed), holding at most about `chunk` characters (default 128 KiB)
 * plus one member `depth` levels down (default 2) in memory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeJsonAtomic } from "./json_stream.ts";
 * const f = await Deno.makeTempFile();
 * const value = { a: [1, { b: [] }, "x"], c: {}, d: undefined, e: [undefined] };
 * await writeJsonAtomic(f, value);
 * assert.equal(await Deno.readTextFile(f), JSON.stringify(value, null, 2) + "\n");
 * ```
 */
export async function writeJsonAtomic(
  path: string,
  value: unknown,
  opts: { depth?: number; chunk?: number } = {},
): Promise<void> {
  const enc = new TextEncoder();
  const limit = opts.chunk ?? 128 << 10;
  await writeAtomically(path, async (write) => {
    let held: string[] = [];
    let size = 0;
    const flush = async () => {
      const bytes = enc.encode(held.join(""));
      held = [];
      size = 0;
      await write(bytes);
    };
    const sink: Sink = async (text) => {
      held.push(text);
      size += text.length;
      if (size >= limit) await flush();
    };
    await writeValue(sink, value, opts.depth ?? 2, "");
    await sink("\n");
    await flush();
  });
}

/** Write one value as `JSON.stringify(value, null, 2)` would at indentation `pad`. */
async function writeValue(sink: Sink, value: unknown, depth: number, pad: string): Promise<void> {
  const v = value !== null && typeof value === "object" &&
      typeof (value as { toJSON?: unknown }).toJSON === "function"
    ? (value as { toJSON: () => unknown }).toJSON()
    : value;
  if (depth <= 0 || v === null || typeof v !== "object") {
    const text = JSON.stringify(v, null, 2);
    // A nested value's lines are indented by its depth, as JSON.stringify indents them in place.
    await sink(pad && text.includes("\n") ? text.replaceAll("\n", `\n${pad}`) : text);
    return;
  }
  const inner = pad + "  ";
  if (Array.isArray(v)) {
    if (v.length === 0) return await sink("[]");
    for (let i = 0; i < v.length; i++) {
      await sink(i === 0 ? `[\n${inner}` : `,\n${inner}`);
      const item = v[i];
      // As JSON.stringify: what JSON cannot hold becomes null in an array.
      const skip = item === undefined || typeof item === "function" || typeof item === "symbol";
      await writeValue(sink, skip ? null : item, depth - 1, inner);
    }
    return await sink(`\n${pad}]`);
  }
  let first = true;
  for (const [k, item] of Object.entries(v)) {
    // …and is left out of an object.
    if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
    await sink(`${first ? "{" : ","}\n${inner}${JSON.stringify(k)}: `);
    first = false;
    await writeValue(sink, item, depth - 1, inner);
  }
  await sink(first ? "{}" : `\n${pad}}`);
}
