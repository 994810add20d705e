import { main } from "../cli.ts";

/** Run the CLI in-process, capturing what it prints (console and stdout writes). For tests. */
export async function runCli(
  ...args: string[]
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const log = console.log, error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
  const write = Deno.stdout.write;
  Deno.stdout.write = (
    b: Uint8Array,
  ) => (out.push(new TextDecoder().decode(b)), Promise.resolve(b.length));
  try {
    const code = await main(args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
    Deno.stdout.write = write;
  }
}
