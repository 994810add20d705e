/** The repository's commit and whether tracked files changed; nulls outside a git checkout. */
export async function gitInfo(): Promise<{ commit: string | null; dirty: boolean | null }> {
  try {
    const run = async (...args: string[]) => {
      const out = await new Deno.Command("git", { args, stdout: "piped", stderr: "null" }).output();
      if (!out.success) throw new Error(`Cannot read the checkout as 'git ${args[0]}' failed`);
      return new TextDecoder().decode(out.stdout).trim();
    };
    const commit = await run("rev-parse", "HEAD");
    const dirty = (await run("status", "--porcelain", "--untracked-files=no")).length > 0;
    return { commit, dirty };
  } catch {
    return { commit: null, dirty: null };
  }
}
