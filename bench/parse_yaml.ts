/**
 * Reads one YAML file the way every spec is read (spec/yaml.ts's parseYaml) and nothing more, for
 * timing the parse alone: `/usr/bin/time -v deno run -A bench/parse_yaml.ts DIR/env.yaml` (a file
 * from bench/big_env.ts). Prints the top-level keys and the milliseconds the parse took.
 */
import { parseYaml } from "../spec/yaml.ts";

if (import.meta.main) {
  const [file] = Deno.args;
  if (!file) {
    console.error("usage: deno run -A bench/parse_yaml.ts FILE");
    Deno.exit(2);
  }
  const text = await Deno.readTextFile(file);
  const t = performance.now();
  const doc = parseYaml(text, file);
  const ms = performance.now() - t;
  console.log(`${Object.keys(doc.value as object).join(", ")}: ${ms.toFixed(0)} ms`);
}
