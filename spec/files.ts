import { SpecError } from "./errors.ts";

/** Read a spec file or throw a located SpecError saying what was missing. */
export async function readSpecFile(path: string, opts: { what: string }): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    const reason = err instanceof Deno.errors.NotFound
      ? "not found"
      : err instanceof Deno.errors.IsADirectory
      ? "is a folder"
      : (err as Error).message;
    throw new SpecError([{
      file: path,
      line: 1,
      col: 1,
      pointer: "",
      message: `${opts.what} ${path}: ${reason}`,
      hint:
        "check the path (relative paths are resolved from the current folder, or from the suite for its envs)",
    }]);
  }
}

/** Hex SHA-256 of a text. */
export async function sha256Hex(text: string | Uint8Array): Promise<string> {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  const digest = await crypto.subtle.digest("SHA-256", bytes as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Hex SHA-256 over several files of a folder, each prefixed by its relative path. */
export async function sha256Files(dir: string, files: readonly string[]): Promise<string> {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const f of files) parts.push(enc.encode(`${f}\n`), await Deno.readFile(`${dir}/${f}`));
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) all.set(p, o), o += p.length;
  return await sha256Hex(all);
}
