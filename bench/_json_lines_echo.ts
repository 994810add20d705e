/** The floor under any handler call, shared by bench/backends.ts and bench/handler_paths.ts. @module */

/** A bare subprocess answering JSON lines in order: the floor under a handler call. */
export function jsonLinesEcho() {
  const code = `const dec = new TextDecoder(), enc = new TextEncoder();
let buf = "";
for await (const chunk of Deno.stdin.readable) {
  buf += dec.decode(chunk, { stream: true });
  let nl, out = "";
  while ((nl = buf.indexOf("\\n")) >= 0) {
    const m = JSON.parse(buf.slice(0, nl));
    buf = buf.slice(nl + 1);
    out += JSON.stringify({ ok: true, value: { result: m.args } }) + "\\n";
  }
  const bytes = enc.encode(out);
  for (let off = 0; off < bytes.length;) off += Deno.stdout.writeSync(bytes.subarray(off));
}`;
  const proc = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", code],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = proc.stdin.getWriter();
  const waiting: ((line: string) => void)[] = [];
  void (async () => {
    const dec = new TextDecoder();
    let buf = "";
    for await (const chunk of proc.stdout) {
      buf += dec.decode(chunk, { stream: true });
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        waiting.shift()!(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    }
  })();
  const enc = new TextEncoder();
  return {
    call(args: unknown): Promise<{ observation: { ok: boolean } }> {
      const got = new Promise<string>((r) => waiting.push(r));
      void writer.write(enc.encode(JSON.stringify({ m: "h.ts", f: "convert", args }) + "\n"));
      return got.then((line) => ({ observation: { ok: JSON.parse(line).ok } }));
    },
    async close() {
      await writer.close();
      await proc.status;
    },
  };
}
